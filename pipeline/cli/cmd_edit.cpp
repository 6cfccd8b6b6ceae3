// `omnicut edit IN -p PROMPT [-p PROMPT ...] -o OUT [options]`: the whole job, turn after turn,
// with a ledger that makes --resume safe (pipeline/edit_session.h). `--local` runs the same HTTP
// path against the built-in emulator on a loopback port: simulated edits, nothing billed.
#include <cstdio>
#include <memory>
#include <optional>

#include "client/fal.h"
#include <filesystem>

#include "pipeline/batch/batch_run.h"
#include "pipeline/cli/batch_reporters.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/cli/reporters.h"
#include "pipeline/edit/edit_session.h"
#include "pipeline/support/format.h"
#include "emulator/emulator.h"

namespace omnicut::cli {
namespace {

struct EditArgs {
  EditOptions o;
  std::vector<std::string> inputs;
  std::string jobs_file;
  std::string shard;
  bool no_split = false;
  bool no_report = false;
  int local_jobs = 0;
  TimeRange range;
  std::string pricing;
  bool yes = false;
  double max_cost = -1;
  int from_turn = 0;
  bool local = false;
  std::string fal_url;
  bool json = false;
  std::string resolution;
  std::string sync;  // "": the session's own (correct for a new one)
  CLI::Option* endpoint_option = nullptr;
};

client::Fal fal_for(const EditArgs& a, const GlobalOptions& global, std::optional<emulator::Emulator>& emu) {
  if (a.local) {
    emulator::Options opts;
    opts.port = 0;
    emu.emplace(opts);
    emu->start();
    std::fprintf(stderr,
                 "omnicut: --local: the built-in emulator at %s simulates the edits (a filter chosen by the prompt's "
                 "words); nothing is sent to fal and nothing is billed\n",
                 emu->url().c_str());
    // The emulator asks for a key like fal does; this one is a placeholder, not a secret.
    return client::Fal{client::FalUrls::at_origin(emu->url()),
                       client::Http(client::Credentials("local-emulator"), http_options(global))};
  }
  client::Fal fal = client::Fal::from_env(a.fal_url, false, http_options(global));
  if (!fal.http.has_credentials() && !a.o.dry_run)
    throw Error(ErrorKind::auth, "FAL_KEY",
                "not set: export FAL_KEY=<your fal API key> to edit on fal, or add --local to try it offline "
                "(simulated, nothing billed)");
  return fal;
}

// "2 turn(s)", or "2 turn(s) x 3 segments" for a --split session.
std::string turns_text(const Session& s) {
  std::string text = std::to_string(s.turns.size()) + " turn(s)";
  if (s.split) text += " x " + std::to_string(s.split->segments.size()) + " segments";
  return text;
}

// --resolution, --draft and --final, checked before anything is read or sent.
void apply_resolution_options(EditArgs& a) {
  if (!a.resolution.empty()) a.o.resolution = a.resolution;
  if (a.o.final_chain && a.o.resume_path.empty())
    throw Error(ErrorKind::usage, "--final", "needs --resume SESSION: the draft session to render again");
  if (a.o.draft && !a.o.resume_path.empty())
    throw Error(ErrorKind::usage, "--draft", "starts a new session: a draft is finished with --resume SESSION --final");
  // --draft without --endpoint drafts on the table's first endpoint that takes a resolution.
  if (a.o.draft && a.endpoint_option->count() == 0) a.o.endpoint_id = draft_endpoint().id;
}

// "draft: clip.draft.mp4 (360p)\n" after --final; "" otherwise.
std::string draft_text(const Session& s, const std::string& ledger) {
  if (s.draft) return "draft: " + s.draft->output + " (" + s.draft->resolution + ")\n";
  if (s.options.draft)
    return "this is a " + s.options.resolution + " draft: `omnicut edit --resume " + ledger +
           " --final` renders the same chain at 1080p\n";
  return "";
}

// More than one input, a folder, a jobs file, or --resume OUTDIR: a batch.
bool is_batch(const EditArgs& a) {
  std::error_code ec;
  if (!a.o.resume_path.empty()) return is_batch_dir(a.o.resume_path);
  return !a.jobs_file.empty() || a.inputs.size() > 1 || (a.inputs.size() == 1 && std::filesystem::is_directory(a.inputs[0], ec));
}

BatchOptions batch_options(const EditArgs& a) {
  for (auto [set, name] : {std::pair{a.o.draft || a.o.final_chain, "--draft/--final"}, {a.o.from_turn.has_value(), "--from-turn"},
                           {!a.o.session_path.empty(), "--session"}})
    if (set) throw Error(ErrorKind::usage, name, "is for one clip, not a batch");
  BatchOptions b;
  b.inputs = a.inputs, b.jobs_file = a.jobs_file;
  b.resume = !a.o.resume_path.empty();
  b.outdir = b.resume ? a.o.resume_path : a.o.output;
  b.prompts = a.o.prompts;
  if (!a.shard.empty()) b.shard = parse_shard(a.shard);
  b.no_split = a.no_split;
  b.remote_jobs = a.o.jobs, b.local_jobs = a.local_jobs;
  b.max_cost = a.o.max_cost;
  b.dry_run = a.o.dry_run;
  b.edit = a.o;
  return b;
}

int run_batch_command(EditArgs& a, const GlobalOptions& global) {
  BatchOptions b = batch_options(a);
  std::optional<emulator::Emulator> emu;
  client::Fal fal = fal_for(a, global, emu);
  std::unique_ptr<BatchEvents> events = make_batch_reporter(report_mode(a.json), a.yes);
  EditContext ctx;
  ctx.fal = &fal;
  ctx.local = a.local;
  ctx.server = a.local ? emu->url() : client::url_origin(fal.urls.queue);
  BatchOutcome out = run_batch(b, ctx, *events);
  if (out.dry_run) {
    if (report_mode(a.json) != ReportMode::json_lines)
      std::printf("dry run: would submit about %s; nothing was sent\n", format_usd(out.estimate_usd).c_str());
    return kOk;
  }
  return out.all_done() ? kOk : kSomeFilesFailed;
}

int run(EditArgs& a, const GlobalOptions& global) {
  a.o.start = a.range.start, a.o.end = a.range.end;
  a.o.report = !a.no_report;
  if (!a.sync.empty()) a.o.sync = parse_sync_mode(a.sync);
  apply_resolution_options(a);
  if (!a.pricing.empty()) a.o.billing = load_pricing(a.pricing, find_endpoint(a.o.endpoint_id).billing);
  if (a.max_cost >= 0) a.o.max_cost = a.max_cost;
  if (a.from_turn > 0) a.o.from_turn = a.from_turn;
  if (a.o.from_turn && a.o.resume_path.empty()) throw Error(ErrorKind::usage, "--from-turn", "needs --resume SESSION");
  if (a.o.billing && !a.o.resume_path.empty())
    throw Error(ErrorKind::usage, "--pricing", "sets a new session's rates: a resumed session keeps its ledger's");

  if (is_batch(a)) return run_batch_command(a, global);
  a.o.input = a.inputs.empty() ? "" : a.inputs.front();
  std::optional<emulator::Emulator> emu;
  client::Fal fal = fal_for(a, global, emu);
  const ReportMode mode = report_mode(a.json);
  std::unique_ptr<EditEvents> events = make_reporter(mode, a.yes);
  EditContext ctx;
  ctx.fal = &fal;
  ctx.local = a.local;
  ctx.server = a.local ? emu->url() : client::url_origin(fal.urls.queue);
  ctx.events = events.get();

  EditOutcome out = run_edit(a.o, ctx);
  if (mode != ReportMode::json_lines) {
    if (out.dry_run)
      std::printf("dry run: would submit %s for about %s; nothing was sent\n", turns_text(out.session).c_str(),
                  format_usd(out.estimate_usd).c_str());
    else
      std::printf("wrote %s: %s, %s%s\n%sledger: %s\n%s", out.session.output.c_str(), turns_text(out.session).c_str(),
                  total_cost_text(out.session).c_str(), out.session.local ? " simulated, nothing billed" : " spent",
                  draft_text(out.session, out.ledger_path).c_str(), out.ledger_path.c_str(),
                  out.report.empty() ? "" : ("report: " + out.report + "\n").c_str());
  }
  return kOk;
}

}  // namespace

void add_edit_command(CLI::App& root, Action& chosen) {
  auto a = std::make_shared<EditArgs>();
  CLI::App* cmd = root.add_subcommand("edit", "edit a clip on fal turn after turn, with the source's audio put back");
  cmd->add_option("input", a->inputs,
                  "the source clip (not needed with --resume); several, or a folder: a batch into -o OUTDIR");
  cmd->add_option("-p,--prompt", a->o.prompts, "an edit instruction; repeat for more turns (each edits the last result)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_option("-o,--output", a->o.output, "the edited MP4 (the ledger goes beside it as OUT.omnicut.json)");
  add_range_options(cmd, a->range);
  cmd->add_flag("--split", a->o.split,
                "edit footage longer than the endpoint takes: cut into segments (at scene changes), each edited, "
                "joined, with the source's audio laid once over the whole");
  cmd->add_option("--jobs", a->o.jobs,
                  "requests at fal at once: --split segments, or a batch's clips (a new fal account runs 2 at a time)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--local-jobs", a->local_jobs, "a batch: clips prepped or remuxed at once (default: the machine's cores)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--jobs-file", a->jobs_file,
                  "a batch from JSON lines: {\"input\", \"prompts\", \"start\", \"end\", \"endpoint\", \"resolution\", \"output\"}");
  cmd->add_option("--shard", a->shard, "a batch: take share i of n of the inputs (by a hash of each path), e.g. 2/4");
  cmd->add_flag("--no-split", a->no_split, "a batch: skip clips longer than the endpoint takes instead of splitting them");
  a->endpoint_option = add_endpoint_option(cmd, a->o.endpoint_id, "endpoint id (with --draft: the first that takes a resolution)");
  cmd->add_option("--resolution", a->resolution,
                  "output resolution, on an endpoint that takes one (e.g. 360p, 720p, 1080p, 4k); with --final the "
                  "final's (default 1080p)");
  cmd->add_flag("--draft", a->o.draft,
                "a cheap draft: the turns at the endpoint's lowest resolution; render the chain you like with "
                "--resume SESSION --final");
  cmd->add_flag("--final", a->o.final_chain,
                "with --resume: the finished draft's prompts again at the final --resolution, from the same upload; "
                "the draft is kept as OUT.draft.mp4");
  add_pricing_option(cmd, a->pricing);
  cmd->add_flag("--keep-rest", a->o.keep_rest, "append \"Keep everything else the same.\" to prompts that lack it");
  cmd->add_option("--max-cost", a->max_cost, "refuse, before anything is sent, when the estimate is over this many USD");
  cmd->add_flag("-y,--yes", a->yes, "do not ask before spending (without it a terminal asks; anything else refuses)");
  cmd->add_flag("--dry-run", a->o.dry_run, "probe, plan, estimate and prep; upload and submit nothing");
  cmd->add_flag("--keep-turns", a->o.keep_turns, "also download every turn's result beside OUT (OUT.turnK.mp4)");
  cmd->add_flag("--restore", a->o.restore, "give back the source's frame: crop prep's padding, scale to the source's display size (one re-encode)");
  cmd->add_option("--sync", a->sync,
                  "when the edited picture moved against the source: correct (lay the source's audio to the "
                  "picture), off (by the clock), refuse (write nothing); default: the session's own, correct for a new one")
      ->check(CLI::IsMember({"correct", "off", "refuse"}));
  cmd->add_option("--session", a->o.session_path, "where to keep the session ledger");
  cmd->add_option("--resume", a->o.resume_path, "continue a session from its ledger (submitted turns are polled, never resent)");
  cmd->add_option("--from-turn", a->from_turn, "with --resume: branch a new session from turn K's result");
  cmd->add_flag("--local", a->local, "use the built-in emulator on loopback: simulated edits, nothing billed");
  cmd->add_option("--fal-url", a->fal_url, "send fal's calls to this origin instead (also OMNICUT_FAL_URL)");
  cmd->add_flag("--cancel-on-interrupt", a->o.cancel_on_interrupt, "Ctrl-C also cancels the running job at fal");
  cmd->add_option("--turn-timeout", a->o.turn_timeout_s,
                  "seconds one turn may take from submit to result; then omnicut stops (exit 8) and the job stays "
                  "at fal and in the ledger for --resume")
      ->check(CLI::Range(0.1, 7 * 24 * 3600.0))
      ->capture_default_str();
  cmd->add_flag("--cancel-on-timeout", a->o.cancel_on_timeout, "a turn past --turn-timeout is also cancelled at fal");
  cmd->add_option("--poll-interval", a->o.poll_interval_s, "seconds between status reads")->capture_default_str();
  cmd->add_option("--recover-wait", a->o.recover_wait_s,
                  "a submit whose answer was lost is looked for in fal's request history this many seconds before "
                  "omnicut stops (exit 11); it is never resent on its own")
      ->check(CLI::Range(0.0, 24 * 3600.0))
      ->capture_default_str();
  cmd->add_flag("--resend-lost", a->o.resend_lost,
                "with --resume: a lost submit that one search of fal's request history does not find is sent again "
                "(fal may then bill it twice)");
  cmd->add_flag("--no-report", a->no_report, "do not write OUT.report.html (a batch: OUTDIR/report.html and each clip's)");
  cmd->add_flag("--json", a->json, "JSON-lines events on stdout (also when stdout is not a terminal)");
  cmd->callback([a, &chosen] { chosen = [a](const GlobalOptions& global) { return run(*a, global); }; });
}

}  // namespace omnicut::cli
