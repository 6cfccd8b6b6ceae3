#include "pipeline/batch/batch_run.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "pipeline/edit/session_lock.h"
#include "pipeline/money/confirm.h"
#include "pipeline/money/estimate.h"
#include "pipeline/report/batch_report.h"
#include "pipeline/support/format.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

BatchLedger new_batch(const BatchOptions& o, const std::string& path) {
  if (exists(path))
    throw Error(ErrorKind::usage, path, "a batch is already there: continue it with --resume " + o.outdir +
                                            (o.shard.all() ? "" : " --shard " + o.shard.text()) + ", or choose another -o");
  if (o.inputs.empty() && o.jobs_file.empty()) throw Error(ErrorKind::usage, "edit", "no inputs: give files, folders or --jobs-file");
  if (o.jobs_file.empty() && o.prompts.empty()) throw Error(ErrorKind::usage, "edit", "at least one -p PROMPT is required");
  std::vector<BatchJob> jobs = o.jobs_file.empty() ? jobs_from_inputs(o.inputs, o.outdir, o.prompts)
                                                   : jobs_from_file(o.jobs_file, o.outdir, o.prompts);
  if (jobs.empty()) throw Error(ErrorKind::not_found, o.inputs.front(), "no media files found");
  BatchLedger b;
  b.shard = o.shard;
  b.endpoint = o.edit.endpoint_id;
  b.resolution = o.edit.resolution;
  b.keep_rest = o.edit.keep_rest;
  b.no_split = o.no_split;
  for (auto& job : jobs)
    if (in_shard(job.rel, o.shard)) b.clips.push_back(BatchClip{job, default_ledger_path(job.output), clip_status::pending, "", false, 0, std::nullopt});
  if (b.clips.empty())
    throw Error(ErrorKind::usage, "--shard", "shard " + o.shard.text() + " of these " + std::to_string(jobs.size()) +
                                                 " inputs is empty");
  return b;
}

// --resume OUTDIR: the batch as its ledger has it; -p MORE adds a turn to every clip.
BatchLedger resumed_batch(const BatchOptions& o, const std::string& path) {
  if (!exists(path)) {
    std::string found;
    for (const auto& p : find_batch_ledgers(o.outdir)) found += (found.empty() ? "" : ", ") + fs::path(p).filename().string();
    throw Error(ErrorKind::usage, path, found.empty() ? "no batch ledger here" : "no batch ledger for this shard (found: " + found + ")");
  }
  BatchLedger b = load_batch_ledger(path);
  for (auto& c : b.clips)
    if (c.status != clip_status::skipped) c.job.prompts.insert(c.job.prompts.end(), o.prompts.begin(), o.prompts.end());
  return b;
}

const Endpoint& endpoint_of(const BatchClip& c, const BatchLedger& b) {
  return find_endpoint(c.job.endpoint.empty() ? b.endpoint : c.job.endpoint);
}

// What a clip's session still has to send: its unsent turns and the prompts added since.
double unsent_usd(const Session& s, const std::vector<std::string>& prompts) {
  CostModel model(s.billing);
  double usd = 0;
  for (const auto& t : s.turns)
    if (turn_to_submit(t)) usd += model.turn(s.prep.duration, t.turn == 1 ? s.source.has_audio : true, t.prompt, t.resolution).usd();
  for (size_t k = s.turns.size(); k < prompts.size(); ++k)
    usd += model.turn(s.prep.duration, k == 0 ? s.source.has_audio : true, prompts[k], s.options.resolution).usd();
  return usd;
}

// A clip that has a session: done when OUT is written and no prompt was added, else pending.
void plan_started_clip(BatchClip& c, double& spent) {
  Session s = load_session(c.ledger);
  spent += s.cost_usd();
  c.cost_usd = s.unknown_cost_turns() ? std::nullopt : std::optional<double>(s.cost_usd());
  bool more = c.job.prompts.size() > s.turns.size();
  c.status = s.final_output && !more ? clip_status::done : clip_status::pending;
  c.estimate_usd = c.status == clip_status::done ? 0 : unsent_usd(s, c.job.prompts);
  if (c.status == clip_status::pending) c.reason.clear();
}

// A clip never started: its headers say what it would cost, or why it cannot be edited.
void plan_new_clip(BatchClip& c, const BatchLedger& b, const BatchOptions& o) {
  const Endpoint& ep = endpoint_of(c, b);
  EstimateRequest r;
  r.endpoint = &ep;
  r.billing = o.edit.billing.value_or(ep.billing);
  const std::string resolution = resolve_resolution(ep, c.job.resolution ? c.job.resolution : b.resolution);
  r.resolution = ep.takes_resolution() ? resolution : "";
  r.prompts = c.job.prompts;
  r.start = c.job.start, r.end = c.job.end;
  FileEstimate e = estimate_file(c.job.input, r);
  c.status = clip_status::pending;
  if (!e.ok()) c.status = clip_status::skipped, c.reason = e.error;
  else if (e.plan == SendPlan::too_short) c.status = clip_status::skipped, c.reason = e.note;
  else if (e.plan == SendPlan::split && b.no_split)
    c.status = clip_status::skipped, c.reason = "longer than " + ep.id + " takes (--no-split): " + e.note;
  c.split = e.plan == SendPlan::split;
  c.estimate_usd = c.status == clip_status::pending ? e.turns.usd() : 0;
}

