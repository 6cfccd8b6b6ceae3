// transcode(): prep's engine, graded on the files it writes, decoded by the ffmpeg CLI.
#include "codecs/transcode.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "codecs/testing/synth.h"
#include "common/error.h"
#include "common/interrupt.h"
#include "tests/support/media_checks.h"
#include "tests/support/synth_clips.h"

namespace omnicut::test {
namespace {

TranscodeSpec spec_for(const fs::path& in, const fs::path& out) {
  TranscodeSpec t;
  t.input = in.string();
  t.output = out.string();
  t.video_stream = 0;
  t.audio_stream = 1;
  t.fps = {25, 1};
  t.preset = "ultrafast";
  t.geometry.scale_width = 1280;
  t.geometry.scale_height = 720;
  t.geometry.out_width = 1280;
  t.geometry.out_height = 720;
  return t;
}

TEST(Transcode, TrimIsFrameAndSampleAccurateWithAudioInSync) {
  auto dir = scratch_dir();
  auto spec = clip(6.0, 320, 240);
  spec.flashes = {1.0};
  spec.beeps = {2.5};
  synthesize((dir / "in.mp4").string(), spec);
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  t.start = 1.0;
  t.end = 4.0;
  t.geometry.scale_width = 960;  // 4:3 pillarboxed into 16:9
  auto r = transcode(t);
  EXPECT_EQ(r.video_frames, 75);
  expect_endpoint_ready(dir / "out.mp4", 1280, 720);

  auto frames = probe_frames(dir / "out.mp4", "v:0");
  EXPECT_EQ(frames.size(), 75u);
  auto pictures = decode_pictures(dir / "out.mp4", 1280, 720, 2);
  ASSERT_EQ(pictures.size(), 2u);
  // The flash at 1.0 s is the first picture (its centre: the sides are the black pad).
  EXPECT_GT(pictures[0].mean(pictures[0].y, 400, 100, 880, 600), 200) << "first frame is not the source's 1.0 s";
  EXPECT_LT(pictures[1].mean(pictures[1].y, 400, 100, 880, 600), 200);
  EXPECT_LT(pictures[0].mean(pictures[0].y, 0, 0, 150, 720), 20) << "pillarbox bars are black";

  auto probe = ffprobe(dir / "out.mp4");
  const auto& a = stream_of(probe, "audio");
  ASSERT_FALSE(a.is_null());
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["profile"], "LC");
  EXPECT_EQ(a["sample_rate"], "48000");
  EXPECT_EQ(a["channels"], 2);
  EXPECT_NEAR(num(a, "start_time"), 0.0, 1e-6);
  const auto& v = stream_of(probe, "video");
  EXPECT_LT(std::abs(num(a, "duration") - num(v, "duration")), 1.0 / 25);
  EXPECT_NEAR(num(a, "duration"), 3.0, 0.001);

