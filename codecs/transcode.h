// prep's engine: one pass that trims, makes the picture upright with square pixels, crops, scales
// and pads, converts to 8-bit 4:2:0, resamples audio, and writes an MP4 with the index in front.
// pipeline/ decides the numbers (see pipeline/media/prep_plan.h); this file only carries them out. The
// source is opened through av::open_media (its origin is the range's zero) and the result written
// through av::Mp4Writer.
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "codecs/media_info.h"

namespace omnicut {

struct Rect {
  int x = 0, y = 0, width = 0, height = 0;
  bool operator==(const Rect&) const = default;
};

// Applied in this order: mirror + rotate (undo the display matrix), resample to square pixels,
// crop, scale to scale_width x scale_height, centre on an out_width x out_height black canvas.
struct Geometry {
  int rotation = 0;                  // the source's clockwise display rotation, to be applied
  bool mirrored = false;             // the source's display matrix flips horizontally
  Rational sar{1, 1};                // the source's sample aspect ratio, to be made square
  std::optional<Rect> crop;          // in upright, square-pixel coordinates
  int scale_width = 0, scale_height = 0;
  int out_width = 0, out_height = 0; // canvas; equal to scale_* when nothing is padded
  bool operator==(const Geometry&) const = default;
};

struct TranscodeSpec {
  std::string input;
  std::string output;                // written through a temporary file, renamed on success
  double start = 0;                  // source range, seconds after the file's origin (codecs/input.h)
  std::optional<double> end;         // exclusive; nullopt = to the end
  // Video
  int video_stream = -1;             // container index; -1: none
  bool copy_video = false;           // stream copy (caller checked the range starts on a keyframe)
  Geometry geometry;
  Rational fps{0, 1};                // constant output frame rate; 0/1 keeps the source's
  int crf = 20;
  std::string preset = "veryfast";
  bool tonemap = false;              // HDR (PQ/HLG) to SDR BT.709
  // Audio
  int audio_stream = -1;             // container index of the audio to keep; -1: no audio track
  bool copy_audio = false;
  int sample_rate = 48000;
  int channels = 2;
  // Called now and then with seconds of output written and the expected total; may be empty.
  std::function<void(double done, double total)> progress;
};

struct TranscodeResult {
  std::string output;
  bool video_copied = false;
  bool audio_copied = false;
  int64_t video_frames = 0;
  double video_duration = 0;         // seconds, as written
  double audio_duration = 0;         // seconds, as written (0 without audio)
};

// Throws omnicut::Error naming the file and the cause; Ctrl-C (common/interrupt.h) stops it with
// Error(interrupted). Never leaves a partial output.
TranscodeResult transcode(const TranscodeSpec& spec);

}  // namespace omnicut