BatchPlanView plan_batch(BatchLedger& b, const std::string& path, const BatchOptions& o, const EditContext& ctx) {
  BatchPlanView v;
  v.ledger = path;
  v.simulated = ctx.local;
  for (auto& c : b.clips) {
    if (c.status == clip_status::skipped) continue;  // an unusable input stays so
    if (exists(c.ledger)) plan_started_clip(c, v.spent_usd);
    else plan_new_clip(c, b, o);
    v.usd += c.estimate_usd;
  }
  v.clips = b.clips;
  v.remote_jobs = o.remote_jobs, v.local_jobs = o.local_jobs;
  return v;
}

// The clip's own session: new, or its ledger resumed with the prompts added since.
EditOptions clip_options(const BatchClip& c, const BatchLedger& b, const BatchOptions& o) {
  EditOptions e = o.edit;
  e.max_cost.reset(), e.dry_run = false;
  e.jobs = o.remote_jobs;
  e.keep_rest = b.keep_rest;
  e.session_path.clear();
  if (exists(c.ledger)) {
    Session s = load_session(c.ledger);
    e.resume_path = c.ledger;
    e.input.clear(), e.output.clear(), e.resolution.reset();
    e.prompts.assign(c.job.prompts.begin() + std::min(s.turns.size(), c.job.prompts.size()), c.job.prompts.end());
    return e;
  }
  e.input = c.job.input, e.output = c.job.output, e.prompts = c.job.prompts;
  e.start = c.job.start, e.end = c.job.end;
  e.endpoint_id = endpoint_of(c, b).id;
  if (c.job.resolution) e.resolution = c.job.resolution;
  else e.resolution = b.resolution;
  e.split = c.split;
  fs::create_directories(fs::path(c.job.output).parent_path());
  return e;
}

struct Runner {
  BatchLedger& batch;
  const std::string& path;
  const BatchOptions& o;
  EditContext& ctx;
  BatchEvents& events;
  std::mutex mutex;  // the ledger and `stop`
  std::exception_ptr stop;

  void record(size_t i, const std::string& status, const std::string& reason, const std::optional<Session>& s) {
    std::lock_guard lock(mutex);
    BatchClip& c = batch.clips[i];
    c.status = status, c.reason = reason;
    if (s) c.cost_usd = s->unknown_cost_turns() ? std::nullopt : std::optional<double>(s->cost_usd());
    save_batch_ledger(batch, path);
    events.clip_done(i, c);
  }

  void run_clip(size_t i, client::Fal& fal) {
    const BatchClip& c = batch.clips[i];
    std::unique_ptr<EditEvents> clip_events = events.clip(i, c.job.rel);
    EditContext clip_ctx = ctx;
    clip_ctx.fal = &fal, clip_ctx.events = clip_events.get();
    try {
      EditOutcome out = run_edit(clip_options(c, batch, o), clip_ctx);
      record(i, clip_status::done, "", out.session);
    } catch (const Error& e) {
      std::optional<Session> s;
      if (exists(c.ledger)) s = load_session(c.ledger);
      record(i, clip_status::failed, e.what(), s);
      // Ctrl-C, or a key fal refuses: every other clip would stop the same way.
      if (e.kind() == ErrorKind::interrupted || e.kind() == ErrorKind::auth) {
        std::lock_guard lock(mutex);
        if (!stop) stop = std::current_exception();
      }
    }
  }

  void run(const std::vector<size_t>& todo) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      client::Fal fal = *ctx.fal;  // its own transport
      for (size_t k; (k = next++) < todo.size();) {
        {
          std::lock_guard lock(mutex);
          if (stop) return;
        }
        run_clip(todo[k], fal);
      }
    };
    // Enough clips in flight that prep runs ahead while others wait at fal.
    size_t n = std::min(todo.size(), static_cast<size_t>(o.remote_jobs + o.local_jobs));
    std::vector<std::thread> threads;
    for (size_t t = 1; t < n; ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    if (stop) std::rethrow_exception(stop);
  }
};

BatchSummaryView summary_of(const BatchLedger& b, const std::string& path, bool simulated, double seconds) {
  BatchSummaryView v{path, b.clips, 0, 0, simulated, seconds, "", ""};
  for (const auto& c : b.clips) {
    if (c.cost_usd) v.cost_usd += *c.cost_usd;
    else if (exists(c.ledger)) ++v.unknown_cost_clips;
  }
  return v;
}

