// A whole clip re-rendered: decode a file's first video stream, run every picture through a
// libavfilter chain the caller writes, encode H.264 at a constant rate, and beside it write a
// generated tone exactly as long as the video (or no audio), through Mp4Writer. No range, no
// source audio, no stream copy: for a synthetic re-render of a clip (the emulator's stand-in for
// a model), not for prep (codecs/transcode.h). Times count from the file's origin (codecs/input.h).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "codecs/media_info.h"

namespace omnicut::av {

// A steady sine, the same on every channel, starting at phase 0 on the first sample.
struct Tone {
  double hz = 440;
  double amplitude = 0.2;  // of full scale
  int sample_rate = 48000;
  int channels = 2;
};

struct FilteredRender {
  std::string input;
  std::string output;          // written through Mp4Writer: never left partial
  // Applied to the decoded pictures, whose timestamps count from the origin; it must produce a
  // constant `fps` (start it with "fps=N:start_time=0") and a picture libx264 takes (yuv420p).
  std::string video_filter;
  Rational fps{24, 1};
  int crf = 23;
  std::string preset = "veryfast";
  std::optional<Tone> tone;    // none: a video-only file
  // Called now and then with seconds of video written and the clip's length; may be empty.
  std::function<void(double done, double total)> progress;
};

struct FilteredRenderResult {
  int64_t video_frames = 0;
  double video_duration = 0;   // seconds, as written
  double audio_duration = 0;   // seconds, as written (0 without a tone)
  int width = 0, height = 0;   // of the encoded picture
};

// Throws omnicut::Error naming the file: not_found / not_media for an unreadable input,
// unsupported for one without a decodable video stream or a chain that cannot be built,
// interrupted on Ctrl-C (common/interrupt.h).
FilteredRenderResult render_filtered(const FilteredRender& spec);

}  // namespace omnicut::av
