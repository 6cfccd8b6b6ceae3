// `omnicut report SESSION|OUTDIR [-o FILE.html]`: the session's page (OUT.report.html) or the
// batch's (OUTDIR/report.html), made again from the ledgers and the files that are here, without
// the network (pipeline/report/).
#include <cstdio>
#include <iostream>

#include "pipeline/batch/batch_run.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/report/batch_report.h"
#include "pipeline/report/session_report.h"

namespace omnicut::cli {
namespace {

struct ReportArgs {
  std::string target;
  std::string output;
  bool json = false;
};

int run(const ReportArgs& a) {
  std::string page = a.output;
  if (is_batch_dir(a.target)) {
    if (page.empty()) page = default_batch_report_path(a.target);
    write_batch_report(a.target, page);
  } else {
    Session s = load_session(a.target);
    if (page.empty()) page = default_report_path(s.output);
    write_session_report(s, {a.target, page, {}});
  }
  if (want_json(a.json)) std::cout << nlohmann::json{{"report", page}}.dump() << "\n";
  else std::printf("report: %s\n", page.c_str());
  return kOk;
}

}  // namespace

void add_report_command(CLI::App& root, Action& chosen) {
  auto a = std::make_shared<ReportArgs>();
  CLI::App* cmd = root.add_subcommand("report", "write the HTML page of an edit session or a batch, from its ledger");
  cmd->add_option("target", a->target, "a session ledger (OUT.omnicut.json) or a batch's OUTDIR")->required();
  cmd->add_option("-o,--output", a->output, "the page (default OUT.report.html, or OUTDIR/report.html)");
  cmd->add_flag("--json", a->json, "{\"report\": PATH} (also when stdout is not a terminal)");
  cmd->callback([a, &chosen] { chosen = [a](const GlobalOptions&) { return run(*a); }; });
}

}  // namespace omnicut::cli