  auto samples = decode_audio(dir / "out.mp4");
  // The last AAC frame is padded to 1024 samples; the MP4's edit list (checked above through
  // ffprobe's duration) says where the audio really ends, which ffmpeg 5.1's decoder ignores.
  EXPECT_GE(samples.size(), 144000u);
  EXPECT_LT(samples.size(), 144000u + 1024u);
  int64_t beep = first_loud_sample(samples, 0.5f);
  ASSERT_GE(beep, 0);
  EXPECT_NEAR(beep / 48000.0, 1.5, 0.002) << "the beep at 2.5 s must be at 1.5 s";
}

TEST(Transcode, StartBetweenKeyframesWithBFramesShowsTheExactFrame) {
  auto dir = scratch_dir();
  auto spec = clip(3.0, 320, 240);
  spec.preset = "veryfast";  // B-frames, unlike ultrafast
  spec.keyframe_interval = 2.0;
  spec.flashes = {1.48};
  synthesize((dir / "in.mp4").string(), spec);
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  t.start = 1.48;
  t.end = 2.48;
  auto r = transcode(t);
  EXPECT_EQ(r.video_frames, 25);
  auto pictures = decode_pictures(dir / "out.mp4", 1280, 720, 2);
  ASSERT_EQ(pictures.size(), 2u);
  EXPECT_GT(pictures[0].mean_y(), 200) << "first frame is not the source's 1.48 s";
  EXPECT_LT(pictures[1].mean_y(), 200);
}

TEST(Transcode, RotationIsAppliedAndLeavesNoDisplayMatrix) {
  auto dir = scratch_dir();
  for (bool mirrored : {false, true}) {
    auto spec = clip(1.0, 320, 180);
    spec.rotation = 90;
    spec.mirrored = mirrored;
    spec.audio.clear();
    synthesize((dir / "in.mp4").string(), spec);
    auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
    t.audio_stream = -1;
    t.geometry.rotation = 90;
    t.geometry.mirrored = mirrored;
    t.geometry.scale_width = t.geometry.out_width = 720;
    t.geometry.scale_height = t.geometry.out_height = 1280;
    transcode(t);
    expect_endpoint_ready(dir / "out.mp4", 720, 1280);
    EXPECT_TRUE(stream_of(ffprobe(dir / "out.mp4"), "audio").is_null());
    // The source's U grows to the right (its x axis); turned clockwise, its x axis runs down
    // the picture, and a mirror first makes it run up.
    auto p = decode_pictures(dir / "out.mp4", 720, 1280, 1).at(0);
    double top = p.mean(p.u, 0, 0, 360, 100), bottom = p.mean(p.u, 0, 540, 360, 640);
    if (mirrored) EXPECT_GT(top, bottom + 10) << "mirrored then rotated";
    else EXPECT_LT(top + 10, bottom) << "rotated clockwise";
  }
}

TEST(Transcode, VariableFrameRateBecomesConstantWithoutDrift) {
  auto dir = scratch_dir();
  auto spec = clip(4.0, 320, 180);
  spec.vfr = true;
  synthesize((dir / "in.mp4").string(), spec);
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  t.fps = {30, 1};
  auto r = transcode(t);
  expect_endpoint_ready(dir / "out.mp4", 1280, 720);
  auto probe = ffprobe(dir / "out.mp4");
  EXPECT_NEAR(r.video_frames / 30.0, 4.0, 0.1);
  EXPECT_LT(std::abs(num(stream_of(probe, "audio"), "duration") - num(stream_of(probe, "video"), "duration")), 1.0 / 30);
}

// A PQ patch of 1000 nits (signal 0.7518), ten times SDR's 100-nit white: tone mapping must
// bring it to near SDR white, where a plain 10- to 8-bit conversion leaves its code value, mid-grey.
TEST(Transcode, TenBitHdrIsToneMappedTo8BitBt709) {
  auto dir = scratch_dir();
  auto spec = clip(1.0, 320, 180);
  spec.bit_depth = 10;
  spec.color_transfer = "smpte2084";
  spec.flashes = {0.0};
  spec.flash_level = 0.7518;
  spec.audio.clear();
  synthesize((dir / "in.mkv").string(), spec);
  double luma[2];
  for (bool tonemap : {true, false}) {
    auto t = spec_for(dir / "in.mkv", dir / "out.mp4");
    t.audio_stream = -1;
    t.tonemap = tonemap;
    transcode(t);
    expect_endpoint_ready(dir / "out.mp4", 1280, 720);
    luma[tonemap] = decode_pictures(dir / "out.mp4", 1280, 720, 1).at(0).mean_y();
  }
  EXPECT_GT(luma[true], 200) << "the 1000-nit patch must come out near SDR white (235)";
  EXPECT_NEAR(luma[false], 16 + 0.7518 * 219, 4) << "without tone mapping the PQ code value passes through";
  EXPECT_GT(luma[true] - luma[false], 15);
}

// Container, video and audio starting at different times: the range is measured from the first
// video frame, and the audio keeps its place against it (flash and beep mark the same instant).
TEST(Transcode, ThreeStartsKeepSyncFromTheFirstVideoFrame) {
  auto dir = scratch_dir();
  synthesize((dir / "in.mp4").string(), three_starts(3.0));
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  t.fps = {30, 1};
  auto r = transcode(t);
  const double mark = kThreeStartsMark - kThreeStartsVideo;
  EXPECT_NEAR(r.video_duration, 3.0 - kThreeStartsVideo, 1.0 / 30);
  expect_endpoint_ready(dir / "out.mp4", 1280, 720);
  EXPECT_NEAR(flash_time(dir / "out.mp4", 1280, 720), mark, 1.0 / 30);
  EXPECT_NEAR(first_loud_sample(decode_audio(dir / "out.mp4"), 0.5f) / 48000.0, mark, 0.002);
}

TEST(Transcode, FullRangeSourceBecomesLimitedRange) {
  auto dir = scratch_dir();
  auto spec = clip(1.0, 320, 180);
  spec.full_range = true;
  spec.flashes = {0.0};
  synthesize((dir / "in.mp4").string(), spec);
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  transcode(t);
  expect_endpoint_ready(dir / "out.mp4", 1280, 720);
  auto p = decode_pictures(dir / "out.mp4", 1280, 720, 1).at(0);
  EXPECT_NEAR(p.mean_y(), 235, 3) << "full-range white must land on limited-range white";
}

TEST(Transcode, CopyPathWritesTheSourcePacketsUnchanged) {
  auto dir = scratch_dir();
  auto spec = clip(5.0, 1280, 720);
  spec.keyframe_interval = 1.0;
  synthesize((dir / "in.mp4").string(), spec);
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  t.copy_video = t.copy_audio = true;
  t.start = 1.0;
  t.end = 4.0;
  auto r = transcode(t);
  EXPECT_TRUE(r.video_copied);
  EXPECT_TRUE(r.audio_copied);
  auto atoms = top_level_atoms(dir / "out.mp4");
  EXPECT_LT(std::find(atoms.begin(), atoms.end(), "moov") - atoms.begin(),
            std::find(atoms.begin(), atoms.end(), "mdat") - atoms.begin());
  auto src = packet_hashes(dir / "in.mp4", "v:0"), out = packet_hashes(dir / "out.mp4", "v:0");
  ASSERT_EQ(out.size(), 75u);
  auto at = std::search(src.begin(), src.end(), out.begin(), out.end());
  EXPECT_NE(at, src.end()) << "copied packets differ from the source's";
  EXPECT_EQ(at - src.begin(), 25) << "the copy starts on the keyframe at 1.0 s";
  auto asrc = packet_hashes(dir / "in.mp4", "a:0"), aout = packet_hashes(dir / "out.mp4", "a:0");
  ASSERT_FALSE(aout.empty());
  EXPECT_NE(std::search(asrc.begin(), asrc.end(), aout.begin(), aout.end()), asrc.end());
  EXPECT_NEAR(r.video_duration, 3.0, 0.001);
}

TEST(Transcode, InterruptLeavesNoOutputAndNoTemporaryFile) {
  auto dir = scratch_dir();
  synthesize((dir / "in.mp4").string(), clip(2.0, 320, 240));
  auto before = file_md5(dir / "in.mp4");
  auto t = spec_for(dir / "in.mp4", dir / "out.mp4");
  int calls = 0;
  t.progress = [&](double, double) {
    if (++calls == 2) interrupt_count() = 1;
  };
  try {
    transcode(t);
    ADD_FAILURE() << "expected an interruption";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::interrupted);
  }
  interrupt_count() = 0;
  EXPECT_GE(calls, 2);
  int files = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1) << "only in.mp4 may remain";
  EXPECT_EQ(file_md5(dir / "in.mp4"), before);
}

TEST(Transcode, BadInputFailsWithItsKindAndNoOutput) {
  auto dir = scratch_dir();
  auto t = spec_for(dir / "missing.mp4", dir / "out.mp4");
  try {
    transcode(t);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
    EXPECT_NE(std::string(e.what()).find("missing.mp4"), std::string::npos);
  }
  std::ofstream(dir / "text.mp4") << "hello, not a video\n";
  t.input = (dir / "text.mp4").string();
  EXPECT_THROW(transcode(t), Error);
  EXPECT_FALSE(fs::exists(dir / "out.mp4"));
}

TEST(Transcode, InputIsNeverModified) {
  auto dir = scratch_dir();
  synthesize((dir / "in.mp4").string(), clip(2.0, 320, 240));
  auto before = file_md5(dir / "in.mp4");
  auto r = transcode(spec_for(dir / "in.mp4", dir / "out.mp4"));
  EXPECT_EQ(file_md5(dir / "in.mp4"), before);
  EXPECT_NEAR(r.audio_duration, r.video_duration, 1.0 / 25);
}

}  // namespace
}  // namespace omnicut::test