// OUTDIR/report.html; a page that cannot be made is said so in the summary, the batch stands.
void write_report(const std::string& outdir, BatchSummaryView& summary) {
  const std::string page = default_batch_report_path(outdir);
  try {
    write_batch_report(outdir, page);
    summary.report = page;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    summary.report_error = e.what();
  }
}

// How far a clip got, for two ledgers that list it: overlapping shards (a mistake the locks make
// safe) each list the clips they share, and the one that ran it says more than the one refused it.
int progress_rank(const std::string& status) {
  if (status == clip_status::done) return 3;
  if (status == clip_status::pending) return 2;
  if (status == clip_status::failed) return 1;
  return 0;
}

// The clips of every ledger, each once (by its session ledger); of two entries, the further.
std::vector<BatchClip> merge_clips(const std::vector<BatchLedger>& ledgers) {
  std::vector<BatchClip> clips;
  std::map<fs::path, size_t> index;
  for (const auto& b : ledgers)
    for (const auto& c : b.clips) {
      std::error_code ec;
      fs::path key = fs::weakly_canonical(c.ledger, ec);
      auto [it, added] = index.try_emplace(ec ? fs::path(c.ledger) : key, clips.size());
      if (added) clips.push_back(c);
      else if (progress_rank(c.status) > progress_rank(clips[it->second].status)) clips[it->second] = c;
    }
  return clips;
}

}  // namespace

bool BatchOutcome::all_done() const {
  return std::all_of(ledger.clips.begin(), ledger.clips.end(), [](const BatchClip& c) { return c.status == clip_status::done; });
}

BatchSummaryView summarize_batch_dir(const std::string& outdir) {
  std::vector<BatchLedger> ledgers;
  BatchLedger all;
  std::string names;
  for (const auto& path : find_batch_ledgers(outdir)) {
    ledgers.push_back(load_batch_ledger(path));
    all.local = all.local || ledgers.back().local;
    names += (names.empty() ? "" : ", ") + fs::path(path).filename().string();
  }
  all.clips = merge_clips(ledgers);
  if (names.empty()) throw Error(ErrorKind::usage, outdir, "no batch ledger here");
  for (auto& c : all.clips)
    if (exists(c.ledger)) {
      Session s = load_session(c.ledger);
      c.cost_usd = s.unknown_cost_turns() ? std::nullopt : std::optional<double>(s.cost_usd());
    }
  return summary_of(all, names, all.local, 0);
}

bool is_batch_dir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && !find_batch_ledgers(path).empty();
}

BatchOutcome run_batch(const BatchOptions& o, EditContext& ctx, BatchEvents& events) {
  const auto began = std::chrono::steady_clock::now();
  if (o.outdir.empty()) throw Error(ErrorKind::usage, "edit", "a batch needs -o OUTDIR (a folder)");
  BatchOptions opts = o;
  if (opts.local_jobs <= 0) opts.local_jobs = std::max(1u, std::thread::hardware_concurrency());
  BatchOutcome out;
  out.ledger_path = batch_ledger_path(opts.outdir, opts.shard);
  if (!opts.dry_run) fs::create_directories(opts.outdir);
  std::optional<SessionLock> lock;  // one process per batch (per shard); each clip has its own too
  if (!opts.dry_run) lock.emplace(out.ledger_path);
  BatchLedger b = opts.resume ? resumed_batch(opts, out.ledger_path) : new_batch(opts, out.ledger_path);
  b.local = ctx.local;
  BatchPlanView plan = plan_batch(b, out.ledger_path, opts, ctx);
  events.plan(plan);
  out.estimate_usd = plan.usd;
  if (opts.max_cost) check_budget(out.ledger_path, plan.usd, *opts.max_cost);
  std::vector<size_t> todo;
  for (size_t i = 0; i < b.clips.size(); ++i)
    if (b.clips[i].status == clip_status::pending) todo.push_back(i);
  if (opts.dry_run) {
    out.dry_run = true;
    out.ledger = b;
    return out;
  }
  if (!todo.empty() && !ctx.local)
    require_consent(out.ledger_path, events.confirm("Submit " + std::to_string(todo.size()) + " clip(s) for about " +
                                                    format_usd(plan.usd) + "?"));
  save_batch_ledger(b, out.ledger_path);
  ctx.slots = std::make_shared<WorkSlots>(opts.local_jobs, opts.remote_jobs);
  Runner runner{b, out.ledger_path, opts, ctx, events, {}, {}};
  runner.run(todo);
  out.ledger = b;
  BatchSummaryView summary = summary_of(b, out.ledger_path, ctx.local,
                                        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  if (opts.edit.report) write_report(opts.outdir, summary);
  events.summary(summary);
  return out;
}

}  // namespace omnicut
