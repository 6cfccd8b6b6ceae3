// `omnicut edit --split`: long footage edited in segments. The source is split once (scene scan,
// every segment prepped as `prep` would: pipeline/split_stage.h); each segment then runs the
// single-clip turn machinery (upload once, turns chained by result URL, download) under its own
// ledger, OUT.omnicut.d/segment-NNN.omnicut.json, so --resume treats every segment exactly like a
// single session: finished segments are not redone, submitted turns are polled, never resent.
// Segments are not remuxed one by one: the join lays the source's continuous audio once over the
// whole range, so there is no click or gap at a cut. The parent ledger holds the manifest, the
// segment ledgers' paths and, per turn, the sum over segments (for `history` and --max-cost).
#include <atomic>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include "pipeline/money/confirm.h"
#include "pipeline/edit/edit_steps.h"
#include "pipeline/support/format.h"
#include "pipeline/media/join_stage.h"
#include "pipeline/media/manifest.h"
#include "pipeline/media/remux_stage.h"
#include "pipeline/edit/session_lock.h"
#include "pipeline/media/split_stage.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

std::string segment_name(size_t i, const char* suffix) {
  char name[48];
  std::snprintf(name, sizeof name, "segment-%03zu%s", i, suffix);
  return name;
}

// OUT.omnicut.json -> OUT.omnicut.d: the segments' ledgers outlive the work folder, as records.
fs::path ledger_dir_for(const std::string& ledger_path) {
  fs::path p(ledger_path);
  std::string name = p.filename().string();
  if (auto pos = name.rfind(".json"); pos != std::string::npos) name.erase(pos);
  return p.parent_path() / (name + ".d");
}

fs::path edited_part(const fs::path& work, size_t i) { return work / "edited" / segment_name(i, ".edited.mp4"); }

// Segment i's own session: the parent's endpoint, billing and turns over the segment's range.
Session segment_session(const Session& parent, const ManifestSegment& seg, const std::string& prepped) {
  Session c;
  c.endpoint = parent.endpoint, c.server = parent.server, c.local = parent.local, c.billing = parent.billing;
  c.source = parent.source;
  c.prep.start = seg.start, c.prep.end = seg.end, c.prep.duration = seg.end - seg.start;
  c.prep.output = prepped;
  c.prep.frames = seg.frames;
  c.prep.segment = seg.index;
  c.options.segment_of = parent.output;
  c.options.segment = seg.index;
  return c;
}

// Prompts added to the parent (new or resumed) become the same turns in every segment.
void sync_turns(const Session& parent, Session& kid) {
  for (size_t k = kid.turns.size(); k < parent.turns.size(); ++k) {
    TurnRecord t;
    t.turn = parent.turns[k].turn, t.prompt = parent.turns[k].prompt, t.endpoint = parent.turns[k].endpoint;
    t.resolution = parent.turns[k].resolution;
    kid.turns.push_back(t);
  }
}

// Scene scan and prep of every segment into the work folder; nothing leaves the machine.
void split_source(SessionFile& f, const fs::path& work, EditContext& ctx) {
  Session& s = f.session;
  ctx.events->stage("split", s.source.path);
  SplitRequest req;
  req.input = s.source.path;
  req.dir = (work / "segments").string();
  req.info = f.source_info;
  SplitOutcome so = run_split(req, find_endpoint(s.endpoint), [&](int i, int n) { ctx.events->progress(i, n, "segments"); });
  SplitRecord split{so.manifest, {}};
  fs::path ledgers = ledger_dir_for(f.path);
  for (size_t i = 0; i < so.manifest.segments.size(); ++i) {
    const auto& seg = so.manifest.segments[i];
    split.segments.push_back({seg.index, seg.start, seg.end, so.outputs[i], so.paths[i],
                              (ledgers / segment_name(i, ".omnicut.json")).string()});
  }
  s.split = split;
  ctx.events->finish(std::to_string(split.segments.size()) + " segments (" + format_seconds(s.source.duration) + ")");
}

