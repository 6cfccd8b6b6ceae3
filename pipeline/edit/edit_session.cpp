#include "pipeline/edit/edit_session.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "client/storage.h"
#include "codecs/content_hash.h"
#include "codecs/probe.h"
#include "pipeline/money/confirm.h"
#include "pipeline/edit/edit_steps.h"
#include "pipeline/support/format.h"
#include "pipeline/media/prep_plan.h"
#include "pipeline/media/prep_stage.h"
#include "pipeline/edit/session_lock.h"
#include "pipeline/report/session_report.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

constexpr const char* kKeepRest = "Keep everything else the same.";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string absolute(const std::string& p) { return p.empty() ? p : fs::absolute(p).lexically_normal().string(); }

void add_turns(Session& s, const std::vector<std::string>& prompts, bool keep_rest) {
  for (const auto& p : prompts) {
    TurnRecord t;
    t.turn = static_cast<int>(s.turns.size()) + 1;
    t.prompt = keep_rest ? with_keep_rest(p) : p;
    t.endpoint = s.endpoint;
    t.resolution = s.options.resolution;
    s.turns.push_back(t);
  }
}

PrepRequest prep_request(const Session& s) {
  PrepRequest r;
  r.start = s.options.start;
  r.end = s.options.end;
  return r;
}

// OUT is checked before anything is sent: never the input itself, and in a folder that exists.
void check_output(const std::string& input, const std::string& output) {
  std::error_code ec;
  if (fs::exists(output, ec) && fs::equivalent(input, output, ec))
    throw Error(ErrorKind::usage, output, "the output would overwrite the input: choose another -o");
  fs::path dir = fs::absolute(output).parent_path();
  if (!fs::is_directory(dir, ec)) throw Error(ErrorKind::output, output, "its folder " + dir.string() + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0) throw Error(ErrorKind::output, output, "its folder " + dir.string() + " is not writable");
}

// What a new session's turns ask for: --draft's lowest (or --resolution) on an endpoint that
// takes a resolution, else --resolution or the endpoint's default; "" for an endpoint that takes
// none. Refused here, before anything is read or sent.
std::string session_resolution(const Endpoint& ep, const EditOptions& o) {
  if (o.draft && !ep.takes_resolution())
    throw Error(ErrorKind::usage, "--draft",
                ep.id + " takes no output resolution to draft at: use one that does, e.g. --endpoint " + draft_endpoint().id);
  if (o.draft && o.split) throw Error(ErrorKind::usage, "--draft", "cannot be combined with --split");
  if (o.draft && !o.resolution) return ep.lowest_resolution();
  std::string res = resolve_resolution(ep, o.resolution);
  return ep.takes_resolution() ? res : "";
}

// --split edits the whole source in segments; the split itself (a scene scan and prep of every
// segment) runs in edit_split.cpp, before the estimate.
Session planned_split(Session& s, const MediaInfo& info, const EditOptions& o) {
  if (o.start || o.end) throw Error(ErrorKind::usage, "--split", "edits the whole source: cut it first, or drop --start/--end");
  if (o.restore || o.keep_turns)
    throw Error(ErrorKind::usage, "--split", "cannot be combined with --restore or --keep-turns");
  s.options.split = true;
  s.source = {absolute(o.input), info.size, content_hash(o.input), kContentHashMethod, info.duration, !info.audio.empty()};
  s.prep.start = 0, s.prep.end = s.prep.duration = info.duration;
  s.prep.planned_only = true;
  add_turns(s, o.prompts, o.keep_rest);
  return s;
}

