// split and join: segments within the endpoint's limits, cut at scene changes else evenly, on
// frames with no gap or overlap; join gives back the whole with continuous timestamps and the
// source's audio laid once, in sync; manifest mismatches are errors.
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "codecs/testing/synth.h"
#include "codecs/transcode.h"
#include "pipeline/media/remux_stage.h"
#include "tests/support/media_checks.h"

namespace omnicut::test {
namespace {

using nlohmann::json;

// 24 s at 25 fps (600 frames); a one-frame white flash at 7.0 s is the only scene change.
fs::path make_source(const fs::path& dir) {
  SynthSpec s;
  s.duration = 24;
  s.fps = {25, 1};
  s.audio = {SynthAudio{}};
  s.flashes = {7.0};
  s.beeps = {7.0, 15.0};
  synthesize((dir / "src.mp4").string(), s);
  return dir / "src.mp4";
}

json split(const fs::path& src, const fs::path& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"split", src.string(), "-o", out.string(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_omnicut(args, {}, 600);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? json::parse(r.out) : json{};
}

json video_stream(const fs::path& f) {
  json probe = ffprobe(f);
  for (const auto& s : probe["streams"])
    if (s["codec_type"] == "video") return s;
  return {};
}

std::vector<double> video_pts(const fs::path& f) {
  auto r = run_program("ffprobe", {"-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time", "-of",
                                   "csv=p=0", f.string()});
  std::vector<double> t;
  std::stringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) t.push_back(std::stod(line));
  std::sort(t.begin(), t.end());
  return t;
}

std::vector<float> mono_audio(const fs::path& f) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", f.string(), "-map", "0:a:0", "-ac", "1", "-ar", "48000", "-f",
                                  "f32le", "-"});
  std::vector<float> s(r.out.size() / sizeof(float));
  std::memcpy(s.data(), r.out.data(), s.size() * sizeof(float));
  return s;
}

double first_above(const std::vector<float>& s, double from, float level) {
  for (size_t i = static_cast<size_t>(from * 48000); i < s.size(); ++i)
    if (std::abs(s[i]) > level) return i / 48000.0;
  return -1;
}

class SplitJoin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // One split per process (CTest runs each test in its own, possibly at the same time).
    dir_ = new fs::path(fs::path(OMNICUT_TEST_TMP) / ("SplitJoin.shared-" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    src_ = new fs::path(make_source(*dir_));
    manifest_ = new json(split(*src_, *dir_ / "parts"));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_, delete src_, delete manifest_;
  }
  static fs::path* dir_;
  static fs::path* src_;
  static json* manifest_;
  fs::path part(int i) { return *dir_ / "parts" / (*manifest_)["segments"][i]["file"].get<std::string>(); }
};
fs::path* SplitJoin::dir_ = nullptr;
fs::path* SplitJoin::src_ = nullptr;
json* SplitJoin::manifest_ = nullptr;

TEST_F(SplitJoin, SegmentsAreWithinLimitsCutAtTheSceneAndAddUpToTheSource) {
  const auto& segs = (*manifest_)["segments"];
  ASSERT_GE(segs.size(), 3u);
  EXPECT_NEAR(segs[0]["start"].get<double>(), 0.0, 1e-9);
  EXPECT_NEAR(segs.back()["end"].get<double>(), 24.0, 1e-6);
  EXPECT_EQ(segs[0]["cut"], "scene");
  EXPECT_NEAR(segs[0]["end"].get<double>(), 7.0, 1e-6);
  int64_t frames = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    double d = segs[i]["end"].get<double>() - segs[i]["start"].get<double>();
    EXPECT_GE(d, 3.0 - 1e-9);
    EXPECT_LE(d, 10.0 + 1e-9);
    if (i > 0) {
      EXPECT_DOUBLE_EQ(segs[i]["start"].get<double>(), segs[i - 1]["end"].get<double>());
    }
    // On a frame: a whole number of 25 fps frames.
    EXPECT_NEAR(std::fmod(segs[i]["start"].get<double>() * 25 + 0.5, 1.0), 0.5, 1e-6);
    auto v = video_stream(part(static_cast<int>(i)));
    EXPECT_EQ(v["width"], 1280);
    EXPECT_EQ(v["height"], 720);
    EXPECT_EQ(std::stoll(v["nb_frames"].get<std::string>()), segs[i]["frames"].get<int64_t>());
    EXPECT_NEAR(std::stoll(v["nb_frames"].get<std::string>()), d * 25, 0.01);
    frames += segs[i]["frames"].get<int64_t>();
  }
  EXPECT_EQ(frames, 600);
  EXPECT_TRUE(fs::exists(*dir_ / "parts" / "manifest.json"));
}