std::vector<SessionFile> open_segments(const Session& parent, const std::string& parent_path) {
  const SplitRecord& split = *parent.split;
  std::vector<SessionFile> kids;
  for (size_t i = 0; i < split.segments.size(); ++i) {
    const std::string& path = split.segments[i].ledger;
    std::error_code ec;
    Session s = fs::exists(path, ec) ? load_session(path) : segment_session(parent, split.manifest.segments[i], split.segments[i].file);
    sync_turns(parent, s);
    kids.push_back({s, path, parent_path});
  }
  return kids;
}

// Per turn: what its segments cost (or, unsent, are estimated to), summed; the parent turn is as
// far as its least advanced segment.
void roll_up(Session& parent, const std::vector<SessionFile>& kids) {
  for (size_t k = 0; k < parent.turns.size(); ++k) {
    TurnRecord& t = parent.turns[k];
    t.cost_usd = 0.0, t.estimated_usd = 0, t.tokens = TurnTokens{}, t.billed.reset(), t.cost_source.clear();
    bool all_done = true, any_sent = false, any_failed = false;
    for (const auto& kid : kids) {
      const TurnRecord& c = kid.session.turns[k];
      add_cost(t, c);
      all_done &= c.status == turn_status::completed;
      any_sent |= c.status != turn_status::pending;
      any_failed |= c.status == turn_status::failed;
    }
    t.status = all_done ? turn_status::completed
               : any_failed ? turn_status::failed
               : any_sent ? turn_status::submitted
                          : turn_status::pending;
  }
}

// Every unsent turn of every segment, priced before anything is sent.
double show_split_estimate(const SessionFile& f, const std::vector<SessionFile>& kids, EditContext& ctx) {
  const Session& s = f.session;
  CostModel model(s.billing);
  EstimateView v{s.endpoint, s.source.duration, kids.size(), {}, 0, s.cost_usd(), s.local, s.billing, s.options.resolution, {}};
  for (size_t k = 0; k < s.turns.size(); ++k) {
    EstimateRow row{s.turns[k].turn, s.turns[k].prompt, s.turns[k].status, {}, 0, 0};
    for (const auto& kid : kids) {
      const TurnRecord& t = kid.session.turns[k];
      if (!turn_to_submit(t)) continue;
      bool audio = t.turn == 1 ? s.source.has_audio : true;
      row.usd += model.turn(kid.session.prep.duration, audio, t.prompt, t.resolution).usd();
      ++row.segments_to_submit;
    }
    v.usd += row.usd;
    v.turns.push_back(row);
  }
  ctx.events->estimate(v);
  return v.usd;
}

// One segment: upload its prepped file once, run its turns, download the last result.
void run_segment(SessionFile& kid, const fs::path& part, const EditOptions& o, EditContext& ctx) {
  if (!kid.session.upload) {
    std::error_code ec;
    const std::string& prepped = kid.session.prep.output;
    if (!fs::is_regular_file(prepped, ec))
      throw Error(ErrorKind::not_found, prepped, "the segment's prepped file is gone (the work folder was removed): start a new session");
    upload_prepped(kid, ctx);
  }
  for (size_t i = 0; i < kid.session.turns.size(); ++i) run_turn(kid, i, o, ctx);
  fs::create_directories(part.parent_path());
  download_result(kid, kid.session.turns.back(), part, ctx);
}

// At most `jobs` segments in flight, each on its own thread with its own transport and a
// events tagged with its index. The first failure stops new segments from starting; those
// already running finish (their turns are paid for), then it is rethrown.
void run_segments(std::vector<SessionFile>& kids, const fs::path& work, const EditOptions& o, EditContext& ctx) {
  std::atomic<size_t> next{0};
  std::mutex failed_mutex;
  std::exception_ptr failed;
  auto worker = [&] {
    client::Fal fal = *ctx.fal;
    for (size_t i; (i = next++) < kids.size();) {
      {
        std::lock_guard<std::mutex> lock(failed_mutex);
        if (failed) return;
      }
      std::unique_ptr<EditEvents> events = ctx.events->segment(i);
      EditContext c = ctx;
      c.fal = &fal, c.events = events.get();
      try {
        // The parent's lock covers its segments; this one stops a segment's ledger being
        // resumed on its own at the same time.
        SessionLock segment_lock(kids[i].path);
        auto remote = WorkSlots::remote(ctx.slots);
        run_segment(kids[i], edited_part(work, i), o, c);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failed_mutex);
        if (!failed) failed = std::current_exception();
      }
    }
  };
  size_t n = std::min<size_t>(static_cast<size_t>(std::max(o.jobs, 1)), kids.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failed) std::rethrow_exception(failed);
}