// probe + plan: the range prep will cut and whether it has audio, before any work is done. What
// the probe found is left in `info` for the stages after the estimate.
Session new_session(const EditOptions& o, const EditContext& ctx, MediaInfo& info) {
  if (o.input.empty()) throw Error(ErrorKind::usage, "edit", "an input file is required (or --resume SESSION)");
  if (o.output.empty()) throw Error(ErrorKind::usage, o.input, "-o OUT is required");
  if (o.prompts.empty()) throw Error(ErrorKind::usage, o.input, "at least one -p PROMPT is required");
  const Endpoint& ep = find_endpoint(o.endpoint_id);
  Session s;
  s.options.resolution = session_resolution(ep, o);
  s.options.draft = o.draft;
  check_output(o.input, o.output);
  s.endpoint = ep.id;
  s.server = ctx.server;
  s.local = ctx.local;
  s.billing = o.billing.value_or(ep.billing);
  s.output = absolute(o.output);
  s.options.keep_rest = o.keep_rest, s.options.restore = o.restore, s.options.keep_turns = o.keep_turns;
  s.options.start = o.start, s.options.end = o.end;
  info = probe(o.input);
  if (o.split) return planned_split(s, info, o);
  PrepPlan plan = plan_prep(info, ep, prep_request(s));  // too long, too short, unusable: stops here
  s.source = {absolute(o.input), info.size, content_hash(o.input), kContentHashMethod, info.duration,
              plan.spec.audio_stream >= 0};
  s.prep.start = plan.range_start, s.prep.end = plan.range_end, s.prep.duration = plan.range_end - plan.range_start;
  s.prep.actions = plan.actions;
  s.prep.planned_only = true;
  s.prep.fps = plan.spec.fps.value() > 0 ? plan.spec.fps.value() : info.video ? info.video->fps : 0.0;
  add_turns(s, o.prompts, o.keep_rest);
  return s;
}

void check_source_unchanged(const Session& s) {
  std::error_code ec;
  if (!fs::is_regular_file(s.source.path, ec))
    throw Error(ErrorKind::not_found, s.source.path, "the session's source is gone (needed for its audio)");
  if (content_hash(s.source.path) != s.source.hash)
    throw Error(ErrorKind::usage, s.source.path, "the source changed since the session started (content hash differs)");
}

void refuse_existing_ledger(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec))
    throw Error(ErrorKind::usage, path,
                "a session ledger is already there: continue it with --resume " + path +
                    ", or start another with --session FILE or another -o");
}

SessionFile open_branch(const EditOptions& o, std::optional<SessionLock>& lock) {
  Session parent = load_session(o.resume_path);
  if (parent.split || parent.options.split)
    throw Error(ErrorKind::usage, "--from-turn", "cannot branch a --split session: start a new one");
  int k = *o.from_turn;
  if (k < 1 || k > static_cast<int>(parent.turns.size()) || parent.turns[k - 1].status != turn_status::completed)
    throw Error(ErrorKind::usage, "--from-turn", std::to_string(k) + " is not a completed turn of " + o.resume_path);
  if (o.prompts.empty()) throw Error(ErrorKind::usage, "--from-turn", "give the new branch at least one -p PROMPT");
  if (o.output.empty()) throw Error(ErrorKind::usage, "--from-turn", "give the new branch its own -o OUT");
  check_output(parent.source.path, o.output);
  Session s = parent;
  s.created_at.clear();
  s.output = absolute(o.output);
  s.final_output.reset();
  s.branch_of = BranchRecord{absolute(o.resume_path), k};
  s.turns.resize(k);
  for (auto& t : s.turns)
    if (t.inherited_from.empty()) t.inherited_from = absolute(o.resume_path), t.local_path.clear();
  add_turns(s, o.prompts, o.keep_rest || parent.options.keep_rest);
  SessionFile f{s, o.session_path.empty() ? default_ledger_path(s.output) : o.session_path, ""};
  lock.emplace(f.path);
  refuse_existing_ledger(f.path);
  return f;
}

// The resolution --final renders at: --resolution, else 1080p where the endpoint renders it, else
// its default; never the draft's own.
std::string final_resolution(const Endpoint& ep, const EditOptions& o, const std::string& draft) {
  std::optional<std::string> asked = o.resolution;
  if (!asked && ep.output_size("1080p")) asked = "1080p";
  std::string res = resolve_resolution(ep, asked);
  if (res == draft)
    throw Error(ErrorKind::usage, "--final", "the draft is already at " + draft + ": choose a higher --resolution (" +
                                                 ep.resolution_names() + ")");
  return res;
}

// Why --final cannot start on this session, or "" when it can.
std::string final_refusal(const Session& s, const std::string& path) {
  if (!s.options.draft) return path + " is not a draft session (start one with `omnicut edit IN --draft ...`)";
  if (s.draft && s.final_output)
    return path + " already has its final (at " + s.options.resolution + "): " + s.final_output->path;
  if (s.draft)
    return path + " already has its final chain under way (at " + s.options.resolution + "): `omnicut edit --resume " +
           path + "` finishes it";
  if (!s.final_output || s.completed_turns() != static_cast<int>(s.turns.size()))
    return "the draft is not finished: `omnicut edit --resume " + path + "` finishes it first";
  return "";
}

