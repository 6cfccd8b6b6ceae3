#include "pipeline/media/remux_stage.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "codecs/probe.h"
#include "codecs/transcode.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "pipeline/media/prep_sidecar.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;

// Either the sidecar itself or the prep output it sits beside.
PrepSidecar load_sidecar(const std::string& path, std::string& used) {
  if (path.size() < 5 || path.substr(path.size() - 5) != ".json") {
    used = sidecar_path(path).string();
    return read_sidecar(path);
  }
  used = path;
  return read_sidecar_file(path, "no such prep sidecar");
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::path(a).filename() == fs::path(b).filename();
}

// The edited video re-encoded at the source's geometry into a temporary file beside the output
// (removed when `scratch` goes).
std::string restore_video(const RemuxRequest& req, const PrepSidecar& sidecar, const AtomicFile& scratch,
                          RestorePlan& plan) {
  MediaInfo info = probe(req.spec.video);
  if (!info.video) throw Error(ErrorKind::unsupported, req.spec.video, "no video stream: not an edited clip");
  plan = plan_restore(sidecar, info.video->width, info.video->height, req.max_height);
  TranscodeSpec t;
  t.input = req.spec.video;
  t.output = scratch.temp_path().string();
  t.video_stream = info.video->index;
  t.geometry = plan.geometry;
  t.crf = req.crf;
  t.preset = req.preset;
  if (req.spec.keep_edit_audio && !info.audio.empty()) {
    t.audio_stream = info.audio.front().index;
    t.copy_audio = true;
  }
  transcode(t);
  return t.output;
}

// The picture's timing over the range remux lays the audio on, and what the mode makes of it. A
// measure that fails is a notice (the audio goes by the clock); --sync refuse's refusal is thrown.
std::optional<SyncAction> measure_sync(const RemuxRequest& req, const RemuxSpec& spec, std::vector<std::string>& notices) {
  std::optional<SyncMeter> own;
  SyncMeter* meter = req.meter;
  if (!meter) meter = &own.emplace(spec.audio, spec.start, spec.end);
  try {
    SyncAction act = act_on_alignment(meter->measure(req.spec.video), *req.sync, req.spec.video);
    if (!act.said.empty()) notices.push_back(act.said);
    return act;
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted || e.kind() == ErrorKind::refused) throw;
    notices.push_back(std::string("sync: not measured (") + e.what() + "); the source's audio is laid by the clock");
    return std::nullopt;
  }
}

}  // namespace

RemuxOutcome run_remux(const RemuxRequest& req) {
  RemuxOutcome out;
  RemuxSpec spec = req.spec;
  std::optional<PrepSidecar> sidecar = req.sidecar_record;
  if (!sidecar && !req.sidecar.empty()) sidecar = load_sidecar(req.sidecar, out.sidecar);
  if (req.restore && !sidecar)
    throw Error(ErrorKind::usage, req.spec.video, "--restore needs --sidecar PREP.json (what prep did)");
  if (sidecar) {
    if (!req.start_given) spec.start = sidecar->start;
    if (!req.end_given && sidecar->end > sidecar->start) spec.end = sidecar->end;
  }
  std::optional<AtomicFile> scratch;
  if (req.restore) {
    fs::path o(req.spec.output);
    scratch.emplace(o.parent_path() / (o.stem().string() + ".restore.mp4"));
    RestorePlan plan;
    spec.video = restore_video(req, *sidecar, *scratch, plan);
    out.restore = plan;
  }
  if (req.sync) out.sync = measure_sync(req, spec, out.result.notices);
  if (out.sync) spec.timing = out.sync->timing;
  std::vector<std::string> said = std::move(out.result.notices);
  out.result = remux(spec);
  out.result.notices.insert(out.result.notices.begin(), said.begin(), said.end());
  if (sidecar && !same_file(sidecar->source, req.spec.audio))
    out.result.notices.push_back("the sidecar was made from " + sidecar->source + ", not " + req.spec.audio);
  return out;
}

nlohmann::json to_json(const RemuxResult& r) {
  return {{"output", r.output},
          {"video", {{"frames", r.video_frames}, {"fps", r.video_fps}, {"duration", r.video_duration}}},
          {"range", {{"start", r.range_start}, {"end", r.range_end}, {"duration", r.range_duration}}},
          {"duration_difference", r.duration_difference},
          {"audio",
           {{"mode", r.audio_mode},
            {"reason", r.audio_reason},
            {"source_stream", r.source_audio_stream},
            {"source_codec", r.source_audio_codec},
            {"duration", r.audio_duration},
            {"padded", r.audio_padded},
            {"trimmed", r.audio_trimmed},
            {"timing", {{"offset", r.audio_timing.offset}, {"scale", r.audio_timing.scale}}}}},
          {"edit_audio_kept", r.edit_audio_kept},
          {"notices", r.notices}};
}

RemuxResult remux_result_from_json(const nlohmann::json& j, const std::string& subject) {
  try {
    RemuxResult r;
    r.output = j.at("output").get<std::string>();
    const auto& video = j.at("video");
    r.video_frames = video.at("frames").get<int64_t>();
    r.video_fps = video.at("fps").get<double>();
    r.video_duration = video.at("duration").get<double>();
    const auto& range = j.at("range");
    r.range_start = range.at("start").get<double>();
    r.range_end = range.at("end").get<double>();
    r.range_duration = range.at("duration").get<double>();
    r.duration_difference = j.at("duration_difference").get<double>();
    const auto& audio = j.at("audio");
    r.audio_mode = audio.at("mode").get<std::string>();
    r.audio_reason = audio.at("reason").get<std::string>();
    r.source_audio_stream = audio.at("source_stream").get<int>();
    r.source_audio_codec = audio.at("source_codec").get<std::string>();
    r.audio_duration = audio.at("duration").get<double>();
    r.audio_padded = audio.at("padded").get<double>();
    r.audio_trimmed = audio.at("trimmed").get<double>();
    if (auto t = audio.find("timing"); t != audio.end())  // absent before sync correction existed
      r.audio_timing = {t->at("offset").get<double>(), t->at("scale").get<double>()};
    r.edit_audio_kept = j.at("edit_audio_kept").get<bool>();
    r.notices = j.at("notices").get<std::vector<std::string>>();
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::not_media, subject, std::string("not a remux result: ") + e.what());
  }
}

nlohmann::json to_json(const RemuxOutcome& o) {
  nlohmann::json j = to_json(o.result);
  j["sidecar"] = o.sidecar.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.sidecar);
  j["restore"] = o.restore ? nlohmann::json{{"width", o.restore->width}, {"height", o.restore->height}} : nlohmann::json();
  j["sync"] = o.sync ? to_json(o.sync->measured) : nlohmann::json();
  if (o.sync) j["sync"]["corrected"] = o.sync->corrected;
  return j;
}

}  // namespace omnicut