TEST_F(SplitJoin, JoinGivesBackTheWholeWithContinuousTimestampsAndOneAudioTrackInSync) {
  auto out = scratch_dir() / "joined.mp4";
  std::vector<std::string> args{"join"};
  int n = static_cast<int>((*manifest_)["segments"].size());
  for (int i = n - 1; i >= 0; --i) args.push_back(part(i).string());  // given backwards: named, so reordered
  args.insert(args.end(), {"--manifest", (*dir_ / "parts" / "manifest.json").string(), "--audio", src_->string(),
                           "-o", out.string(), "--json"});
  auto r = run_omnicut(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_TRUE(j["concat"]["copied"].get<bool>());
  EXPECT_EQ(j["parts"][0], part(0).string());
  // join's JSON is remux's, with the concat beside it
  RemuxResult as_remux;
  ASSERT_NO_THROW(as_remux = remux_result_from_json(j, "join --json")) << j.dump();
  EXPECT_EQ(as_remux.video_frames, j["concat"]["frames"].get<int64_t>());

  auto probe = ffprobe(out);
  int audio_tracks = 0;
  double vdur = 0, adur = 0;
  for (const auto& s : probe["streams"]) {
    if (s["codec_type"] == "audio") ++audio_tracks, adur = std::stod(s["duration"].get<std::string>());
    if (s["codec_type"] == "video") vdur = std::stod(s["duration"].get<std::string>());
  }
  EXPECT_EQ(audio_tracks, 1);
  EXPECT_NEAR(vdur, 24.0, 1 / 25.0);
  EXPECT_NEAR(adur, vdur, 0.001);

  // The source's own AAC packets, bit for bit: the range [0, 24 s) starts on a packet edge, so
  // they run from the one before it (the encoder's priming, the decoder's pre-roll) to the last
  // one starting inside the range.
  EXPECT_EQ(j["audio"]["mode"], "copied") << j["audio"]["reason"];
  auto source = packet_hashes(*src_, "a:0"), copied = packet_hashes(out, "a:0");
  size_t inside = 0;
  for (const auto& p : probe_packets(*src_, "a:0")) inside += p["pts"].get<int64_t>() < 24 * 48000;
  ASSERT_LE(inside, source.size());
  EXPECT_EQ(copied, std::vector<std::string>(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(inside)));
  auto pts = video_pts(out);
  ASSERT_EQ(pts.size(), 600u);
  for (size_t i = 1; i < pts.size(); ++i) ASSERT_NEAR(pts[i] - pts[i - 1], 0.04, 0.001) << "gap at " << pts[i];

  // The beep at 15 s (inside a later segment) lines up with the picture's clock; the tone runs
  // on across the joins without a dropout.
  auto s = mono_audio(out);
  EXPECT_NEAR(first_above(s, 10.0, 0.5f), 15.0, 0.003);
  auto rms = [&](double from, double to) {
    double sum = 0;
    size_t a = static_cast<size_t>(from * 48000), b = static_cast<size_t>(to * 48000);
    for (size_t i = a; i < b; ++i) sum += s[i] * s[i];
    return std::sqrt(sum / (b - a));
  };
  const double tone = rms(3.0, 3.1);  // the steady tone, away from joins and beeps
  ASSERT_GT(tone, 0.1);
  for (const auto& seg : (*manifest_)["segments"]) {
    double t = seg["start"].get<double>();
    if (t < 1 || std::abs(t - 7.0) < 0.2 || std::abs(t - 15.0) < 0.2) continue;
    double sum = 0;
    int count = 0, quiet = 0;
    for (size_t i = static_cast<size_t>((t - 0.05) * 48000); i < static_cast<size_t>((t + 0.05) * 48000); ++i, ++count) {
      sum += s[i] * s[i];
      quiet += std::abs(s[i]) < 1e-4;
    }
    EXPECT_NEAR(std::sqrt(sum / count), tone, 0.1 * tone) << "around the join at " << t;
    EXPECT_LT(quiet, 48) << "silence at the join at " << t;
  }
}

TEST_F(SplitJoin, PartsThatDifferAreReencodedToIdenticalParameters) {
  auto dir = scratch_dir();
  TranscodeSpec t;
  t.input = part(1).string();
  t.output = (dir / "odd.mp4").string();
  t.video_stream = 0;
  t.geometry.scale_width = t.geometry.out_width = 640;
  t.geometry.scale_height = t.geometry.out_height = 360;
  t.preset = "ultrafast";
  transcode(t);
  std::vector<std::string> args{"join", part(0).string(), (dir / "odd.mp4").string()};
  int n = static_cast<int>((*manifest_)["segments"].size());
  for (int i = 2; i < n; ++i) args.push_back(part(i).string());
  args.insert(args.end(), {"--audio", src_->string(), "-o", (dir / "joined.mp4").string(), "--json"});
  auto r = run_omnicut(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_FALSE(j["concat"]["copied"].get<bool>());
  EXPECT_NE(j["concat"]["reason"].get<std::string>().find("picture size"), std::string::npos);
  auto v = video_stream(dir / "joined.mp4");
  EXPECT_EQ(v["width"], 1280);
  EXPECT_EQ(v["nb_frames"], "600");
}

TEST_F(SplitJoin, PartsThatDoNotMatchTheManifestAreRefused) {
  auto dir = scratch_dir();
  auto manifest = (*dir_ / "parts" / "manifest.json").string();
  auto few = run_omnicut({"join", part(0).string(), "--manifest", manifest, "--audio", src_->string(), "-o",
                          (dir / "out.mp4").string()});
  EXPECT_EQ(few.exit_code, 2);
  EXPECT_NE(few.err.find("parts given for a manifest of"), std::string::npos);
  // Renamed so their names say nothing, and swapped: the lengths give it away.
  int n = static_cast<int>((*manifest_)["segments"].size());
  std::vector<std::string> args{"join"};
  for (int i = 0; i < n; ++i) {
    auto renamed = dir / ("p" + std::to_string(i) + ".mp4");
    fs::copy_file(part(i == 0 ? 1 : i == 1 ? 0 : i), renamed);
    args.push_back(renamed.string());
  }
  args.insert(args.end(), {"--manifest", manifest, "--audio", src_->string(), "-o", (dir / "out.mp4").string()});
  auto swapped = run_omnicut(args);
  EXPECT_EQ(swapped.exit_code, 2);
  EXPECT_NE(swapped.err.find("not in its order"), std::string::npos) << swapped.err;
  EXPECT_FALSE(fs::exists(dir / "out.mp4"));
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".part-"), std::string::npos) << e.path();
  std::ofstream(dir / "bad.json") << "{\"version\":1,\"source\":\"x\",\"segments\":[]}";
  EXPECT_EQ(run_omnicut({"join", part(0).string(), "--manifest", (dir / "bad.json").string(), "--audio",
                         src_->string(), "-o", (dir / "out.mp4").string()})
                .exit_code,
            4);
}

