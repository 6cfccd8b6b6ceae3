// `omnicut estimate FILE|DIR... [--turns N] [--prompt TEXT]... [--endpoint ID] [--resolution R]
// [--pricing FILE] [--start T] [--end T] [--no-split] [--compare] [--json]`: what an edit would
// cost, from headers only; --compare prices the same job on every endpoint and resolution.
// Exit status: 0 when every file was priced; with one file given, that file's error code; else 1.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/money/estimate.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

struct EstimateOptions {
  std::vector<std::string> paths;
  int turns = 1;
  std::vector<std::string> prompts;
  std::string endpoint;
  std::optional<std::string> resolution;
  std::string pricing;
  TimeRange range;
  bool no_split = false;
  bool compare = false;
  bool json = false;
};

EstimateRequest make_request(const EstimateOptions& o) {
  EstimateRequest r;
  r.prompts = prompts_per_turn(o.turns, o.prompts, "--turns");
  r.endpoint = &find_endpoint(o.endpoint);
  r.billing = o.pricing.empty() ? r.endpoint->billing : load_pricing(o.pricing, r.endpoint->billing);
  r.resolution = resolve_resolution(*r.endpoint, o.resolution);
  r.start = o.range.start, r.end = o.range.end;
  r.split = !o.no_split;
  return r;
}

// The rate columns: tokens a second for a token-billed endpoint, dollars a second of output otherwise.
std::string rate_in(const FileEstimate& f) {
  return f.usd_per_output_second > 0 ? "-" : format_count(f.input_tokens_per_s);
}
std::string rate_out(const FileEstimate& f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.2f/s %s", f.usd_per_output_second, f.resolution.c_str());
  return f.usd_per_output_second > 0 ? buf : format_count(f.output_tokens_per_s);
}

void print_table(const BatchEstimate& b, const EstimateRequest& r) {
  char line[512];
  std::string turns_head = std::to_string(b.turns) + (b.turns == 1 ? " TURN" : " TURNS");
  std::printf("%-36s %10s %16s %12s %14s %10s %10s\n", "FILE", "DURATION", "SENT", "IN TOK/S", "OUT TOK/S|$/S",
              "PER TURN", turns_head.c_str());
  for (const auto& f : b.files) {
    std::string name = std::filesystem::path(f.path).filename().string();
    if (name.size() > 36) name = name.substr(0, 33) + "...";
    if (!f.ok()) {
      std::printf("%-36s error: %s\n", name.c_str(), f.error.c_str());
      continue;
    }
    std::string sent = format_seconds(f.sent_seconds);
    if (f.segments > 1) sent += " (" + std::to_string(f.segments) + "x)";
    std::snprintf(line, sizeof line, "%-36s %10s %16s %12s %14s %10s %10s", name.c_str(),
                  format_seconds(f.duration).c_str(), sent.c_str(), rate_in(f).c_str(),
                  rate_out(f).c_str(), format_usd(f.first_turn.usd()).c_str(),
                  format_usd(f.turns.usd()).c_str());
    std::printf("%s\n", line);
    if (!f.note.empty()) std::printf("%-36s   %s\n", "", f.note.c_str());
  }
  double in = 0, out = 0;
  for (const auto& f : b.files) in += f.turns.input_tokens(), out += f.turns.output_tokens();
  std::printf("total: %zu file(s)%s, %s sent, %s input + %s output tokens over %d turn(s): %s\n", b.files.size(),
              b.failed() ? (", " + std::to_string(b.failed()) + " unreadable").c_str() : "",
              format_seconds(b.sent_seconds()).c_str(), format_count(in).c_str(), format_count(out).c_str(), b.turns,
              format_usd(b.usd()).c_str());
  std::printf("assumptions:\n");
  for (const auto& a : estimate_assumptions(r)) std::printf("  - %s\n", a.c_str());
}

void print_compare(const std::vector<CompareRow>& rows, int turns) {
  std::printf("\nthe same job on every endpoint (cheapest first):\n");
  std::printf("  %-36s %-24s %10s %10s\n", "ENDPOINT", "OUTPUT", "PER TURN", (std::to_string(turns) + (turns == 1 ? " TURN" : " TURNS")).c_str());
  for (const auto& row : rows)
    std::printf("  %-36s %-24s %10s %10s%s\n", row.endpoint.c_str(), row.resolution.c_str(), format_usd(row.usd_per_turn).c_str(),
                format_usd(row.usd).c_str(), row.chosen ? "   <- this estimate" : "");
}

int run_estimate(const EstimateOptions& o) {
  EstimateRequest r = make_request(o);
  BatchEstimate b = estimate_paths(o.paths, r);
  std::vector<CompareRow> compare;
  if (o.compare) compare = compare_endpoints(o.paths, r);
  if (want_json(o.json)) {
    nlohmann::json j = to_json(b, r);
    if (o.compare) {
      j["compare"] = nlohmann::json::array();
      for (const auto& row : compare) j["compare"].push_back(to_json(row));
    }
    std::cout << j.dump(2) << "\n";
  } else {
    print_table(b, r);
    if (o.compare) print_compare(compare, b.turns);
  }
  std::cout.flush();
  for (const auto& f : b.files)
    if (!f.ok()) std::fprintf(stderr, "omnicut: %s\n", f.error.c_str());
  if (b.files.empty()) throw Error(ErrorKind::not_found, o.paths.front(), "no media files found");
  if (!b.failed()) return kOk;
  std::error_code ec;
  bool single = o.paths.size() == 1 && !std::filesystem::is_directory(o.paths.front(), ec);
  return single ? exit_code_for(b.files.front().error_kind) : kSomeFilesFailed;
}

}  // namespace

void add_estimate_command(CLI::App& root, Action& chosen) {
  auto o = std::make_shared<EstimateOptions>();
  CLI::App* cmd = root.add_subcommand("estimate", "what editing these files would cost (headers only, nothing sent)");
  cmd->add_option("paths", o->paths, "media files, or folders to scan for them")->required();
  cmd->add_option("--turns,-n", o->turns, "edit turns (each reads the previous turn's output)")->capture_default_str();
  cmd->add_option("--prompt,-p", o->prompts, "prompt text, counted as input tokens (repeat: one per turn)");
  add_endpoint_option(cmd, o->endpoint, "endpoint id");
  cmd->add_option("--resolution", o->resolution,
                  "output resolution to price (endpoints that take one, e.g. v1.1: 360p, 720p, 1080p, 4k)");
  cmd->add_flag("--compare", o->compare, "also price the same job on every endpoint and output resolution");
  add_pricing_option(cmd, o->pricing);
  RangeHelp range;
  range.start = "range start prep would cut: seconds or [hh:]mm:ss[.ms] from the first video frame";
  range.end = "range end prep would cut (exclusive)";
  add_range_options(cmd, o->range, range);
  cmd->add_flag("--no-split", o->no_split, "price clips over the limit as trimmed to it, not split");
  cmd->add_flag("--json", o->json, "JSON output (also when stdout is not a terminal)");
  cmd->callback([o, &chosen] { chosen = [o](const GlobalOptions&) { return run_estimate(*o); }; });
}

}  // namespace omnicut::cli
