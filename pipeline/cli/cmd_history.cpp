// `omnicut history SESSION|OUTDIR [--json]`: the turns of an edit session, what each cost, and
// totals; for a batch's OUTDIR, every clip of every batch ledger there, with the batch's totals.
// A turn's cost says where it comes from: fal's bill (x-fal-billable-units, in dollars only where
// the price of a unit is known) or the cost model's estimate when no bill came (pipeline/ledger.h).
#include <cstdio>
#include <iostream>

#include "pipeline/batch/batch_run.h"
#include "pipeline/cli/batch_reporters.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/support/format.h"
#include "pipeline/edit/ledger.h"

namespace omnicut::cli {
namespace {

struct HistoryArgs {
  std::string session;
  bool json = false;
};

std::string shorten(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

// One chain's turns; `TOKENS` for an endpoint billed per second of output stays 0.
void print_turns(const std::vector<TurnRecord>& turns) {
  std::printf("%-4s %-10s %-6s %-38s %-12s %10s %10s %8s  %s\n", "TURN", "STATUS", "RES", "PROMPT", "REQUEST", "IN TOK",
              "OUT TOK", "TIME", "COST");
  for (const auto& t : turns) {
    bool billed = t.status != turn_status::pending && t.inherited_from.empty();
    std::string status = t.inherited_from.empty() ? t.status : "inherited";
    std::printf("%-4d %-10s %-6s %-38s %-12s %10.0f %10.0f %7.1fs  %s\n", t.turn, status.c_str(),
                t.resolution.empty() ? "-" : t.resolution.c_str(), shorten(t.prompt, 38).c_str(),
                shorten(t.request_id, 12).c_str(), t.tokens.input(), t.tokens.output(), t.timings.run_s,
                billed ? cost_text(t).c_str() : "-");
    if (!t.error.empty()) std::printf("     error: %s\n", t.error.c_str());
    if (t.sync) std::printf("     sync: %s\n", describe(*t.sync).c_str());
  }
}

// Tokens of the turns billed here, both chains: {input, output}.
std::pair<double, double> billed_tokens(const Session& s) {
  double in = 0, out = 0;
  auto add = [&](const std::vector<TurnRecord>& turns) {
    for (const auto& t : turns)
      if (t.status != turn_status::pending && t.inherited_from.empty()) in += t.tokens.input(), out += t.tokens.output();
  };
  if (s.draft) add(s.draft->turns);
  add(s.turns);
  return {in, out};
}

void print_table(const Session& s, const std::string& path) {
  std::printf("session %s\n", path.c_str());
  std::printf("source  %s (%s, %s)\n", s.source.path.c_str(), format_seconds(s.source.duration).c_str(), s.source.hash.substr(0, 19).c_str());
  std::printf("server  %s%s\n", s.server.c_str(), s.local ? " (local emulator: simulated, nothing billed)" : "");
  if (s.upload) std::printf("upload  %s\n", s.upload->url.c_str());
  if (s.branch_of) std::printf("branch  of %s at turn %d\n", s.branch_of->session.c_str(), s.branch_of->turn);
  if (s.split && !s.split->segments.empty())  // each turn below sums its segments' turns
    std::printf("split   %zu segments, each with its own ledger (e.g. %s)\n", s.split->segments.size(),
                s.split->segments[0].ledger.c_str());
  if (s.draft) {
    std::printf("draft   %zu turn(s) at %s -> %s\n", s.draft->turns.size(), s.draft->resolution.c_str(), s.draft->output.c_str());
    print_turns(s.draft->turns);
    std::printf("final   at %s\n", s.options.resolution.c_str());
  }
  print_turns(s.turns);
  auto [in, out] = billed_tokens(s);
  std::printf("total: %d of %zu turn(s) completed, %.0f input + %.0f output tokens, %s%s\n", s.completed_turns(),
              s.turns.size(), in, out, total_cost_text(s).c_str(), s.local ? " (simulated)" : "");
  if (s.final_output) std::printf("output: %s (from turn %d)\n", s.final_output->path.c_str(), s.final_output->from_turn);
  if (s.final_output && s.final_output->sync)
    std::printf("sync:   %s%s\n", describe(*s.final_output->sync).c_str(),
                s.final_output->remux.audio_timing.identity() ? "" : "; the source's audio was laid to the picture");
}

int run_batch_history(const HistoryArgs& a) {
  BatchSummaryView v = summarize_batch_dir(a.session);
  if (!want_json(a.json)) {
    std::printf("batch %s (%s)\n%s", a.session.c_str(), v.ledger.c_str(), batch_summary_text(v).c_str());
    return kOk;
  }
  nlohmann::json clips = nlohmann::json::array();
  int done = 0, failed = 0, skipped = 0;
  for (size_t i = 0; i < v.clips.size(); ++i) {
    clips.push_back(batch_clip_json(i, v.clips[i]));
    done += v.clips[i].status == clip_status::done, failed += v.clips[i].status == clip_status::failed;
    skipped += v.clips[i].status == clip_status::skipped;
  }
  nlohmann::json j = {{"batch", a.session}, {"ledgers", v.ledger}, {"clips", clips},
                      {"totals", {{"clips", v.clips.size()}, {"done", done}, {"failed", failed}, {"skipped", skipped},
                                  {"cost_usd", v.cost_usd}, {"unknown_cost_clips", v.unknown_cost_clips}, {"simulated", v.simulated}}}};
  std::cout << j.dump(2) << "\n";
  return kOk;
}

int run(const HistoryArgs& a) {
  if (is_batch_dir(a.session)) return run_batch_history(a);
  Session s = load_session(a.session);
  if (want_json(a.json)) {
    auto j = to_json(s);
    j["ledger"] = a.session;
    std::cout << j.dump(2) << "\n";
  } else {
    print_table(s, a.session);
  }
  return kOk;
}

}  // namespace

void add_history_command(CLI::App& root, Action& chosen) {
  auto a = std::make_shared<HistoryArgs>();
  CLI::App* cmd = root.add_subcommand("history", "show an edit session's turns, costs and totals");
  cmd->add_option("session", a->session, "the session ledger (OUT.omnicut.json), or a batch's OUTDIR")->required();
  cmd->add_flag("--json", a->json, "the ledger as JSON (also when stdout is not a terminal)");
  cmd->callback([a, &chosen] { chosen = [a](const GlobalOptions&) { return run(*a); }; });
}

}  // namespace omnicut::cli
