// `omnicut probe FILE... [--json] [--endpoint ID]`: what each file holds and what prep would do
// with it for the endpoint. Exit status: 0 when every file is readable and usable; with one file,
// that file's error code (3 not found, 4 not media, 5 unusable, 6 too short); with several, 1.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "codecs/probe.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "model/endpoints.h"
#include "pipeline/media/prep_plan.h"
#include "pipeline/media/probe_report.h"

namespace omnicut::cli {
namespace {

struct ProbeOptions {
  std::vector<std::string> files;
  bool json = false;
  std::string endpoint;
};

// Reports one file on the way (JSON element or table block); returns the failure, if any.
std::optional<ErrorKind> report_file(const std::string& path, const Endpoint& ep, nlohmann::json& out, std::string& table) {
  try {
    MediaInfo info = probe(path);
    PrepPlan plan = assess(info, ep);
    out.push_back(probe_json(info, plan));
    table += probe_table(info, plan);
    if (plan.verdict != Verdict::unusable) return std::nullopt;
    std::fprintf(stderr, "omnicut: %s: unusable: %s\n", path.c_str(), plan.unusable_reason.c_str());
    return plan.unusable_kind;
  } catch (const Error& e) {
    out.push_back(probe_error_json(path, e.what()));
    table += probe_error_table(path, e.what());
    std::fprintf(stderr, "omnicut: %s\n", e.what());
    return e.kind();
  }
}

int run_probe(const ProbeOptions& o) {
  const Endpoint& ep = find_endpoint(o.endpoint);
  nlohmann::json out = nlohmann::json::array();
  std::string table;
  std::optional<ErrorKind> failed;
  int failures = 0;
  for (const auto& path : o.files) {
    if (auto kind = report_file(path, ep, out, table)) failed = kind, ++failures;
    if (!table.empty() && &path != &o.files.back()) table += "\n";
  }
  if (want_json(o.json)) std::cout << out.dump(2) << "\n";
  else std::cout << table;
  std::cout.flush();
  if (!failed) return kOk;
  return o.files.size() == 1 ? exit_code_for(*failed) : kSomeFilesFailed;
}

}  // namespace

void add_probe_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<ProbeOptions>();
  CLI::App* cmd = root.add_subcommand("probe", "show what each file holds and what prep would do for the endpoint");
  cmd->add_option("files", opts->files, "media files")->required();
  cmd->add_flag("--json", opts->json, "JSON output (also when stdout is not a terminal)");
  add_endpoint_option(cmd, opts->endpoint, "endpoint id to judge against");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions&) { return run_probe(*opts); }; });
}

}  // namespace omnicut::cli
