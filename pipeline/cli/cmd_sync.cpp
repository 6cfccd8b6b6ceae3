// `omnicut sync EDITED --source SOURCE [--start T --end T] [--json]`: does EDITED keep the timing
// of SOURCE (over the range it was made from)? Offset, time scale and confidence, from the two
// pictures' motion (pipeline/media/alignment.h). For clips made anywhere, not only by omnicut.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/media/alignment.h"

namespace omnicut::cli {
namespace {

struct SyncArgs {
  std::string edited, source;
  TimeRange range;
  bool json = false;
};

int run(const SyncArgs& a) {
  std::optional<double> end = a.range.end;
  if (a.range.duration) end = a.range.start.value_or(0) + *a.range.duration;
  Alignment al = measure_alignment(a.edited, a.source, a.range.start, end);
  if (want_json(a.json)) {
    auto j = to_json(al);
    j["edited"] = a.edited, j["source"] = a.source;
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  std::printf("%s against %s\n", a.edited.c_str(), a.source.c_str());
  std::printf("  offset      %+.0f ms (a frame is %.0f ms)\n", al.offset_s * 1000, al.frame_s * 1000);
  std::printf("  scale       %.2f %%\n", al.scale * 100);
  std::printf("  confidence  %.2f%s\n", al.confidence, al.confident ? "" : " (low)");
  std::printf("  verdict     %s\n", al.verdict.c_str());
  return kOk;
}

}  // namespace

void add_sync_command(CLI::App& root, Action& chosen) {
  auto a = std::make_shared<SyncArgs>();
  CLI::App* cmd = root.add_subcommand("sync", "check that an edited clip keeps its source's timing (offset, scale)");
  cmd->add_option("edited", a->edited, "the edited clip")->required();
  cmd->add_option("--source", a->source, "the clip it was made from")->required();
  RangeHelp help;
  help.start = "where in SOURCE the edited clip begins: seconds or [hh:]mm:ss[.ms]";
  add_range_options(cmd, a->range, help);
  cmd->add_flag("--json", a->json, "JSON output (also when stdout is not a terminal)");
  cmd->callback([a, &chosen] { chosen = [a](const GlobalOptions&) { return run(*a); }; });
}

}  // namespace omnicut::cli
