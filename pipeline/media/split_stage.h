// split end to end: one scan of the source for frame times and scene changes, the cut plan
// (pipeline/split_plan.h), each segment prepped exactly as `prep` would (pipeline/prep_stage.h)
// into DIR, and DIR/manifest.json (pipeline/manifest.h).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codecs/media_info.h"
#include "model/endpoints.h"
#include "pipeline/media/manifest.h"
#include "pipeline/media/prep_plan.h"

namespace omnicut {

struct SplitRequest {
  std::string input;
  std::string dir;                 // created when missing
  double min_duration = -1;        // < 0: the endpoint's
  double max_duration = -1;
  double scene_threshold = 0.3;
  PrepRequest prep;                // fit, fps, crf, preset for every segment (range ignored)
  std::optional<MediaInfo> info;   // the input as an earlier stage probed it; probed here (once) when absent
};

struct SplitOutcome {
  SplitManifest manifest;
  std::string manifest_path;
  std::vector<std::string> outputs;  // segment files, in order
  std::vector<std::string> paths;    // "copy" or "encode" per segment
};

// Throws omnicut::Error: the scan's, the plan's and prep's. A failure leaves no manifest (the
// segments already written stay, each complete).
SplitOutcome run_split(const SplitRequest& request, const Endpoint& endpoint,
                       std::function<void(int segment, int count)> progress = {});

}  // namespace omnicut
