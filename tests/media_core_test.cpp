// The media core (codecs/input.h) on the footage users bring: live recordings whose header gives
// no duration (OBS-style Matroska, a browser's MediaRecorder WebM) and files whose container,
// video and audio start at different times. The truth is the generator's spec and ffprobe's
// packets (an independent reader), never the opener itself.
#include "codecs/input.h"

#include <cmath>
#include <fstream>
#include <iterator>

#include "codecs/header_probe.h"
#include "codecs/probe.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/media_checks.h"
#include "tests/support/synth_clips.h"

namespace omnicut::test {
namespace {

constexpr double kFrame = 1.0 / 30;  // every fixture here is 30 fps

fs::path make(const std::string& name, const SynthSpec& spec) {
  fs::path file = scratch_dir() / name;
  synthesize(file.string(), spec);
  return file;
}

// The same clip written by a seekable, non-live muxer: its header's duration is the truth.
double header_duration_of_twin(const fs::path& live, SynthSpec spec) {
  spec.live = false;
  fs::path twin = live.parent_path() / ("twin-" + live.filename().string());
  synthesize(twin.string(), spec);
  return num(ffprobe(twin)["format"], "duration");
}

// ffprobe's start_time of the first stream of `type` (it applies MP4 edit lists; packets do not).
double start_of(const nlohmann::json& probe, const std::string& type) { return num(stream_of(probe, type), "start_time"); }

size_t count_bytes(const fs::path& file, const std::string& pattern) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  size_t n = 0;
  for (size_t pos = bytes.find(pattern); pos != std::string::npos; pos = bytes.find(pattern, pos + 1)) ++n;
  return n;
}

// Durations within one frame of the spec (video from its start to `duration`, audio likewise,
// its last frame padded by at most one frame) and of the non-live twin's header.
void expect_true_durations(const fs::path& file, const SynthSpec& spec, const av::OpenOptions& options) {
  SCOPED_TRACE(file.filename().string() + (options.quick ? " (quick)" : ""));
  av::OpenedMedia m = av::open_media(file.string(), options);
  ASSERT_TRUE(m.video && m.audio);
  EXPECT_TRUE(m.duration_from_packets);
  EXPECT_NEAR(m.duration, header_duration_of_twin(file, spec), kFrame);
  EXPECT_NEAR(m.stream_duration[m.video->index], spec.duration - spec.video_start, kFrame);
  EXPECT_NEAR(m.stream_duration[m.audio->index], spec.duration - spec.audio[0].start, kFrame);
  EXPECT_NEAR(m.end(), spec.duration - spec.video_start, kFrame);
  // ffprobe agrees on where each stream starts and (by its packets) ends.
  auto j = ffprobe(file);
  PacketSpan v = packet_span(file, "v:0"), a = packet_span(file, "a:0");
  EXPECT_NEAR(m.origin, start_of(j, "video"), 1e-3);
  EXPECT_NEAR(m.stream_start[m.audio->index], start_of(j, "audio") - m.origin, 1e-3);
  EXPECT_NEAR(m.stream_duration[m.video->index], v.length(), kFrame);
  EXPECT_NEAR(m.stream_duration[m.audio->index], a.length(), kFrame);
}

TEST(MediaCore, LiveRecordingsCarryNoDurationAndNoCues) {
  for (auto [name, spec] : {std::pair{"live.mkv", live_mkv(3)}, std::pair{"live.webm", live_webm(3)}}) {
    SCOPED_TRACE(name);
    fs::path file = make(name, spec);
    auto j = ffprobe(file);
    EXPECT_FALSE(j["format"].contains("duration")) << j["format"].dump();
    for (const auto& s : j["streams"]) {
      EXPECT_FALSE(s.contains("duration")) << s.dump();
      EXPECT_FALSE(s.value("tags", nlohmann::json::object()).contains("DURATION")) << s.dump();
    }
    EXPECT_EQ(count_bytes(file, "\x1C\x53\xBB\x6B"), 0u) << "a Cues element";
    EXPECT_GT(header_duration_of_twin(file, spec), 2.9) << "the non-live twin has its duration";
  }
}

TEST(MediaCore, LiveMatroskaDurationsFromPacketsWithinAFrame) {
  SynthSpec spec = live_mkv(35);
  fs::path file = make("live.mkv", spec);
  expect_true_durations(file, spec, {});
  expect_true_durations(file, spec, {.quick = true});
}

TEST(MediaCore, LiveWebmWithLateOpusDurationsWithinAFrame) {
  SynthSpec spec = live_webm(4);
  fs::path file = make("live.webm", spec);
  expect_true_durations(file, spec, {});
  expect_true_durations(file, spec, {.quick = true});
  av::OpenedMedia m = av::open_media(file.string());
  // Opus's first packet starts its pre-skip, a few ms before the first sample it plays.
  EXPECT_NEAR(m.stream_start[m.audio->index], 0.244, 0.02);
}

TEST(MediaCore, ThreeStartsOriginIsTheFirstVideoFrame) {
  for (const char* name : {"three.mp4", "three.mkv"}) {
    SCOPED_TRACE(name);
    SynthSpec spec = three_starts(3);
    fs::path file = make(name, spec);
    auto j = ffprobe(file);
    // Three different starts (Matroska shifts all three by the AAC priming, 21 ms).
    const double container = num(j["format"], "start_time"), video = start_of(j, "video");
    const double audio = num(j["streams"][1], "start_time"), second_audio = num(j["streams"][2], "start_time");
    ASSERT_GT(video - container, 0.06);
    ASSERT_NEAR(audio - video, kThreeStartsAudio - kThreeStartsVideo, 0.025);
    for (bool quick : {false, true}) {
      av::OpenedMedia m = av::open_media(file.string(), {.quick = quick});
      EXPECT_NEAR(m.origin, video, 1e-3);
      EXPECT_NEAR(m.stream_start[m.video->index], 0, 1e-9);
      EXPECT_NEAR(m.stream_start[m.audio->index], audio - video, 1e-3);
      EXPECT_NEAR(m.stream_start[2], second_audio - video, 1e-3);
      EXPECT_NEAR(m.end(), 3 - kThreeStartsVideo, kFrame);
    }
    // probe keeps ffprobe's container-clock starts and adds the origin and the length from it.
    MediaInfo info = probe(file.string());
    EXPECT_NEAR(info.start, num(j["format"], "start_time"), 1.5e-3);
    ASSERT_TRUE(info.video);
    EXPECT_NEAR(info.video->start, video, 1e-3);
    ASSERT_EQ(info.audio.size(), 2u);
    EXPECT_NEAR(info.audio[0].start, audio, 1e-3);
    EXPECT_NEAR(info.origin, video, 1e-3);
    EXPECT_NEAR(info.length, 3 - kThreeStartsVideo, kFrame);
    EXPECT_LT(info.length, info.duration - 0.05) << "the container's duration counts from the earlier audio";
  }
}

TEST(MediaCore, AudioBeforeVideoLiesBeforeZero) {
  fs::path file = make("audio-first.mp4", audio_first(2));
  av::OpenedMedia m = av::open_media(file.string());
  auto j = ffprobe(file);
  EXPECT_NEAR(m.origin, start_of(j, "video"), 1e-3);
  EXPECT_NEAR(m.origin, 0.3, 0.02);
  EXPECT_NEAR(m.stream_start[m.audio->index], start_of(j, "audio") - m.origin, 1e-3);
  EXPECT_LT(m.stream_start[m.audio->index], -0.25);
  EXPECT_NEAR(m.end(), 2 - 0.3, kFrame);
}

TEST(MediaCore, HeaderProbeMeasuresOnlyWhatTheHeaderLacks) {
  SynthSpec spec = live_mkv(6);
  fs::path live = make("live.mkv", spec);
  MediaInfo info = probe_headers(live.string());
  EXPECT_TRUE(info.duration_from_packets);
  EXPECT_NEAR(info.duration, 6, kFrame);
  ASSERT_TRUE(info.video);
  EXPECT_NEAR(info.length, 6, kFrame);
  // A Matroska file with its Duration: nothing is read beyond the header.
  spec.live = false;
  fs::path normal = make("normal.mkv", spec);
  MediaInfo header = probe_headers(normal.string());
  EXPECT_FALSE(header.duration_from_packets);
  EXPECT_NEAR(header.duration, num(ffprobe(normal)["format"], "duration"), 1e-3);
}

TEST(MediaCore, EditLocalOnALiveWebmKeepsItsLengthAndSync) {
  auto dir = scratch_dir();
  SynthSpec spec = live_webm(4);
  spec.audio[0].tone_hz = 0;
  spec.beeps = {2.0};
  spec.flashes = {2.0};
  fs::path src = dir / "recording.webm", out = dir / "edited.mp4";
  synthesize(src.string(), spec);
  auto r = run_omnicut({"edit", src.string(), "-o", out.string(), "--local", "--yes", "--poll-interval", "0.05",
                        "-p", "Make it night.", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = ffprobe(out);
  EXPECT_NEAR(num(stream_of(j, "video"), "duration"), 4.0, kFrame);
  EXPECT_NEAR(beep_onset(out), 2.0, 0.01) << "the source's beep at 2.0 s";
}

}  // namespace
}  // namespace omnicut::test
