// prep's plan: from what probe learned (MediaInfo), the endpoint's limits (model/endpoints.h)
// and the user's request, decide every number of the transcode (codecs/transcode.h) and say in
// plain words what prep will do. Pure: no FFmpeg, no files, so it is tested in isolation and
// shared by `probe` (its verdict) and `prep` (its spec).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "codecs/media_info.h"
#include "codecs/transcode.h"
#include "common/error.h"
#include "model/endpoints.h"

namespace omnicut {

enum class Fit { pad, crop };  // pad: keep the whole picture (bars); crop: fill (centre crop)

struct PrepRequest {
  std::optional<double> start;     // seconds from the file's first frame
  std::optional<double> end;       // exclusive; at most one of end/duration
  std::optional<double> duration;
  Fit fit = Fit::pad;
  std::optional<double> fps;       // overrides the source's (capped) rate
  int crf = 20;
  std::string preset = "veryfast";
};

enum class Verdict { ok, needs_prep, unusable };

struct PrepPlan {
  TranscodeSpec spec;              // input filled, output empty; geometry, fps, streams, trim
  Verdict verdict = Verdict::needs_prep;
  std::vector<std::string> actions;  // what prep will do, plain words ("rotate 90° and mirror")
  std::string unusable_reason;     // why the verdict is unusable; "" otherwise
  ErrorKind unusable_kind = ErrorKind::unsupported;  // too_long when only the length is wrong
  bool video_complies = false;     // the video stream could be copied as it is (range aside)
  bool audio_complies = false;     // the kept audio stream could be copied (true when none)
  std::string copy_blocker;        // why a stream copy is impossible, "" if possible
  double range_start = 0, range_end = 0;  // seconds from the file's first frame
  int segments_needed = 1;         // segments of at most max_duration covering the range
  // The source's upright display size: width stretched by the SAR (height kept), then rotated.
  // Geometry::crop is in these coordinates.
  int display_width = 0, display_height = 0;
};

// The plan for `prep`. Throws Error(unsupported) when the file is unusable, Error(too_long) when
// the range is longer than the endpoint's maximum (with the exact --start/--end that would fit
// and the number of segments) or shorter than its minimum, Error(usage) for a trim outside the
// file or contradictory options.
PrepPlan plan_prep(const MediaInfo& info, const Endpoint& endpoint, const PrepRequest& request);

// The same plan for `probe`'s verdict over the whole file: never throws. Too long becomes the
// action "trim 34.2 s to 10 s, or split into 4 segments"; too short or unusable becomes verdict
// unusable with the reason.
PrepPlan assess(const MediaInfo& info, const Endpoint& endpoint);

std::string verdict_name(Verdict v);  // "ok", "needs_prep", "unusable"

}  // namespace omnicut
