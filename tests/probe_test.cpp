// probe on generated fixtures: each property is set by the generator and read back.
#include <fstream>

#include "codecs/probe.h"
#include "codecs/testing/synth.h"
#include "tests/support/synth_clips.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

using test::fs::path;

path make(const std::string& name, const SynthSpec& spec) {
  path file = test::scratch_dir() / name;
  synthesize(file.string(), spec);
  return file;
}

SynthSpec small(double duration = 1.0) {
  SynthSpec s;
  s.duration = duration;
  s.width = 160;
  s.height = 96;
  return s;
}

// Replaces every occurrence of a four-character code, making FFmpeg see an unknown codec.
void patch_fourcc(const path& file, const std::string& from, const std::string& to) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  for (size_t pos = bytes.find(from); pos != std::string::npos; pos = bytes.find(from, pos + 1)) {
    f.seekp(static_cast<std::streamoff>(pos));
    f.write(to.data(), 4);
  }
}

TEST(Probe, ReadsContainerVideoAndAudio) {
  SynthSpec spec = small(2.0);
  spec.audio = {SynthAudio{}};
  path file = make("basic.mp4", spec);
  MediaInfo info = probe(file.string());
  EXPECT_EQ(info.path, file.string());
  EXPECT_NE(info.container.find("mp4"), std::string::npos);
  EXPECT_EQ(info.size, test::fs::file_size(file));
  EXPECT_NEAR(info.duration, 2.0, 0.05);
  EXPECT_EQ(info.stream_count, 2);
  ASSERT_TRUE(info.video);
  const VideoInfo& v = *info.video;
  EXPECT_EQ(v.index, 0);
  EXPECT_EQ(v.codec, "h264");
  EXPECT_FALSE(v.profile.empty());
  EXPECT_TRUE(v.decodable);
  EXPECT_EQ(v.width, 160);
  EXPECT_EQ(v.height, 96);
  EXPECT_EQ(v.sar, (Rational{1, 1}));
  EXPECT_EQ(v.rotation, 0);
  EXPECT_FALSE(v.mirrored);
  EXPECT_EQ(v.display_width, 160);
  EXPECT_EQ(v.display_height, 96);
  EXPECT_DOUBLE_EQ(v.fps, 25.0);
  EXPECT_FALSE(v.vfr);
  EXPECT_EQ(v.pix_fmt, "yuv420p");
  EXPECT_EQ(v.bit_depth, 8);
  EXPECT_NE(v.color_range, "pc");  // limited range; x264 leaves it unsignalled ("unknown")
  EXPECT_FALSE(v.hdr);
  ASSERT_EQ(info.audio.size(), 1u);
  const AudioInfo& a = info.audio[0];
  EXPECT_EQ(a.index, 1);
  EXPECT_EQ(a.codec, "aac");
  EXPECT_TRUE(a.decodable);
  EXPECT_EQ(a.sample_rate, 48000);
  EXPECT_EQ(a.channels, 2);
  EXPECT_EQ(a.layout, "stereo");
}

struct Orientation {
  int rotation;
  bool mirrored;
};

class ProbeOrientation : public ::testing::TestWithParam<Orientation> {};

TEST_P(ProbeOrientation, ReportsTheSynthesizedRotationAndMirror) {
  SynthSpec spec = small(0.4);
  spec.rotation = GetParam().rotation;
  spec.mirrored = GetParam().mirrored;
  MediaInfo info = probe(make("turn.mp4", spec).string());
  ASSERT_TRUE(info.video);
  EXPECT_EQ(info.video->rotation, spec.rotation);
  EXPECT_EQ(info.video->mirrored, spec.mirrored);
  bool quarter = spec.rotation % 180 != 0;
  EXPECT_EQ(info.video->display_width, quarter ? 96 : 160);
  EXPECT_EQ(info.video->display_height, quarter ? 160 : 96);
}