// The draft's OUT becomes OUT.draft.mp4 once the final is confirmed, before any final turn is
// sent, so the final never overwrites it. Harmless again when a run died between the rename and
// the ledger's save.
void keep_draft_output(Session& s, EditContext& ctx) {
  FinalRecord& draft_final = *s.draft->final_output;
  const std::string& kept = s.draft->output;
  std::error_code ec;
  if (fs::exists(draft_final.path, ec)) {
    fs::rename(draft_final.path, kept, ec);
    if (ec) throw Error(ErrorKind::output, draft_final.path, "cannot keep the draft as " + kept + ": " + ec.message());
  } else if (!fs::exists(kept, ec)) {
    ctx.events->notice("the draft " + draft_final.path + " is gone; the final chain runs without it");
  }
  draft_final.path = kept;
  ctx.events->notice("final chain at " + s.options.resolution + ": the draft (" + s.draft->resolution + ") is kept as " + kept);
}

// --final: the draft chain moves to Session::draft and the same prompts become the final chain
// at the final resolution, sent from the draft's upload (turn 1's video_url), never uploaded again.
SessionFile open_final(const EditOptions& o, std::optional<SessionLock>& lock) {
  if (!o.prompts.empty())
    throw Error(ErrorKind::usage, "--final", "renders the draft's own prompts again: add turns to the draft first (--resume -p)");
  lock.emplace(o.resume_path);
  SessionFile f{load_session(o.resume_path), o.resume_path, ""};
  Session& s = f.session;
  if (std::string why = final_refusal(s, o.resume_path); !why.empty()) throw Error(ErrorKind::usage, "--final", why);
  const std::string res = final_resolution(find_endpoint(s.endpoint), o, s.options.resolution);
  DraftRecord d{s.options.resolution, draft_output_path(s.final_output->path), s.turns, s.final_output};
  if (!o.output.empty()) check_output(s.source.path, o.output), s.output = absolute(o.output);
  s.draft = d;
  s.final_output.reset();
  s.options.resolution = res;
  s.turns.clear();
  for (const auto& t : d.turns) add_turns(s, {t.prompt}, false);
  return f;  // saved, and the draft renamed, once the final is confirmed (run_edit)
}

// The session's ledger, locked for this run (`lock`). The lock comes before the ledger is read
// or looked for: a run that read it while another was still writing it would work from a stale
// copy, and two new runs for one OUT would both find no ledger.
SessionFile open_session(const EditOptions& o, EditContext& ctx, std::optional<SessionLock>& lock) {
  if (!o.resume_path.empty() && o.from_turn) return open_branch(o, lock);
  if (o.final_chain) return open_final(o, lock);
  if (!o.resume_path.empty() && o.resolution)
    throw Error(ErrorKind::usage, "--resolution",
                "a resumed session keeps its turns' resolution (--final renders a finished draft's chain at another)");
  if (!o.resume_path.empty()) {
    lock.emplace(o.resume_path);
    SessionFile f{load_session(o.resume_path), o.resume_path, ""};
    if (!o.output.empty()) check_output(f.session.source.path, o.output), f.session.output = absolute(o.output);
    if (o.keep_turns) f.session.options.keep_turns = true;
    add_turns(f.session, o.prompts, o.keep_rest || f.session.options.keep_rest);
    if (!o.prompts.empty()) f.session.final_output.reset();
    return f;
  }
  MediaInfo info;
  Session s = new_session(o, ctx, info);
  info.path = s.source.path;  // later stages read the source by the ledger's (absolute) path
  SessionFile f{s, o.session_path.empty() ? default_ledger_path(s.output) : o.session_path, "", info};
  lock.emplace(f.path);
  refuse_existing_ledger(f.path);
  return f;
}

