#include "pipeline/media/split_stage.h"

#include <cstdio>
#include <filesystem>

#include "codecs/input.h"
#include "codecs/probe.h"
#include "codecs/scene_detect.h"
#include "common/error.h"
#include "pipeline/media/prep_stage.h"
#include "pipeline/media/split_plan.h"

namespace omnicut {

SplitOutcome run_split(const SplitRequest& req, const Endpoint& endpoint, std::function<void(int, int)> progress) {
  namespace fs = std::filesystem;
  av::check_readable_file(req.input);
  double min_d = req.min_duration >= 0 ? req.min_duration : endpoint.min_duration;
  double max_d = req.max_duration > 0 ? req.max_duration : endpoint.max_duration;
  if (max_d > endpoint.max_duration + 1e-9)
    throw Error(ErrorKind::usage, req.input, "--max is above the endpoint's limit of " + std::to_string(endpoint.max_duration) + " s");
  if (min_d < endpoint.min_duration - 1e-9)
    throw Error(ErrorKind::usage, req.input, "--min is below the endpoint's minimum of " + std::to_string(endpoint.min_duration) + " s");
  SceneScan scan = scan_scenes(req.input, req.scene_threshold);
  auto plan = plan_split(scan.frame_times, scan.scene_changes, scan.end, min_d, max_d, req.input);

  std::error_code ec;
  fs::create_directories(req.dir, ec);
  if (ec || !fs::is_directory(req.dir)) throw Error(ErrorKind::output, req.dir, "cannot create the folder: " + ec.message());

  SplitOutcome out;
  out.manifest.source = fs::absolute(req.input).lexically_normal().string();
  out.manifest.endpoint = endpoint.id;
  out.manifest.min_duration = min_d;
  out.manifest.max_duration = max_d;
  out.manifest.scene_changes = scan.scene_changes;
  const MediaInfo info = req.info ? *req.info : probe(req.input);  // one probe for every segment's plan
  for (size_t i = 0; i < plan.size(); ++i) {
    if (progress) progress(static_cast<int>(i), static_cast<int>(plan.size()));
    char name[48];
    std::snprintf(name, sizeof name, "segment-%03zu.mp4", i);
    PrepRequest pr = req.prep;
    pr.start = plan[i].start;
    pr.end = plan[i].end;
    pr.duration.reset();
    auto file = (fs::path(req.dir) / name).string();
    PrepOutcome prep = run_prep(plan_prep(info, endpoint, pr), file);
    out.outputs.push_back(file);
    out.paths.push_back(prep.path.copy_video ? "copy" : "encode");
    out.manifest.segments.push_back(
        {static_cast<int>(i), name, plan[i].start, plan[i].end, plan[i].cut, prep.result.video_frames});
  }
  out.manifest_path = (fs::path(req.dir) / "manifest.json").string();
  write_manifest(out.manifest_path, out.manifest);
  return out;
}

}  // namespace omnicut
