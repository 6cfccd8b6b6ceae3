// `omnicut prep` as a user runs it: exit codes, the JSON it prints, the clip and sidecar it
// leaves, what it refuses, and that the source is never touched.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "codecs/testing/synth.h"
#include "tests/support/media_checks.h"
#include "tests/support/synth_clips.h"

namespace omnicut::test {
namespace {

nlohmann::json prep_ok(const std::vector<std::string>& args) {
  std::vector<std::string> full{"prep"};
  full.insert(full.end(), args.begin(), args.end());
  full.push_back("--json");
  auto r = run_omnicut(full);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return {};
  return nlohmann::json::parse(r.out);
}

int files_in(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// A failure: its exit code, one line on stderr naming the file, and nothing written.
void expect_failure(const fs::path& in, const fs::path& out, int code) {
  auto r = run_omnicut({"prep", in.string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, code) << in << ": " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(in.filename().string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".prep.json"));
}

TEST(PrepCli, TrimsScalesAndReportsTheEncodePath) {
  auto dir = scratch_dir();
  auto spec = clip(6.0, 960, 540);
  spec.flashes = {2.0};
  spec.beeps = {3.0};
  synthesize((dir / "in.mp4").string(), spec);
  auto before = file_md5(dir / "in.mp4");
  auto j = prep_ok({(dir / "in.mp4").string(), "-o", (dir / "out.mp4").string(), "--start", "2", "--end", "5.5"});
  EXPECT_EQ(j["path"], "encode");
  EXPECT_FALSE(j["reason"].get<std::string>().empty());
  EXPECT_EQ(j["audio"], "encode");
  EXPECT_EQ(j["frames"], 88);  // 3.5 s at 25 fps, the last frame starting at 3.48 s
  expect_endpoint_ready(dir / "out.mp4", 1280, 720);
  auto pictures = decode_pictures(dir / "out.mp4", 1280, 720, 2);
  ASSERT_EQ(pictures.size(), 2u);
  EXPECT_GT(pictures[0].mean_y(), 200) << "the flash at 2.0 s opens the clip";
  EXPECT_LT(pictures[1].mean_y(), 200);
  auto samples = decode_audio(dir / "out.mp4");
  EXPECT_NEAR(first_loud_sample(samples, 0.5f) / 48000.0, 1.0, 0.002) << "the beep at 3.0 s lands at 1.0 s";
  auto probe = ffprobe(dir / "out.mp4");
  EXPECT_LT(std::abs(num(stream_of(probe, "audio"), "duration") - num(stream_of(probe, "video"), "duration")), 0.04);
  EXPECT_EQ(file_md5(dir / "in.mp4"), before);

  // The whole file: the picture is re-encoded, the complying AAC is copied packet for packet.
  j = prep_ok({(dir / "in.mp4").string(), "-o", (dir / "whole.mp4").string()});
  EXPECT_EQ(j["path"], "encode") << j.dump();
  EXPECT_EQ(j["audio"], "copy") << j.dump();
  EXPECT_EQ(packet_hashes(dir / "whole.mp4", "a:0"), packet_hashes(dir / "in.mp4", "a:0"));
  expect_endpoint_ready(dir / "whole.mp4", 1280, 720);
  samples = decode_audio(dir / "whole.mp4");
  EXPECT_NEAR(first_loud_sample(samples, 0.5f) / 48000.0, 3.0, 0.002) << "the beep stays at 3.0 s";
  probe = ffprobe(dir / "whole.mp4");
  EXPECT_LT(std::abs(num(stream_of(probe, "audio"), "duration") - num(stream_of(probe, "video"), "duration")), 0.04);

  std::ifstream side(dir / "out.mp4.prep.json");
  auto s = nlohmann::json::parse(side);
  EXPECT_EQ(s["start"], 2.0);
  EXPECT_EQ(s["end"], 5.5);
  EXPECT_EQ(s["path"], "encode");
  EXPECT_EQ(s["geometry"]["out_width"], 1280);
  EXPECT_EQ(s["geometry"]["sar"], "1:1");
  EXPECT_EQ(s["source_display_width"], 960);
  EXPECT_EQ(s["fps"], 25.0);
}

TEST(PrepCli, PortraitAndRotatedSourcesBecomeUpright720x1280) {
  auto dir = scratch_dir();
  auto portrait = clip(3.2, 360, 640);
  synthesize((dir / "portrait.mp4").string(), portrait);
  prep_ok({(dir / "portrait.mp4").string(), "-o", (dir / "p.mp4").string()});
  expect_endpoint_ready(dir / "p.mp4", 720, 1280);

  auto rotated = clip(3.2, 640, 360);
  rotated.rotation = 270;
  synthesize((dir / "rotated.mp4").string(), rotated);
  auto j = prep_ok({(dir / "rotated.mp4").string(), "-o", (dir / "r.mp4").string(), "--fit", "crop"});
  EXPECT_EQ(j["path"], "encode");
  expect_endpoint_ready(dir / "r.mp4", 720, 1280);
}

TEST(PrepCli, CompliantSourceOnAKeyframeIsCopiedPacketForPacket) {
  auto dir = scratch_dir();
  auto spec = clip(6.0, 1280, 720);
  spec.keyframe_interval = 1.0;
  synthesize((dir / "in.mp4").string(), spec);
  auto j = prep_ok({(dir / "in.mp4").string(), "-o", (dir / "copy.mp4").string(), "--start", "1", "--end", "5"});
  EXPECT_EQ(j["path"], "copy") << j.dump();
  EXPECT_EQ(j["audio"], "encode") << "1.0 s falls inside an AAC packet (1024 samples = 21.3 ms)";
  auto atoms = top_level_atoms(dir / "copy.mp4");
  EXPECT_LT(std::find(atoms.begin(), atoms.end(), "moov") - atoms.begin(),
            std::find(atoms.begin(), atoms.end(), "mdat") - atoms.begin());
  auto src = packet_hashes(dir / "in.mp4", "v:0"), out = packet_hashes(dir / "copy.mp4", "v:0");
  ASSERT_EQ(out.size(), 100u);
  EXPECT_NE(std::search(src.begin(), src.end(), out.begin(), out.end()), src.end());
  auto probe = ffprobe(dir / "copy.mp4");
  EXPECT_EQ(stream_of(probe, "video")["width"], 1280);
  EXPECT_NEAR(num(stream_of(probe, "video"), "start_time"), 0.0, 1e-3);

  // The whole file: both ends on packet boundaries, so the audio is copied too.
  j = prep_ok({(dir / "in.mp4").string(), "-o", (dir / "whole.mp4").string()});
  EXPECT_EQ(j["path"], "copy") << j.dump();
  EXPECT_EQ(j["audio"], "copy") << j.dump();
  EXPECT_EQ(packet_hashes(dir / "whole.mp4", "a:0"), packet_hashes(dir / "in.mp4", "a:0"));
  EXPECT_EQ(packet_hashes(dir / "whole.mp4", "v:0"), src);

  // Half-way through a GOP the copy would start on a picture that needs the one before.
  j = prep_ok({(dir / "in.mp4").string(), "-o", (dir / "enc.mp4").string(), "--start", "1.5", "--end", "5"});
  EXPECT_EQ(j["path"], "encode");
  EXPECT_NE(j["reason"].get<std::string>().find("keyframe"), std::string::npos) << j["reason"];
  expect_endpoint_ready(dir / "enc.mp4", 1280, 720);
}

// A browser's recording (WebM written live: no duration in its header, audio 0.244 s late) and
// an OBS-style one (live Matroska, 35 s): prep cuts and encodes the true length.
TEST(PrepCli, LiveRecordingsWithoutAHeaderDurationKeepTheirLength) {
  auto dir = scratch_dir();
  synthesize((dir / "rec.webm").string(), live_webm(4));
  auto j = prep_ok({(dir / "rec.webm").string(), "-o", (dir / "webm.mp4").string()});
  EXPECT_EQ(j["frames"], 120) << j.dump();
  expect_endpoint_ready(dir / "webm.mp4", 1280, 720);
  auto probe = ffprobe(dir / "webm.mp4");
  EXPECT_NEAR(num(stream_of(probe, "video"), "duration"), 4.0, 1.0 / 30);
  EXPECT_NEAR(num(stream_of(probe, "audio"), "duration"), 4.0, 1.0 / 30);

  synthesize((dir / "obs.mkv").string(), live_mkv(35));
  expect_failure(dir / "obs.mkv", dir / "whole.mp4", 6);  // longer than the endpoint's limit: not "0 s"
  j = prep_ok({(dir / "obs.mkv").string(), "-o", (dir / "tail.mp4").string(), "--start", "30"});
  EXPECT_NEAR(j["duration"].get<double>(), 5.0, 1.0 / 30) << j.dump();
  EXPECT_NEAR(num(stream_of(ffprobe(dir / "tail.mp4"), "video"), "duration"), 5.0, 1.0 / 30);
}

// Container, video and audio starting apart: prep measures from the first video frame, and a
// user's remux of the (stand-in) edit with the sidecar puts the source audio back in sync.
TEST(PrepCli, ThreeStartsStayInSyncThroughPrepAndRemux) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), three_starts(4.0));
  auto j = prep_ok({(dir / "src.mp4").string(), "-o", (dir / "prepped.mp4").string(), "--start", "0.5", "--fps", "30"});
  const double mark = kThreeStartsMark - kThreeStartsVideo - 0.5;
  EXPECT_NEAR(j["duration"].get<double>(), 4.0 - kThreeStartsVideo - 0.5, 1.0 / 30) << j.dump();
  EXPECT_NEAR(flash_time(dir / "prepped.mp4", 1280, 720), mark, 1.0 / 30);
  EXPECT_NEAR(first_loud_sample(decode_audio(dir / "prepped.mp4"), 0.5f) / 48000.0, mark, 0.002);