INSTANTIATE_TEST_SUITE_P(AllEight, ProbeOrientation,
                         ::testing::Values(Orientation{0, false}, Orientation{90, false}, Orientation{180, false},
                                           Orientation{270, false}, Orientation{0, true}, Orientation{90, true},
                                           Orientation{180, true}, Orientation{270, true}),
                         [](const auto& info) {
                           return "r" + std::to_string(info.param.rotation) + (info.param.mirrored ? "_mirrored" : "");
                         });

TEST(Probe, AnamorphicPixelsWidenTheDisplay) {
  SynthSpec spec = small(0.4);
  spec.width = 320, spec.height = 180, spec.sar = {2, 1};
  MediaInfo info = probe(make("sar.mp4", spec).string());
  EXPECT_EQ(info.video->sar, (Rational{2, 1}));
  EXPECT_EQ(info.video->display_width, 640);
  EXPECT_EQ(info.video->display_height, 180);
}

TEST(Probe, SarAndRotationTogether) {
  SynthSpec spec = small(0.4);
  spec.width = 320, spec.height = 180, spec.sar = {4, 3}, spec.rotation = 90;
  MediaInfo info = probe(make("sar-rot.mp4", spec).string());
  EXPECT_EQ(info.video->display_width, 180);
  EXPECT_EQ(info.video->display_height, 427);
}

TEST(Probe, VariableFrameRateFromTimestamps) {
  SynthSpec spec = small(3.0);
  spec.vfr = true;
  MediaInfo info = probe(make("vfr.mp4", spec).string());
  EXPECT_TRUE(info.video->vfr);
  EXPECT_NEAR(info.video->fps, 25.0 / 1.5, 0.3);  // alternating 1 and 2 frame durations
  EXPECT_NEAR(info.video->peak_fps, 25.0, 0.01);
}

TEST(Probe, VariableFrameRateInMatroska) {
  SynthSpec spec = small(3.0);
  spec.vfr = true;
  MediaInfo info = probe(make("vfr.mkv", spec).string());
  EXPECT_TRUE(info.video->vfr);
}

TEST(Probe, ConstantRateSurvivesMillisecondRounding) {
  // 30000/1001 in Matroska's 1 ms time base: frame gaps of 33 and 34 ms are still constant.
  SynthSpec spec = small(3.0);
  spec.fps = {30000, 1001};
  for (const char* name : {"ntsc.mkv", "ntsc.mp4"}) {
    MediaInfo info = probe(make(name, spec).string());
    EXPECT_FALSE(info.video->vfr) << name;
    EXPECT_NEAR(info.video->fps, 29.97, 0.01) << name;
  }
}

TEST(Probe, HighFrameRateMeasured) {
  SynthSpec spec = small(2.0);
  spec.fps = {60, 1};
  MediaInfo info = probe(make("60.mp4", spec).string());
  EXPECT_DOUBLE_EQ(info.video->fps, 60.0);
  EXPECT_FALSE(info.video->vfr);
}

TEST(Probe, TenBit) {
  SynthSpec spec = small(0.4);
  spec.bit_depth = 10;
  MediaInfo info = probe(make("10bit.mp4", spec).string());
  EXPECT_EQ(info.video->pix_fmt, "yuv420p10le");
  EXPECT_EQ(info.video->bit_depth, 10);
  EXPECT_EQ(info.video->profile, "High 10");
}

TEST(Probe, HdrTransfers) {
  for (std::string trc : {"smpte2084", "arib-std-b67"}) {
    SynthSpec spec = small(0.4);
    spec.bit_depth = 10;
    spec.color_transfer = trc;
    MediaInfo info = probe(make(trc + ".mp4", spec).string());
    EXPECT_EQ(info.video->color_transfer, trc);
    EXPECT_TRUE(info.video->hdr) << trc;
  }
  SynthSpec sdr = small(0.4);
  sdr.color_transfer = "bt709";
  EXPECT_FALSE(probe(make("sdr.mp4", sdr).string()).video->hdr);
}

TEST(Probe, FullRange) {
  SynthSpec spec = small(0.4);
  spec.full_range = true;
  EXPECT_EQ(probe(make("full.mp4", spec).string()).video->color_range, "pc");
}

