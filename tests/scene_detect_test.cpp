// Scene cuts and keyframe times are seconds after the origin (codecs/input.h), the first video
// frame, also when the video starts after the container's zero (an audio track from 0, video
// from 0.52 s): ffprobe's packet times, less the video's start, are the oracle for keyframes.
#include <cmath>

#include "codecs/keyframes.h"
#include "codecs/scene_detect.h"
#include "codecs/testing/synth.h"
#include "tests/support/media_checks.h"
#include "tests/support/test_support.h"

namespace omnicut::test {
namespace {

constexpr double kVideoStart = 0.52;  // off the keyframe grid, so a wrong origin shows
constexpr double kFlash = kVideoStart + 2.0;  // the 51st frame, file clock

SynthSpec late_video() {
  SynthSpec s;
  s.duration = 6;
  s.video_start = kVideoStart;
  s.keyframe_interval = 1;
  s.flashes = {kFlash - 0.02};  // half a frame early: synth flashes the first frame from there
  s.audio = {SynthAudio{}};
  return s;
}

struct VideoPackets {
  double start = 0;                // the first presentation time, file clock
  std::vector<double> keyframes;   // seconds after it
};

VideoPackets video_packets(const fs::path& clip) {
  VideoPackets v;
  auto packets = probe_packets(clip, "v:0");
  v.start = INFINITY;
  for (const auto& p : packets) v.start = std::min(v.start, num(p, "pts_time"));
  for (const auto& p : packets)
    if (p["flags"].get<std::string>().find('K') != std::string::npos) v.keyframes.push_back(num(p, "pts_time") - v.start);
  return v;
}

class LateVideo : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    clip_ = scratch_dir() / (std::string("late.") + GetParam());
    synthesize(clip_.string(), late_video());
    packets_ = video_packets(clip_);
    ASSERT_NEAR(packets_.start, kVideoStart, 0.03) << "the fixture's video should start late";
    ASSERT_GE(packets_.keyframes.size(), 4u);
  }
  fs::path clip_;
  VideoPackets packets_;
};

TEST_P(LateVideo, SceneCutsAreAfterTheFirstFrame) {
  SceneScan scan = scan_scenes(clip_.string());
  ASSERT_FALSE(scan.frame_times.empty());
  EXPECT_NEAR(scan.frame_times.front(), 0, 1e-6);
  ASSERT_FALSE(scan.scene_changes.empty());
  // The muxer may shift the whole file (Matroska lifts AAC's priming to zero), never the flash's
  // distance from the first picture.
  EXPECT_NEAR(scan.scene_changes.front(), kFlash - kVideoStart, 1e-3) << "the flash starts a scene";
  EXPECT_NEAR(scan.end, 6 - kVideoStart, 0.05);
}

TEST_P(LateVideo, KeyframeTimesAreAfterTheFirstFrame) {
  const auto probe = ffprobe(clip_);
  const int video = stream_of(probe, "video")["index"], audio = stream_of(probe, "audio")["index"];
  const double k2 = packets_.keyframes[2], k3 = packets_.keyframes[3];
  CutPoints on = find_cut_points(clip_.string(), video, audio, k2, k3);
  EXPECT_TRUE(on.start_on_keyframe);
  EXPECT_TRUE(on.end_on_keyframe);
  EXPECT_NEAR(on.keyframe_before, k2, 1e-3);

  CutPoints off = find_cut_points(clip_.string(), video, audio, k2 + 0.3, k3 + 0.3);
  EXPECT_FALSE(off.start_on_keyframe);
  EXPECT_FALSE(off.end_on_keyframe);
  EXPECT_NEAR(off.keyframe_before, k2, 1e-3);
  ASSERT_TRUE(off.keyframe_after);
  EXPECT_NEAR(*off.keyframe_after, k3, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Containers, LateVideo, ::testing::Values("mp4", "mkv"));

}  // namespace
}  // namespace omnicut::test
