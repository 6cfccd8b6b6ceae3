#include <chrono>

#include "client/download.h"
#include "codecs/remux.h"
#include "pipeline/media/remux_stage.h"
#include "pipeline/edit/edit_steps.h"
#include "pipeline/support/format.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

client::RemoteFile remote_of(const ResultFile& r) {
  client::RemoteFile f;
  f.url = r.url, f.content_type = r.content_type, f.file_name = r.file_name;
  if (r.file_size > 0) f.file_size = static_cast<uint64_t>(r.file_size);
  return f;
}

bool already_downloaded(const TurnRecord& t, const fs::path& dest) {
  std::error_code ec;
  return t.local_path == dest.string() && fs::is_regular_file(dest, ec) &&
         (t.result->file_size <= 0 || fs::file_size(dest, ec) == static_cast<uint64_t>(t.result->file_size));
}

// Every finished turn's picture against the source range, the source's motion decoded once: the
// last turn's is measured by the remux that acts on it. A turn that cannot be measured is said so.
void measure_earlier_turns(Session& s, SyncMeter& meter, EditContext& ctx) {
  std::error_code ec;
  for (auto& t : s.turns) {
    if (&t == &s.turns.back() || t.status != turn_status::completed || t.sync || t.local_path.empty() ||
        !fs::is_regular_file(t.local_path, ec))
      continue;
    try {
      t.sync = meter.measure(t.local_path);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      ctx.events->notice("sync: turn " + std::to_string(t.turn) + " not measured: " + e.what());
    }
  }
}

}  // namespace

void download_result(SessionFile& f, TurnRecord& t, const fs::path& dest, EditContext& ctx) {
  if (already_downloaded(t, dest)) return;
  ctx.events->stage("download", "turn " + std::to_string(t.turn));
  client::DownloadOptions opts;
  opts.progress = [&](uint64_t done, uint64_t total) { ctx.events->progress(double(done), double(total), "bytes"); };
  auto started = std::chrono::steady_clock::now();
  auto d = client::download_file(*ctx.fal, remote_of(*t.result), dest, opts);
  t.local_path = d.path.string();
  t.timings.download_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  f.save();
  ctx.events->finish(format_bytes(d.size) + (d.resumes ? ", resumed " + std::to_string(d.resumes) + "x" : "") +
                     " -> " + d.path.filename().string());
}

fs::path work_dir_for(const std::string& ledger_path) {
  fs::path p(ledger_path);
  std::string name = p.filename().string();
  if (auto pos = name.rfind(".json"); pos != std::string::npos) name.erase(pos);
  return p.parent_path() / ("." + name + ".work");
}

nlohmann::json finish_output(SessionFile& f, const EditOptions& o, EditContext& ctx, const fs::path& work) {
  Session& s = f.session;
  fs::path out(s.output);
  const bool keep_turns = o.keep_turns || s.options.keep_turns;
  if (keep_turns) {
    for (auto& t : s.turns)
      if (t.status == turn_status::completed && t.result)
        download_result(f, t, out.parent_path() / (out.stem().string() + ".turn" + std::to_string(t.turn) + ".mp4"), ctx);
  }
  // The report shows every turn: those not kept are fetched into the work folder.
  if (!keep_turns) {
    fs::create_directories(work);
    for (auto& t : s.turns)
      if (t.status == turn_status::completed && t.result && (o.report || &t == &s.turns.back()))
        download_result(f, t, work / ("turn" + std::to_string(t.turn) + ".mp4"), ctx);
  }
  TurnRecord& last = s.turns.back();
  const fs::path edited = last.local_path;
  SyncMeter meter(s.source.path, s.prep.start, s.prep.end);
  measure_earlier_turns(s, meter, ctx);

  const bool restore = o.restore || s.options.restore;
  ctx.events->stage("remux", "source audio over " + format_seconds(s.prep.start) + " .. " +
                                   format_seconds(s.prep.end) + (restore ? ", restoring the source's frame" : ""));
  RemuxRequest req;
  req.spec.video = edited.string();
  req.spec.audio = s.source.path;
  req.spec.output = s.output;
  req.spec.start = s.prep.start;
  req.spec.end = s.prep.end;
  req.start_given = req.end_given = true;
  req.restore = restore;
  req.sidecar_record = s.prep.sidecar;  // prep's sidecar lives on in the ledger (its file went with the work folder)
  req.spec.length_from_model = true;    // the model's own result: a new length is said, not refused
  req.sync = parse_sync_mode(s.options.sync);
  req.meter = &meter;
  if (restore && !req.sidecar_record)
    throw Error(ErrorKind::usage, "--restore", "the session has no record of prep's geometry to undo");
  RemuxOutcome outcome = run_remux(req);
  const RemuxResult& r = outcome.result;
  for (const auto& n : r.notices) ctx.events->notice(n.rfind("sync: ", 0) == 0 ? n : "remux: " + n);
  std::string restored = outcome.restore ? ", restored to " + std::to_string(outcome.restore->width) + "x" +
                                               std::to_string(outcome.restore->height) : "";
  ctx.events->finish("audio " + r.audio_mode + ", " + std::to_string(r.video_frames) + " frames" + restored + " -> " + s.output);
  std::optional<Alignment> sync;
  if (outcome.sync) sync = last.sync = outcome.sync->measured;
  FinalRecord done{s.output, last.turn, r, std::nullopt, std::nullopt, now_iso8601(), sync};
  if (outcome.restore) done.restore = RestoredSize{outcome.restore->width, outcome.restore->height};
  s.final_output = done;
  f.save();
  nlohmann::json remux = to_json(done)["remux"];
  remux["sync"] = done.sync ? to_json(*done.sync) : nlohmann::json();  // the result event carries it
  return remux;
}

}  // namespace omnicut
