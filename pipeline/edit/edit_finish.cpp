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

// Whether the edited picture kept the source's timing. The source's audio is laid by the clock
// either way; a picture that moved, or a measure that cannot tell, is said in one line.
std::optional<Alignment> check_sync(const fs::path& edited, const Session& s, EditContext& ctx) {
  try {
    Alignment a = measure_alignment(edited.string(), s.source.path, s.prep.start, s.prep.end);
    if (!a.confident) ctx.events->notice("sync: " + a.verdict + "; the source's audio is laid by the clock");
    else if (!a.in_sync)
      ctx.events->notice("sync: the edited " + a.verdict + " against the source (confidence " +
                         std::to_string(a.confidence).substr(0, 4) +
                         "): the source's audio, laid by the clock, is off by as much; `omnicut sync` shows it");
    return a;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) throw;
    ctx.events->notice(std::string("sync: not measured: ") + e.what());
    return std::nullopt;
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
  TurnRecord& last = s.turns.back();
  fs::path edited = keep_turns ? fs::path(last.local_path) : work / ("turn" + std::to_string(last.turn) + ".mp4");
  if (!keep_turns) {
    fs::create_directories(work);
    download_result(f, last, edited, ctx);
  }

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
  if (restore && !req.sidecar_record)
    throw Error(ErrorKind::usage, "--restore", "the session has no record of prep's geometry to undo");
  RemuxOutcome outcome = run_remux(req);
  const RemuxResult& r = outcome.result;
  for (const auto& n : r.notices) ctx.events->notice("remux: " + n);
  std::string restored = outcome.restore ? ", restored to " + std::to_string(outcome.restore->width) + "x" +
                                               std::to_string(outcome.restore->height) : "";
  ctx.events->finish("audio " + r.audio_mode + ", " + std::to_string(r.video_frames) + " frames" + restored + " -> " + s.output);
  FinalRecord done{s.output, last.turn, r, std::nullopt, std::nullopt, now_iso8601(), check_sync(edited, s, ctx)};
  if (outcome.restore) done.restore = RestoredSize{outcome.restore->width, outcome.restore->height};
  s.final_output = done;
  f.save();
  nlohmann::json remux = to_json(done)["remux"];
  remux["sync"] = done.sync ? to_json(*done.sync) : nlohmann::json();  // the result event carries it
  return remux;
}

}  // namespace omnicut