// What this run would submit, turn by turn; shown before anything is sent.
double show_estimate(const SessionFile& f, EditContext& ctx) {
  const Session& s = f.session;
  CostModel model(s.billing);
  std::optional<DraftSpent> draft;
  if (s.draft) draft = DraftSpent{s.draft->resolution, s.draft->turns.size(), s.draft->cost_usd()};
  EstimateView v{s.endpoint, s.prep.duration, 0, {}, 0, s.cost_usd(), s.local, s.billing, s.options.resolution, draft};
  for (const auto& t : s.turns) {
    bool audio = t.turn == 1 ? s.source.has_audio : true;
    TurnCost c = model.turn(v.seconds, audio, t.prompt, t.resolution);
    double usd = turn_to_submit(t) ? c.usd() : 0;
    v.usd += usd;
    v.turns.push_back({t.turn, t.prompt, t.status, c, 0, usd});
  }
  ctx.events->estimate(v);
  return v.usd;
}

// What the ledger keeps of a prep run: built from the outcome in hand (the sidecar included),
// not from `prep --json`'s output, whose shape is free to change.
PrepRecord prep_record_of(const PrepOutcome& p) {
  PrepRecord r;
  r.start = p.plan.range_start, r.end = p.plan.range_end, r.duration = p.plan.range_end - p.plan.range_start;
  r.encoded_duration = p.result.video_duration;
  r.fps = p.fps;
  r.frames = p.result.video_frames;
  r.actions = p.plan.actions;
  r.output = p.output;
  r.width = p.width, r.height = p.height;
  r.path = p.path.copy_video ? "copy" : "encode";
  r.reason = p.path.reason;
  r.sidecar = p.sidecar_record;
  return r;
}

// Prep's plan from this run's probe of the source; a resumed session whose prep is still to run
// probes it now, once.
PrepPlan prep_plan_for(const SessionFile& f, const Endpoint& ep) {
  const MediaInfo info = f.source_info ? *f.source_info : probe(f.session.source.path);
  return plan_prep(info, ep, prep_request(f.session));
}

void run_prep_stage(SessionFile& f, const fs::path& work, EditContext& ctx) {
  Session& s = f.session;
  fs::create_directories(work);
  ctx.events->stage("prep", s.source.path);
  const Endpoint& ep = find_endpoint(s.endpoint);
  const double fps = s.prep.fps;
  PrepOutcome p = run_prep(prep_plan_for(f, ep), (work / "prep.mp4").string(), [&](double done, double total) {
    if (fps > 0) ctx.events->progress(std::floor(done * fps + 0.5), std::floor(total * fps + 0.5), "frames");
    else ctx.events->progress(done, total, "s");
  });
  s.prep = prep_record_of(p);
  ctx.events->finish(std::string(p.path.copy_video ? "copied" : "encoded") + " " + std::to_string(p.width) + "x" +
                       std::to_string(p.height) + ", " + std::to_string(p.result.video_frames) + " frames (" +
                       p.path.reason + ")");
}

// The session's page, with pictures of every turn: results not kept are fetched into the work
// folder for it first. A page that cannot be made is said so; the edit itself stands.
std::string write_report(SessionFile& f, const EditOptions& o, EditContext& ctx, const fs::path& work) {
  if (!o.report) return "";
  Session& s = f.session;
  const std::string page = default_report_path(s.output);
  try {
    SessionReportRequest r{f.path, page, {}};
    std::error_code ec;
    for (auto& t : s.turns) {
      if (t.status != turn_status::completed || !t.result || s.split) continue;
      if (t.local_path.empty() || !fs::is_regular_file(t.local_path, ec)) {
        fs::create_directories(work);
        download_result(f, t, work / ("turn" + std::to_string(t.turn) + ".mp4"), ctx);
      }
      r.turn_media[t.turn] = t.local_path;
    }
    ctx.events->stage("report", page);
    write_session_report(s, r);
    ctx.events->finish("-> " + page);
    return page;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    ctx.events->notice(std::string("the report was not written: ") + e.what());
    return "";
  }
}

}  // namespace

bool turn_to_submit(const TurnRecord& t) {
  return t.status == turn_status::pending || t.status == turn_status::failed || t.status == turn_status::cancelled;
}