  auto r = run_omnicut({"remux", "--video", (dir / "prepped.mp4").string(), "--audio", (dir / "src.mp4").string(),
                        "--sidecar", (dir / "prepped.mp4.prep.json").string(), "-o", (dir / "out.mp4").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(flash_time(dir / "out.mp4", 1280, 720), mark, 1.0 / 30);
  EXPECT_NEAR(first_loud_sample(decode_audio(dir / "out.mp4"), 0.5f) / 48000.0, mark, 1.0 / 30);
}

TEST(PrepCli, TooLongWithoutATrimStopsWithExitSix) {
  auto dir = scratch_dir();
  auto spec = clip(12.0, 320, 240);
  spec.preset = "ultrafast";
  synthesize((dir / "long.mp4").string(), spec);
  expect_failure(dir / "long.mp4", dir / "out.mp4", 6);
  auto j = prep_ok({(dir / "long.mp4").string(), "-o", (dir / "out.mp4").string(), "--duration", "10"});
  EXPECT_NEAR(j["duration"].get<double>(), 10.0, 0.001);
}

TEST(PrepCli, RefusesToOverwriteItsInput) {
  auto dir = scratch_dir();
  synthesize((dir / "in.mp4").string(), clip(3.2, 320, 240));
  auto before = file_md5(dir / "in.mp4");
  auto r = run_omnicut({"prep", (dir / "in.mp4").string(), "-o", (dir / "." / "in.mp4").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(file_md5(dir / "in.mp4"), before);
  EXPECT_EQ(files_in(dir), 1);
}

TEST(PrepCli, BadInputsFailWithTheirExitCodeAndNoOutput) {
  auto dir = scratch_dir();
  expect_failure(dir / "missing.mp4", dir / "out.mp4", 3);
  fs::create_directory(dir / "folder.mp4");
  expect_failure(dir / "folder.mp4", dir / "out.mp4", 3);
  std::ofstream(dir / "empty.mp4").close();
  expect_failure(dir / "empty.mp4", dir / "out.mp4", 4);
  std::ofstream(dir / "text.mp4") << "just some words, not a video\n";
  expect_failure(dir / "text.mp4", dir / "out.mp4", 4);

  synthesize((dir / "whole.mp4").string(), clip(3.2, 320, 240));  // moov at the end
  {
    std::ifstream in(dir / "whole.mp4", std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(dir / "truncated.mp4", std::ios::binary) << data.substr(0, data.size() / 2);
  }
  expect_failure(dir / "truncated.mp4", dir / "out.mp4", 4);

  auto audio_only = clip(4.0, 320, 240);
  audio_only.video = false;
  synthesize((dir / "audio.m4a").string(), audio_only);
  expect_failure(dir / "audio.m4a", dir / "out.mp4", 5);
}

TEST(PrepCli, CtrlCLeavesNoOutputNoTemporaryFileAndTheInputIntact) {
  auto dir = scratch_dir();
  auto spec = clip(9.0, 1280, 720);
  spec.fps = {30, 1};
  synthesize((dir / "in.mp4").string(), spec);
  auto before = file_md5(dir / "in.mp4");
  auto r = run_program("timeout", {"--preserve-status", "-s", "INT", "0.7", OMNICUT_BIN, "prep",
                                   (dir / "in.mp4").string(), "-o", (dir / "out.mp4").string(), "--fps", "24",
                                   "--preset", "medium"});
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_EQ(files_in(dir), 1) << "only in.mp4 may remain";
  EXPECT_EQ(file_md5(dir / "in.mp4"), before);
}

TEST(PrepCli, EverySharedMediaFileWithVideoBecomesAValidClip) {
  OMNICUT_REQUIRE_SHARED_MEDIA(media);
  auto dir = scratch_dir();
  for (const auto& entry : fs::directory_iterator(media)) {
    if (entry.path().extension() == ".md") continue;
    auto probe = ffprobe(entry.path());
    const auto& v = stream_of(probe, "video");
    if (v.is_null()) continue;
    fs::path out = dir / (entry.path().filename().string() + ".mp4");
    auto r = run_omnicut({"prep", entry.path().string(), "-o", out.string(), "--json"});
    double duration = num(probe["format"], "duration");
    if (duration < 3.0) {  // shorter than the endpoint's minimum: refused, not padded
      EXPECT_EQ(r.exit_code, 6) << entry.path() << ": " << r.err;
      EXPECT_FALSE(fs::exists(out));
      continue;
    }
    ASSERT_EQ(r.exit_code, 0) << entry.path() << ": " << r.err;
    auto j = nlohmann::json::parse(r.out);
    SCOPED_TRACE(entry.path().string());
    expect_endpoint_ready(out, j["width"], j["height"]);
    EXPECT_TRUE((j["width"] == 1280 && j["height"] == 720) || (j["width"] == 720 && j["height"] == 1280));
    EXPECT_TRUE(fs::exists(out.string() + ".prep.json"));
  }
}

}  // namespace
}  // namespace omnicut::test