TEST(Probe, AudioTracksLanguagesAndOffsets) {
  SynthSpec spec = small(2.0);
  spec.audio = {SynthAudio{.codec = "aac", .sample_rate = 48000, .channels = 2, .language = "eng"},
                SynthAudio{.codec = "pcm_s16le", .sample_rate = 44100, .channels = 1, .start = 0.5, .language = "fra"}};
  MediaInfo info = probe(make("tracks.mkv", spec).string());
  ASSERT_EQ(info.audio.size(), 2u);
  EXPECT_EQ(info.audio[0].language, "eng");
  EXPECT_EQ(info.audio[1].language, "fra");
  EXPECT_EQ(info.audio[1].codec, "pcm_s16le");
  EXPECT_EQ(info.audio[1].sample_rate, 44100);
  EXPECT_EQ(info.audio[1].channels, 1);
  EXPECT_EQ(info.audio[1].layout, "mono");
  // Matroska shifts every stream by the AAC priming (1024 samples, shown before the picture);
  // the PCM track (no priming) keeps its 0.5 s offset from the picture.
  EXPECT_NEAR(info.video->start - info.audio[0].start, 1024.0 / 48000, 0.002);
  EXPECT_NEAR(info.audio[1].start - info.video->start, 0.5, 0.002);
}