nlohmann::json join_segments(SessionFile& f, const std::vector<SessionFile>& kids, const fs::path& work, EditContext& ctx) {
  Session& s = f.session;
  ctx.events->stage("join", std::to_string(kids.size()) + " segments, the source's audio over " +
                                  format_seconds(s.source.duration));
  JoinRequest req;
  for (size_t i = 0; i < kids.size(); ++i) req.parts.push_back(edited_part(work, i).string());
  req.output = s.output, req.audio = s.source.path, req.manifest_record = s.split->manifest;
  JoinOutcome j = run_join(req);
  for (const auto& n : j.remux.notices) ctx.events->notice("join: " + n);
  ctx.events->finish(std::string(j.concat.copied ? "copied" : "re-encoded") + " " + std::to_string(j.concat.frames) +
                       " frames, audio " + j.remux.audio_mode + " -> " + s.output);
  s.final_output = FinalRecord{s.output, s.turns.back().turn, j.remux, std::nullopt, j.concat, now_iso8601(), std::nullopt};
  return to_json(*s.final_output)["remux"];
}

// Estimate, --max-cost and confirmation; a refusal of a fresh split leaves nothing behind.
double approve(const SessionFile& f, const std::vector<SessionFile>& kids, const EditOptions& o, EditContext& ctx) {
  double usd = show_split_estimate(f, kids, ctx);
  if (o.max_cost) check_budget(f.path, usd, *o.max_cost);
  bool sends = false;
  for (const auto& kid : kids)
    for (const auto& t : kid.session.turns) sends |= turn_to_submit(t);
  if (!o.dry_run && sends && !f.session.local)
    require_consent(f.path, ctx.events->confirm("Submit " + std::to_string(kids.size()) + " segments for about " +
                                                format_usd(usd) + "?"));
  return usd;
}

}  // namespace

EditOutcome run_split_edit(SessionFile& f, const EditOptions& o, EditContext& ctx) {
  Session& s = f.session;
  const fs::path work = work_dir_for(f.path);
  const bool fresh = !s.split;
  EditOutcome out;
  out.ledger_path = f.path;
  std::vector<SessionFile> kids;
  try {
    if (fresh) {
      auto local = WorkSlots::local(ctx.slots);
      split_source(f, work, ctx);
    }
    kids = open_segments(s, f.path);
    if (!o.resume_path.empty())
      for (auto& kid : kids) rebase_local(kid.session, ctx);
    out.estimate_usd = approve(f, kids, o, ctx);
  } catch (...) {
    std::error_code ec;
    if (fresh) fs::remove_all(work, ec);
    throw;
  }
  if (o.dry_run) {
    if (fresh) fs::remove_all(work);
    ctx.events->notice("dry run: nothing uploaded or submitted; no ledger written");
    out.dry_run = true;
    out.session = s;
    return out;
  }
  fs::create_directories(ledger_dir_for(f.path));
  f.save();  // the split and the segments' ledgers are known before anything is sent
  for (auto& kid : kids) kid.save();
  try {
    run_segments(kids, work, o, ctx);
  } catch (...) {
    roll_up(s, kids);
    f.save();
    throw;
  }
  roll_up(s, kids);
  {
    auto local = WorkSlots::local(ctx.slots);
    out.remux = join_segments(f, kids, work, ctx);
  }
  f.save();
  std::error_code ec;
  fs::remove_all(work, ec);
  out.session = s;
  ctx.events->cost(s.cost_usd(), s.local);
  ctx.events->result({s.output, f.path, s.cost_usd(), s.local, kids.size(), out.remux, ""});
  return out;
}

}  // namespace omnicut
