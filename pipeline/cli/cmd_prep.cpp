// `omnicut prep IN -o OUT [--start T] [--end T | --duration T] [--fit pad|crop] [--fps N] [--crf N]
// [--preset P] [--json]`: an endpoint-ready clip (MP4, H.264 720p, AAC 48 kHz stereo) and its
// sidecar OUT.prep.json. Exit status: the error kind's code (README "Exit codes"), 6 when the
// range is longer than the endpoint allows.
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
#include "pipeline/media/prep_stage.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

struct PrepOptions {
  std::string input, output;
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

}  // namespace

void add_prep_command(CLI::App& root, Action& chosen) {
  auto o = std::make_shared<PrepOptions>();
  CLI::App* cmd = root.add_subcommand("prep", "make an endpoint-ready clip: MP4, H.264 720p, AAC 48 kHz stereo");
  cmd->add_option("input", o->input, "source media file")->required();
  cmd->add_option("-o,--output", o->output, "output MP4 (written atomically; never the input)")->required();
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
  cmd->callback([o, &chosen] { chosen = [o](const GlobalOptions&) { return run_prep_command(*o); }; });
}

}  // namespace omnicut::cli
