// omnicut split: long footage cut into segments the endpoint accepts, each prepped, plus a manifest.
#include <cstdio>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/reporters.h"
#include "model/endpoints.h"
#include "pipeline/media/split_stage.h"

namespace omnicut::cli {
namespace {

struct SplitOptions {
  SplitRequest request;
  std::optional<double> min, max;
  std::string endpoint;
  bool json = false;
};

int run(const SplitOptions& o) {
  SplitRequest req = o.request;
  if (o.min) req.min_duration = *o.min;
  if (o.max) req.max_duration = *o.max;
  auto progress = make_reporter(progress_mode());
  progress->stage("split", req.input);
  SplitOutcome out = run_split(req, find_endpoint(o.endpoint), [&](int i, int n) { progress->progress(i, n, "segments"); });
  progress->finish(std::to_string(out.manifest.segments.size()) + " segments");
  if (want_json(o.json)) {
    auto j = manifest_to_json(out.manifest);
    j["manifest"] = out.manifest_path;
    for (size_t i = 0; i < out.paths.size(); ++i) j["segments"][i]["path"] = out.paths[i];
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%-4s %-18s %10s %10s %9s %7s %s\n", "#", "file", "start", "end", "duration", "cut", "prep");
  for (size_t i = 0; i < out.manifest.segments.size(); ++i) {
    const auto& s = out.manifest.segments[i];
    std::printf("%-4d %-18s %9.3fs %9.3fs %8.3fs %7s %s\n", s.index, s.file.c_str(), s.start, s.end, s.end - s.start,
                s.cut.c_str(), out.paths[i].c_str());
  }
  std::printf("manifest: %s\n", out.manifest_path.c_str());
  return 0;
}

}  // namespace

void add_split_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<SplitOptions>();
  auto* cmd = root.add_subcommand("split", "cut long footage into prepped segments the endpoint accepts, with a manifest");
  cmd->add_option("input", opts->request.input, "the source")->required();
  cmd->add_option("-o,--output", opts->request.dir, "folder for the segments and manifest.json")->required();
  add_time_option(cmd, "--max", opts->max, "longest segment (default: the endpoint's maximum, 10 s)");
  add_time_option(cmd, "--min", opts->min, "shortest segment (default: the endpoint's minimum, 3 s)");
  cmd->add_option("--scene-threshold", opts->request.scene_threshold, "scene change score, 0-1 (default 0.3)")
      ->check(CLI::Range(0.01, 1.0));
  add_endpoint_option(cmd, opts->endpoint, "endpoint id whose limits apply");
  cmd->add_flag("--json", opts->json, "JSON output (the manifest, with each segment's prep path)");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions&) { return run(*opts); }; });
}

}  // namespace omnicut::cli