TEST(Split, MaxAndMinAreHonouredAndShortSourcesRefused) {
  auto dir = scratch_dir();
  SynthSpec s;
  s.duration = 14;
  synthesize((dir / "src.mp4").string(), s);
  auto m = split(dir / "src.mp4", dir / "parts", {"--max", "5", "--min", "3"});
  ASSERT_EQ(m["segments"].size(), 3u);  // evenly: 4.68 + 4.68 + 4.64
  for (const auto& seg : m["segments"]) {
    EXPECT_LE(seg["duration"].get<double>(), 5.0 + 1e-9);
    EXPECT_GE(seg["duration"].get<double>(), 3.0 - 1e-9);
    EXPECT_EQ(seg["cut"] == "end" || seg["cut"] == "even", true);
  }
  EXPECT_EQ(run_omnicut({"split", (dir / "src.mp4").string(), "-o", (dir / "p2").string(), "--max", "12"}).exit_code, 2);
  SynthSpec tiny;
  tiny.duration = 2;
  synthesize((dir / "tiny.mp4").string(), tiny);
  auto r = run_omnicut({"split", (dir / "tiny.mp4").string(), "-o", (dir / "p3").string()});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("shorter than"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "p3" / "manifest.json"));
}

}  // namespace
}  // namespace omnicut::test
