// Differential test: probe and ffprobe agree on duration, size, streams, codecs and picture
// properties, on generated fixtures and on every file in ../shared/media.
#include <cmath>
#include <cstdlib>

#include "codecs/probe.h"
#include "codecs/testing/synth.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

using nlohmann::json;
using test::fs::path;

double number(const json& j, const char* key, double fallback = NAN) {
  if (!j.contains(key)) return fallback;
  const json& v = j[key];
  return v.is_string() ? std::atof(v.get<std::string>().c_str()) : v.get<double>();
}

bool is_cover_art(const json& s) { return s.value("disposition", json::object()).value("attached_pic", 0) == 1; }

// ffprobe's side-data rotation is counter-clockwise; probe's is clockwise after undoing a mirror.
void expect_same_orientation(const VideoInfo& v, const json& stream, const std::string& where) {
  double ccw = 0;
  for (const auto& sd : stream.value("side_data_list", json::array()))
    if (sd.contains("rotation")) ccw = number(sd, "rotation");
  if (v.mirrored) return;  // ffprobe reads a mirror as a rotation (-180 for a plain flip)
  int expected = ((static_cast<int>(std::lround(-ccw)) % 360) + 360) % 360;
  EXPECT_EQ(v.rotation, expected) << where;
}

void compare_with_ffprobe(const path& file) {
  SCOPED_TRACE(file.string());
  MediaInfo info = probe(file.string());
  json ref = test::ffprobe(file);
  const json& format = ref["format"];
  EXPECT_EQ(info.size, static_cast<uint64_t>(number(format, "size")));
  EXPECT_EQ(info.container, format["format_name"].get<std::string>());
  EXPECT_NEAR(info.duration, number(format, "duration", 0), 0.0015);
  EXPECT_NEAR(info.start, number(format, "start_time", 0), 0.0015);
  const json& streams = ref["streams"];
  EXPECT_EQ(info.stream_count, static_cast<int>(streams.size()));
  std::vector<json> video, audio;
  for (const auto& s : streams) {
    if (s["codec_type"] == "video" && !is_cover_art(s)) video.push_back(s);
    if (s["codec_type"] == "audio") audio.push_back(s);
  }
  ASSERT_EQ(info.video.has_value(), !video.empty());
  if (info.video) {
    const VideoInfo& v = *info.video;
    const json& s = video.front();
    EXPECT_EQ(v.index, s["index"].get<int>());
    EXPECT_EQ(v.codec, s.value("codec_name", "unknown"));
    EXPECT_EQ(v.width, s.value("width", 0));
    EXPECT_EQ(v.height, s.value("height", 0));
    if (s.contains("pix_fmt")) {
      EXPECT_EQ(v.pix_fmt, s["pix_fmt"].get<std::string>());
    }
    if (s.contains("sample_aspect_ratio") && s["sample_aspect_ratio"] != "0:1" && s["sample_aspect_ratio"] != "N/A") {
      EXPECT_EQ(std::to_string(v.sar.num) + ":" + std::to_string(v.sar.den), s["sample_aspect_ratio"].get<std::string>());
    }
    if (s.contains("profile")) {
      EXPECT_EQ(v.profile, s["profile"].get<std::string>());
    }
    if (s.contains("color_transfer")) {
      EXPECT_EQ(v.color_transfer, s["color_transfer"].get<std::string>());
    }
    if (s.contains("duration")) {
      EXPECT_NEAR(v.duration, number(s, "duration"), 0.0015);
    }
    if (s.contains("start_time")) {
      EXPECT_NEAR(v.start, number(s, "start_time"), 0.0015);
    }
    expect_same_orientation(v, s, file.string());
    // Constant-rate streams: the measured rate is ffprobe's average rate (where ffprobe reads it
    // from timestamps: for AVI and MPEG-TS it reports the time base, 50 for the fixtures' 1/50).
    bool timestamped = info.container.find("mp4") != std::string::npos || info.container.find("matroska") != std::string::npos;
    double avg = 0;
    if (auto r = s.value("avg_frame_rate", "0/0"); r != "0/0") avg = std::atof(r.c_str()) / std::atof(r.substr(r.find('/') + 1).c_str());
    if (timestamped && !v.vfr && avg > 0) {
      EXPECT_NEAR(v.fps, avg, avg * 0.01);
    }
  }
  ASSERT_EQ(info.audio.size(), audio.size());
  for (size_t i = 0; i < audio.size(); ++i) {
    const AudioInfo& a = info.audio[i];
    const json& s = audio[i];
    EXPECT_EQ(a.index, s["index"].get<int>());
    EXPECT_EQ(a.codec, s.value("codec_name", "unknown"));
    EXPECT_EQ(a.sample_rate, static_cast<int>(number(s, "sample_rate", 0)));
    EXPECT_EQ(a.channels, s.value("channels", 0));
    if (s.contains("start_time")) {
      EXPECT_NEAR(a.start, number(s, "start_time"), 0.0015);
    }
    if (s.contains("tags") && s["tags"].contains("language")) {
      EXPECT_EQ(a.language, s["tags"]["language"].get<std::string>());
    }
  }
}

struct Fixture {
  std::string name;
  SynthSpec spec;
};

std::vector<Fixture> fixtures() {
  auto base = [](double d = 1.0) {
    SynthSpec s;
    s.duration = d;
    s.width = 192, s.height = 108;
    return s;
  };
  std::vector<Fixture> f;
  SynthSpec s = base();
  s.audio = {SynthAudio{}};
  f.push_back({"plain.mp4", s});
  s.faststart = true;
  f.push_back({"faststart.mp4", s});
  s = base();
  s.rotation = 90, s.sar = {4, 3};
  f.push_back({"rotated-anamorphic.mov", s});
  s = base();
  s.rotation = 270;
  f.push_back({"rotated-270.mp4", s});
  s = base(2.0);
  s.vfr = true;
  f.push_back({"vfr.mkv", s});
  s = base();
  s.bit_depth = 10, s.color_transfer = "smpte2084";
  f.push_back({"hdr10.mp4", s});
  s = base();
  s.fps = {30000, 1001};
  SynthAudio eng, fra;
  eng.language = "eng";
  fra.codec = "ac3", fra.channels = 6, fra.start = 0.25, fra.language = "fra";
  s.audio = {eng, fra};
  f.push_back({"two-tracks.mkv", s});
  s = base();
  s.video_codec = "mpeg4";
  SynthAudio mp2;
  mp2.codec = "mp2", mp2.sample_rate = 44100;
  s.audio = {mp2};
  f.push_back({"old.avi", s});
  s = base();
  s.audio = {SynthAudio{}};
  f.push_back({"stream.ts", s});
  s = base();
  s.video = false;
  s.audio = {SynthAudio{}};
  f.push_back({"audio-only.m4a", s});
  s = base();
  s.video_codec = "libx265";
  f.push_back({"hevc.mp4", s});
  return f;
}

TEST(ProbeVsFfprobe, GeneratedFixtures) {
  path dir = test::scratch_dir();
  for (const auto& f : fixtures()) {
    path file = dir / f.name;
    synthesize(file.string(), f.spec);
    compare_with_ffprobe(file);
  }
}

TEST(ProbeVsFfprobe, SharedMedia) {
  OMNICUT_REQUIRE_SHARED_MEDIA(media);
  int compared = 0;
  for (const auto& entry : test::fs::directory_iterator(media)) {
    if (!entry.is_regular_file() || entry.path().extension() == ".md") continue;
    compare_with_ffprobe(entry.path());
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

}  // namespace
}  // namespace omnicut