// Live recordings' headers give no duration: probe measures it (within a frame of the truth),
// and the verdict is about the real length, not "0.00 s is shorter than the minimum".
TEST(Probe, LiveRecordingsReportTheirTrueLength) {
  for (auto [name, spec] : {std::pair{"obs.mkv", test::live_mkv(35)}, std::pair{"browser.webm", test::live_webm(4)}}) {
    SCOPED_TRACE(name);
    path file = make(name, spec);
    MediaInfo info = probe(file.string());
    EXPECT_TRUE(info.duration_from_packets);
    EXPECT_NEAR(info.duration, spec.duration, 1.0 / 30);
    EXPECT_NEAR(info.length, spec.duration, 1.0 / 30);
    ASSERT_TRUE(info.video);
    EXPECT_NEAR(info.video->duration, spec.duration, 1.0 / 30);
    ASSERT_EQ(info.audio.size(), 1u);
    EXPECT_NEAR(info.audio[0].start + info.audio[0].duration, spec.duration, 1.0 / 30);
    EXPECT_NEAR(info.video->fps, 30, 0.01);

    auto r = test::run_omnicut({"probe", file.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out).at(0);
    EXPECT_NE(j["verdict"], "unusable") << j.dump();
    EXPECT_TRUE(j["reason"].is_null()) << j.dump();
    EXPECT_NEAR(j["duration"].get<double>(), spec.duration, 1.0 / 30);
    EXPECT_EQ(j["duration_from_packets"], true);
  }
}

TEST(Probe, AudioOnly) {
  SynthSpec spec = small(1.0);
  spec.video = false;
  spec.audio = {SynthAudio{}};
  MediaInfo info = probe(make("audio.m4a", spec).string());
  EXPECT_FALSE(info.video);
  ASSERT_EQ(info.audio.size(), 1u);
  EXPECT_EQ(info.stream_count, 1);
}

TEST(Probe, UndecodableAudioTrack) {
  SynthSpec spec = small(1.0);
  spec.audio = {SynthAudio{}};
  path file = make("odd-audio.mp4", spec);
  patch_fourcc(file, "mp4a", "zzza");
  patch_fourcc(file, "esds", "zzzz");  // else the decoder config still names AAC
  MediaInfo info = probe(file.string());
  ASSERT_EQ(info.audio.size(), 1u);
  EXPECT_FALSE(info.audio[0].decodable);
  EXPECT_TRUE(info.video->decodable);
}

TEST(Probe, UndecodableVideoTrack) {
  path file = make("odd-video.mp4", small(1.0));
  patch_fourcc(file, "avc1", "zzzv");
  MediaInfo info = probe(file.string());
  ASSERT_TRUE(info.video);
  EXPECT_FALSE(info.video->decodable);
  EXPECT_EQ(info.video->codec, "unknown");
}

TEST(Probe, OtherCodecsAndContainers) {
  SynthSpec spec = small(1.0);
  spec.video_codec = "mpeg4";
  SynthAudio mp2;
  mp2.codec = "mp2";
  mp2.sample_rate = 44100;
  spec.audio = {mp2};
  MediaInfo info = probe(make("old.avi", spec).string());
  EXPECT_EQ(info.container, "avi");
  EXPECT_EQ(info.video->codec, "mpeg4");
  EXPECT_EQ(info.audio.at(0).codec, "mp2");
}

TEST(Probe, SharedMediaOrientation) {
  OMNICUT_REQUIRE_SHARED_MEDIA(media);
  MediaInfo flip = probe((media / "orientation-hflip.mov").string());
  EXPECT_EQ(flip.video->rotation, 0);
  EXPECT_TRUE(flip.video->mirrored);
  MediaInfo cw = probe((media / "orientation.mov").string());  // ffprobe: rotation -90 (counter-clockwise)
  EXPECT_EQ(cw.video->rotation, 90);
  EXPECT_FALSE(cw.video->mirrored);
  EXPECT_EQ(cw.video->display_width, 160);
  EXPECT_EQ(cw.video->display_height, 120);
  EXPECT_EQ(probe((media / "orientation-90.mov").string()).video->rotation, 270);
}

TEST(Probe, SharedMediaPeculiarities) {
  OMNICUT_REQUIRE_SHARED_MEDIA(media);
  MediaInfo sar = probe((media / "sar_2x1.mp4").string());
  EXPECT_EQ(sar.video->sar, (Rational{2, 1}));
  EXPECT_EQ(sar.video->display_width, 1280);
  MediaInfo secondary = probe((media / "unsupported-secondary-audio.mov").string());
  ASSERT_EQ(secondary.audio.size(), 2u);
  EXPECT_TRUE(secondary.audio[0].decodable);
  EXPECT_FALSE(secondary.audio[1].decodable);
  EXPECT_EQ(secondary.video->bit_depth, 10);
  MediaInfo full = probe((media / "video.mp4").string());
  EXPECT_EQ(full.video->color_range, "pc");
  MediaInfo none = probe((media / "multiple-aac-tracks.mp4").string());
  EXPECT_FALSE(none.video);
  EXPECT_EQ(none.audio.size(), 2u);
  MediaInfo hd = probe((media / "sample-6-ac.mkv").string());
  EXPECT_DOUBLE_EQ(hd.video->fps, 30.0);
  EXPECT_LT(hd.start, 0);
}

}  // namespace
}  // namespace omnicut

namespace omnicut {
namespace {

// Cover art (an attached picture) is not the video: a song with a cover is audio only. The ffmpeg
// CLI adds the cover because the generator has no notion of it.
TEST(Probe, CoverArtIsNotVideo) {
  path dir = test::scratch_dir();
  SynthSpec song = small(1.0);
  song.video = false;
  song.audio = {SynthAudio{}};
  synthesize((dir / "song.m4a").string(), song);
  auto made = test::run_program("ffmpeg", {"-v", "error", "-y", "-f", "lavfi", "-i", "color=red:s=64x64", "-frames:v", "1",
                                           (dir / "cover.png").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  made = test::run_program("ffmpeg", {"-v", "error", "-y", "-i", (dir / "song.m4a").string(), "-i", (dir / "cover.png").string(),
                                      "-map", "0", "-map", "1", "-c", "copy", "-disposition:v:0", "attached_pic",
                                      (dir / "with-cover.mp4").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  MediaInfo info = probe((dir / "with-cover.mp4").string());
  EXPECT_EQ(info.stream_count, 2);
  EXPECT_FALSE(info.video);
  EXPECT_EQ(info.audio.size(), 1u);
}

}  // namespace
}  // namespace omnicut
