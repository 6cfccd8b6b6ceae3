// Generates test footage with controllable properties: the project's own fixtures and sample
// clip, made at test time instead of downloaded. The picture is a moving pattern (something for
// the encoder to work on); optional white flash frames and audio beeps mark known instants so
// that sync can be measured after a round trip.
#pragma once
#include <string>
#include <vector>

#include "codecs/media_info.h"

namespace omnicut {

struct SynthAudio {
  std::string codec = "aac";      // encoder name: "aac", "pcm_s16le", "ac3", "libopus", "mp2"...
  int sample_rate = 48000;
  int channels = 2;
  double start = 0;               // offset of the first sample, seconds
  double tone_hz = 440;           // steady tone; 0 for silence between beeps
  std::string language;           // written as stream metadata when not empty
};

struct SynthSpec {
  double duration = 2.0;          // seconds
  bool video = true;
  std::string video_codec = "libx264";  // any FFmpeg encoder: "libx264", "mpeg4", "libx265"...
  int width = 320, height = 240;  // stored size
  Rational sar{1, 1};
  int rotation = 0;               // display matrix, clockwise degrees
  bool mirrored = false;          // display matrix horizontal flip
  Rational fps{25, 1};
  bool vfr = false;               // alternate frame durations (1x, 2x) for variable frame rate
  int bit_depth = 8;              // 8 or 10
  bool full_range = false;
  std::string color_transfer;     // e.g. "smpte2084" to tag HDR; empty for untagged
  std::vector<SynthAudio> audio;  // none by default
  std::vector<double> flashes;    // times (s) of a one-frame all-white picture
  double flash_level = 1.0;       // the flash's luma, 0 (black) to 1 (white) of the range: a PQ patch's signal
  std::vector<double> beeps;      // times (s) of a 50 ms 1 kHz beep on every audio track
  double video_start = 0;         // presentation time of the first picture, seconds (on the half-frame grid); the video still ends at `duration`
  std::string container;          // muxer name; empty to guess from the file extension
  bool faststart = false;         // MP4: moov before mdat
  // Matroska/WebM as a live recorder leaves it (browsers' MediaRecorder, OBS): no Duration
  // element, no cues, no per-track duration tags (the muxer's live=1).
  bool live = false;
  double keyframe_interval = 1.0; // seconds between keyframes
  std::string preset = "ultrafast";  // x264/x265 preset (fixtures favour speed)
};

// Writes the clip to `path` through av::Mp4Writer (atomically). Stream times are absolute: a
// track's `start`, the flashes and the beeps are seconds on the file's clock, and every track
// ends at `duration`. Throws omnicut::Error on failure.
void synthesize(const std::string& path, const SynthSpec& spec);

}  // namespace omnicut
