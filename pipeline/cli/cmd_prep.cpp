// `omnicut prep IN -o OUT [--start T] [--end T | --duration T] [--fit pad|crop] [--fps N] [--crf N]
// [--preset P] [--json]`: an endpoint-ready clip (MP4, H.264 720p, AAC 48 kHz stereo) and its
// sidecar OUT.prep.json. Exit status: the error kind's code (README "Exit codes"), 6 when the
// range is longer than the endpoint allows. `prep DIR|FILE... -o OUTDIR [-j N]`: each file into
// OUTDIR (pipeline/batch/batch_prep.h); exit 1 when some failed.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/cli/reporters.h"
#include <filesystem>
#include <thread>

#include "pipeline/batch/batch_prep.h"
#include "pipeline/media/prep_stage.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

struct PrepOptions {
  std::vector<std::string> inputs;
  std::string input, output;
  int jobs = 0;
  TimeRange range;
  std::string fit = "pad";
  std::optional<double> fps;
  int crf = 20;
  std::string preset = "veryfast";
  bool json = false;
  std::string endpoint;
};

PrepRequest request_from(const PrepOptions& o) {
  PrepRequest r;
  r.start = o.range.start, r.end = o.range.end, r.duration = o.range.duration;
  r.fit = o.fit == "crop" ? Fit::crop : Fit::pad;
  r.fps = o.fps;
  r.crf = o.crf;
  r.preset = o.preset;
  return r;
}

void print_table(const PrepOutcome& o) {
  std::printf("%s -> %s\n", o.input.c_str(), o.output.c_str());
  std::printf("  path      %s: %s\n", o.path.copy_video ? "copy" : "encode", o.path.reason.c_str());
  std::string did;
  for (const auto& a : o.plan.actions) did += (did.empty() ? "" : "; ") + a;
  if (!did.empty()) std::printf("  did       %s\n", did.c_str());
  std::printf("  video     %dx%d, %.3g fps, %s\n", o.width, o.height, o.fps, format_seconds(o.result.video_duration).c_str());
  if (o.has_audio)
    std::printf("  audio     AAC 48 kHz stereo (%s), %s\n", o.path.copy_audio ? "copied" : "encoded",
                format_seconds(o.result.audio_duration).c_str());
  else
    std::printf("  audio     none\n");
  std::printf("  size      %s\n", format_bytes(o.size).c_str());
  std::printf("  sidecar   %s\n", o.sidecar.c_str());
}

int run_prep_command(const PrepOptions& o) {
  PrepRequest request = request_from(o);
  auto progress = make_reporter(progress_mode());
  progress->stage("prep", o.input);
  auto on_progress = [&](double done, double total) { progress->progress(done, total, "s"); };
  PrepOutcome outcome = run_prep(o.input, o.output, request, find_endpoint(o.endpoint), on_progress);
  progress->finish(outcome.path.copy_video ? "copied" : "encoded");
  if (want_json(o.json)) std::cout << prep_json(outcome).dump(2) << "\n";
  else print_table(outcome);
  std::cout.flush();
  return kOk;
}

nlohmann::json batch_item_json(const BatchPrepItem& item) {
  nlohmann::json j = {{"input", item.job.input}, {"output", item.job.output}, {"status", item.status},
                      {"error", item.error}, {"seconds", item.seconds}};
  if (item.outcome) j["prep"] = prep_json(*item.outcome);
  return j;
}

std::string batch_item_line(const BatchPrepItem& item) {
  if (item.status == "failed") return "failed  " + item.job.input + ": " + item.error + "\n";
  if (item.status == "kept") return "kept    " + item.job.output + " (already there)\n";
  const PrepOutcome& o = *item.outcome;
  return std::string(o.path.copy_video ? "copied  " : "encoded ") + item.job.input + " -> " + item.job.output + "  (" +
         format_seconds(item.seconds) + ")\n";
}

// Several inputs or a folder: each file prepped into OUTDIR, `-j` at once.
int run_batch_prep_command(const PrepOptions& o) {
  const bool json = want_json(o.json);
  const int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto items = run_batch_prep(o.inputs, o.output, request_from(o), find_endpoint(o.endpoint), jobs, [&](const BatchPrepItem& i) {
    if (!json) std::fputs(batch_item_line(i).c_str(), stdout), std::fflush(stdout);
  });
  int failed = 0;
  nlohmann::json all = nlohmann::json::array();
  for (const auto& i : items) failed += i.status == "failed", all.push_back(batch_item_json(i));
  if (json) std::cout << all.dump(2) << "\n";
  else std::printf("%zu file(s): %zu prepped or kept, %d failed -> %s\n", items.size(), items.size() - failed, failed, o.output.c_str());
  return failed ? kSomeFilesFailed : kOk;
}

int run_prep_dispatch(PrepOptions& o) {
  std::error_code ec;
  if (o.inputs.size() > 1 || std::filesystem::is_directory(o.inputs.front(), ec)) return run_batch_prep_command(o);
  o.input = o.inputs.front();
  return run_prep_command(o);
}

}  // namespace

void add_prep_command(CLI::App& root, Action& chosen) {
  auto o = std::make_shared<PrepOptions>();
  CLI::App* cmd = root.add_subcommand("prep", "make an endpoint-ready clip: MP4, H.264 720p, AAC 48 kHz stereo");
  cmd->add_option("input", o->inputs, "source media file; several, or a folder: each into -o OUTDIR")->required();
  cmd->add_option("-o,--output", o->output, "output MP4 (written atomically; never the input), or OUTDIR for several")->required();
  cmd->add_option("-j,--jobs", o->jobs, "several inputs: files prepped at once (default: the machine's cores)")->check(CLI::Range(1, 64));
  RangeHelp range;
  range.duration = "range length";
  add_range_options(cmd, o->range, range);
  cmd->add_option("--fit", o->fit, "16:9/9:16 framing: pad (bars) or crop (fill)")
      ->check(CLI::IsMember({"pad", "crop"}))
      ->capture_default_str();
  cmd->add_option("--fps", o->fps, "output frame rate (default: the source's, capped at 30)");
  cmd->add_option("--crf", o->crf, "x264 constant rate factor, 0-51")->check(CLI::Range(0, 51))->capture_default_str();
  cmd->add_option("--preset", o->preset, "x264 preset (ultrafast ... veryslow)")->capture_default_str();
  add_endpoint_option(cmd, o->endpoint, "endpoint id whose limits apply");
  cmd->add_flag("--json", o->json, "JSON output (also when stdout is not a terminal)");
  cmd->callback([o, &chosen] { chosen = [o](const GlobalOptions&) { return run_prep_dispatch(*o); }; });
}

}  // namespace omnicut::cli