// A --local session's emulator ended with its process: its URLs lead nowhere, so the remote steps
// are simply run again on this run's emulator (simulated, nothing billed).
void rebase_local(Session& s, const EditContext& ctx) {
  if (!s.local && ctx.local) throw Error(ErrorKind::usage, "--local", "this session was run against fal: resume it without --local");
  if (s.local && !ctx.local) throw Error(ErrorKind::usage, "--resume", "this session ran on the local emulator: resume it with --local");
  if (!s.local || s.server == ctx.server) return;
  s.server = ctx.server;
  s.upload.reset();
  for (auto& t : s.turns) {
    std::string prompt = t.prompt, endpoint = t.endpoint;
    std::string resolution = t.resolution;
    int n = t.turn;
    t = TurnRecord{};
    t.turn = n, t.prompt = prompt, t.endpoint = endpoint, t.resolution = resolution;
  }
  ctx.events->notice("local session: the earlier emulator is gone, so its turns run again here (simulated, nothing billed)");
}

void upload_prepped(SessionFile& f, EditContext& ctx) {
  Session& s = f.session;
  std::string file = s.prep.output;
  ctx.events->stage("upload", fs::path(file).filename().string());
  client::UploadOptions opts;
  opts.progress = [&](uint64_t done, uint64_t total) { ctx.events->progress(double(done), double(total), "bytes"); };
  auto u = client::upload_file(*ctx.fal, file, opts);
  s.upload = UploadRecord{u.file_url, file, u.size, now_iso8601()};
  f.save();
  ctx.events->finish(format_bytes(u.size) + " -> " + u.file_url);
}

std::string with_keep_rest(const std::string& prompt) {
  if (lower(prompt).find("keep everything else the same") != std::string::npos) return prompt;
  std::string p = prompt;
  while (!p.empty() && std::isspace(static_cast<unsigned char>(p.back()))) p.pop_back();
  if (!p.empty() && p.back() != '.' && p.back() != '!' && p.back() != '?') p += '.';
  return p.empty() ? kKeepRest : p + " " + kKeepRest;
}

EditOutcome run_edit(const EditOptions& o, EditContext& ctx) {
  std::optional<SessionLock> lock;  // held until the run ends, however it ends
  SessionFile f = open_session(o, ctx, lock);
  Session& s = f.session;
  if (o.sync) s.options.sync = sync_mode_name(*o.sync);
  if (s.turns.empty()) throw Error(ErrorKind::usage, f.path, "no turns to run: add one with -p PROMPT");
  if (!o.resume_path.empty()) {
    check_source_unchanged(s);
    rebase_local(s, ctx);
  }
  ctx.events->session({f.path, s.output, s.local});
  if (s.options.split) {
    EditOutcome split = run_split_edit(f, o, ctx);
    if (!split.dry_run) split.report = write_report(f, o, ctx, work_dir_for(f.path));
    return split;
  }

  EditOutcome out;
  out.ledger_path = f.path;
  out.estimate_usd = show_estimate(f, ctx);
  if (o.max_cost) check_budget(f.path, out.estimate_usd, *o.max_cost);
  if (!o.dry_run && !s.local && std::any_of(s.turns.begin(), s.turns.end(), turn_to_submit))
    require_consent(f.path, ctx.events->confirm("Submit for about " + format_usd(out.estimate_usd) + "?"));

  fs::path work = work_dir_for(f.path);
  if (o.final_chain && !o.dry_run) keep_draft_output(s, ctx);
  if (o.dry_run) {
    if (!s.upload) run_prep_stage(f, work, ctx);
    fs::remove_all(work);
    ctx.events->notice("dry run: nothing uploaded or submitted; no ledger written");
    out.dry_run = true;
    out.session = s;
    return out;
  }
  f.save();
  if (!s.upload) {
    auto local = WorkSlots::local(ctx.slots);
    run_prep_stage(f, work, ctx);
    f.save();
  }
  {
    auto remote = WorkSlots::remote(ctx.slots);
    if (!s.upload) upload_prepped(f, ctx);
    for (size_t i = 0; i < s.turns.size(); ++i) run_turn(f, i, o, ctx);
  }
  {
    auto local = WorkSlots::local(ctx.slots);
    out.remux = finish_output(f, o, ctx, work);
    out.report = write_report(f, o, ctx, work);
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  out.session = s;
  ctx.events->result({s.output, f.path, s.cost_usd(), s.local, 0, out.remux, out.report});
  return out;
}

}  // namespace omnicut
