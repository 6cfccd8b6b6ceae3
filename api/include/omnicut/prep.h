// Prep: an endpoint-ready clip (MP4, H.264, AAC 48 kHz stereo) cut from a source, and the plan
// that says beforehand what it will do. Part of omnicut's public API (omnicut/omnicut.h).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "omnicut/error.h"
#include "omnicut/probe.h"

namespace omnicut::api {

enum class Fit { pad, crop };      // pad: the whole picture, with bars; crop: fill, centre crop

struct PrepOptions {
  std::optional<double> start;     // seconds from the first video frame
  std::optional<double> end;       // exclusive; give at most one of end and duration
  std::optional<double> duration;
  Fit fit = Fit::pad;
  std::optional<double> fps;       // output frame rate (default: the source's, capped at 30)
  int crf = 20;                    // x264 constant rate factor, 0-51
  std::string preset = "veryfast"; // x264 preset
  std::string endpoint;            // whose limits apply; "" for the default endpoint
};

struct PrepPlan {
  Verdict verdict = Verdict::needs_prep;
  std::vector<std::string> actions;  // what prep will do, in words
  double start = 0, end = 0;       // the range prep will cut, seconds from the first video frame
  int width = 0, height = 0;       // the output picture
  double fps = 0;                  // the output frame rate
  bool copy_video = false;         // the video is copied as it is, not re-encoded
  std::string reason;              // why it is copied or encoded, e.g. "video is 960x540, not 1280x720"
};

struct PrepResult {
  std::string output;
  std::string sidecar;             // OUTPUT.prep.json: what `omnicut remux --restore` reads to undo prep
  bool copied_video = false;
  std::string reason;              // why the video was copied or encoded
  std::vector<std::string> actions;
  int width = 0, height = 0;
  double fps = 0;
  double duration = 0;             // of the output's video, seconds
  bool has_audio = false;
  uint64_t size = 0;               // bytes written
};

// Called as the work goes on: `done` of `total` seconds of the output written.
using ProgressCallback = std::function<void(double done, double total)>;

// What prep(input, ..., options) would do, without writing anything.
// Throws omnicut::Error: probe()'s kinds; ErrorKind::unsupported when the file cannot be used at
// all; ErrorKind::too_long when the range is longer than the endpoint takes (the message gives a
// range that fits) or shorter than its minimum; ErrorKind::usage for a range outside the file,
// contradictory options or an unknown endpoint.
PrepPlan plan_prep(const std::string& input, const PrepOptions& options = {});

// Writes the endpoint-ready clip to `output` (atomically: on failure nothing is left there) and
// its sidecar beside it. `progress`, when set, is called on this thread.
// Throws omnicut::Error: plan_prep()'s kinds; ErrorKind::usage when `output` is `input`;
// ErrorKind::output when it cannot be written; ErrorKind::interrupted once
// omnicut::api::interrupt() was called; ErrorKind::internal when FFmpeg fails where it should not.
PrepResult prep(const std::string& input, const std::string& output, const PrepOptions& options = {},
                ProgressCallback progress = {});

}  // namespace omnicut::api
