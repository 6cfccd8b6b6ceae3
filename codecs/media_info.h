// What probe learns about a file: plain data, no FFmpeg types, so pipeline/ and the CLI can use
// it without touching FFmpeg's API. Ranges (prep's --start/--end, estimate's) run from 0 to
// `length`, seconds after `origin`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace omnicut {

struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den ? static_cast<double>(num) / den : 0.0; }
  bool operator==(const Rational&) const = default;
};

struct VideoInfo {
  int index = -1;                 // stream index in the container
  std::string codec;              // FFmpeg codec name, e.g. "h264"
  std::string profile;            // e.g. "High", "High 10"; empty when unknown
  bool decodable = false;         // this FFmpeg build has a decoder for it
  int width = 0, height = 0;      // stored (coded) picture size
  Rational sar{1, 1};             // sample aspect ratio, 1:1 when unset
  int rotation = 0;               // clockwise display rotation in degrees: 0, 90, 180, 270
  bool mirrored = false;          // display matrix flips horizontally (before the rotation)
  int display_width = 0;          // after SAR and rotation
  int display_height = 0;
  double fps = 0;                 // average rate from packet timestamps
  bool vfr = false;               // packet durations vary beyond timestamp rounding
  double peak_fps = 0;            // 1 / shortest frame interval (= fps when constant)
  std::string pix_fmt;            // e.g. "yuv420p", "yuv420p10le"
  int bit_depth = 8;
  std::string color_range;        // "tv", "pc" or "unknown"
  std::string color_transfer;     // e.g. "bt709", "smpte2084", "arib-std-b67"
  bool hdr = false;               // PQ or HLG transfer
  double duration = 0;            // seconds, stream's own (from its packets when the header has none)
  double start = 0;               // first presentation time, seconds on the container's clock
  int64_t bit_rate = 0;
};

struct AudioInfo {
  int index = -1;
  std::string codec;
  bool decodable = false;
  int sample_rate = 0;
  int channels = 0;
  std::string layout;             // e.g. "stereo", "5.1(side)"
  std::string language;           // from stream metadata; empty when absent
  double start = 0;               // first presentation time, seconds on the container's clock
  double duration = 0;            // seconds, stream's own (from its packets when the header has none)
};

struct MediaInfo {
  std::string path;
  std::string container;          // demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  uint64_t size = 0;              // bytes
  double duration = 0;            // seconds, as ffprobe gives it; from the packets when the header has none
  double start = 0;               // container start time, seconds
  // Time zero of every range omnicut reads or writes (codecs/input.h): the first video frame's
  // presentation (audio-only: the first audio's), seconds on the container's clock. `start`
  // fields stay on the container's clock, as ffprobe reports them; `start - origin` is where a
  // stream begins in omnicut's times.
  double origin = 0;
  double length = 0;              // the end of that video (else audio) stream, seconds after the origin
  bool duration_from_packets = false;  // the header gave none (a live recording): it was measured
  int stream_count = 0;
  std::optional<VideoInfo> video; // the first video stream that is not cover art
  std::vector<AudioInfo> audio;   // every audio stream in container order
};

}  // namespace omnicut
