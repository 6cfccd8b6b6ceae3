// prep end to end: probe the source (unless the caller already has), plan (pipeline/prep_plan.h),
// choose a stream copy or a re-encode, transcode (codecs/transcode.h), and leave the sidecar
// (pipeline/prep_sidecar.h) that lets `remux --restore` undo the geometry and timing.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "codecs/transcode.h"
#include "model/endpoints.h"
#include "pipeline/media/prep_plan.h"
#include "pipeline/media/prep_sidecar.h"

namespace omnicut {

// Whether to copy or encode, and why, for a plan and the cut it makes.
struct PrepPath {
  bool copy_video = false;
  bool copy_audio = false;
  std::string reason;              // the user-facing why, e.g. "video is 1920x1080, not 1280x720"
};

struct PrepOutcome {
  std::string input, output, sidecar;
  PrepSidecar sidecar_record;      // what the sidecar file says
  PrepPlan plan;
  PrepPath path;
  TranscodeResult result;
  uint64_t size = 0;               // bytes written
  int width = 0, height = 0;       // of the output picture
  double fps = 0;
  bool has_audio = false;
};

// Copy only where the plan says the source range already complies and the cut falls on a
// keyframe (and audio packet boundaries for the audio). Reads packet headers, never decodes.
PrepPath choose_path(const PrepPlan& plan);

// Throws omnicut::Error: usage when OUT is IN, too_long from the plan (with the range that would
// fit), the transcode's errors otherwise. Nothing is left under OUT on failure.
PrepOutcome run_prep(const std::string& input, const std::string& output, const PrepRequest& request,
                     const Endpoint& endpoint, std::function<void(double done, double total)> progress = {});
// The same for a plan made from what an earlier stage already probed (plan_prep over its
// MediaInfo): the source is not probed again. plan.spec.input is the source.
PrepOutcome run_prep(const PrepPlan& plan, const std::string& output,
                     std::function<void(double done, double total)> progress = {});

// `{"input","output","path":"copy"|"encode","reason","audio":"copy"|"encode"|"none","start","end",
// "duration","audio_duration","frames","width","height","fps","size","actions","sidecar"}`
nlohmann::json prep_json(const PrepOutcome& o);

}  // namespace omnicut
