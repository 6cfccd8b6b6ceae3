// Probe: what a media file holds and what prep would do with it for an endpoint, read from its
// headers and first packets (never a full decode). Part of omnicut's public API (omnicut/omnicut.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "omnicut/error.h"

namespace omnicut::api {

struct VideoStream {
  std::string codec;               // FFmpeg's codec name, e.g. "h264"
  int width = 0, height = 0;       // stored picture size
  int display_width = 0, display_height = 0;  // after the sample aspect ratio and the rotation
  int rotation = 0;                // clockwise display rotation: 0, 90, 180 or 270
  double fps = 0;                  // average frame rate
  bool variable_frame_rate = false;
  bool hdr = false;                // PQ or HLG transfer
  std::string pixel_format;        // e.g. "yuv420p"
};

struct AudioStream {
  std::string codec;
  int sample_rate = 0;
  int channels = 0;
  std::string language;            // from the stream's metadata; "" when absent
};

// What prep would do with the file: nothing, something, or it cannot use it at all.
enum class Verdict { ok, needs_prep, unusable };

struct ProbeResult {
  std::string path;
  std::string container;           // FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  uint64_t size = 0;               // bytes
  double duration = 0;             // seconds, as ffprobe gives it (measured when the header has none)
  double length = 0;               // seconds from the first video frame to the video's end: what ranges count in
  std::optional<VideoStream> video;  // the first video stream that is not cover art
  std::vector<AudioStream> audio;  // every audio stream, in container order
  Verdict verdict = Verdict::needs_prep;
  std::vector<std::string> actions;  // what prep would do, in words ("scale 960x540 to 1280x720")
  std::string unusable_reason;     // why, when the verdict is unusable; "" otherwise
};

// Probes `path` and judges it against `endpoint` (an id from omnicut's endpoint table; "" for the
// default endpoint). A file the endpoint cannot use is not an error: its verdict says so.
// Throws omnicut::Error, its message naming the file and the cause: ErrorKind::not_found (missing,
// a folder, unreadable), ErrorKind::not_media (empty, not media, truncated or corrupt),
// ErrorKind::unsupported (media this FFmpeg cannot read), ErrorKind::usage (unknown endpoint).
ProbeResult probe(const std::string& path, const std::string& endpoint = "");

}  // namespace omnicut::api
