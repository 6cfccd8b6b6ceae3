#include "pipeline/money/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "codecs/header_probe.h"
#include "pipeline/support/format.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

const Endpoint& endpoint_of(const EstimateRequest& r) { return r.endpoint ? *r.endpoint : default_endpoint(); }
std::string resolution_of(const EstimateRequest& r) {
  return r.resolution.empty() ? endpoint_of(r).default_resolution : r.resolution;
}

TurnCost scaled(const TurnCost& c, int k) {
  TurnCost s = c;
  s.tokens.input_video *= k, s.tokens.input_audio *= k, s.tokens.input_text *= k, s.tokens.output_video *= k;
  s.output_seconds *= k;
  s.input_usd *= k, s.output_usd *= k;
  return s;
}

bool has_usable_audio(const MediaInfo& info) {
  return std::any_of(info.audio.begin(), info.audio.end(), [](const AudioInfo& a) { return a.decodable; });
}

std::string fmt(const char* format, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, format, a, b);
  return buf;
}

// Decides what prep would send for the requested range of `info`.
void plan_range(const MediaInfo& info, const EstimateRequest& r, FileEstimate& e) {
  const Endpoint& ep = endpoint_of(r);
  // prep sends the video's range: a longer audio track does not add seconds.
  double whole = info.length > 0 ? info.length : info.video && info.video->duration > 0 ? info.video->duration : info.duration;
  double start = std::max(0.0, r.start.value_or(0.0));
  double end = std::min(whole, r.end.value_or(whole));
  double length = end - start;
  if (length <= 0) throw Error(ErrorKind::usage, info.path, "the range " + format_seconds(start) + " to " +
                                                             format_seconds(end) + " is outside the file");
  e.plan = (r.start || r.end) ? SendPlan::trimmed : SendPlan::whole;
  e.segments = 1;
  e.sent_seconds = e.segment_seconds = length;
  if (ep.max_duration > 0 && length > ep.max_duration + 1e-6) {
    if (r.split) {
      e.plan = SendPlan::split;
      e.segments = static_cast<int>(std::ceil(length / ep.max_duration - 1e-9));
      e.segment_seconds = length / e.segments;
      e.note = fmt("longer than the %.0f s limit: split into ", ep.max_duration) + std::to_string(e.segments) +
               fmt(" segments of %.2f s (or trim with --start/--end)", e.segment_seconds);
    } else {
      e.plan = SendPlan::trimmed;
      e.sent_seconds = e.segment_seconds = ep.max_duration;
      e.note = fmt("trimmed to the %.0f s limit", ep.max_duration);
    }
  } else if (length < ep.min_duration - 1e-6) {
    e.plan = SendPlan::too_short;
    e.note = fmt("shorter than the endpoint's %.0f s minimum: it would refuse this clip", ep.min_duration);
  } else if (e.plan == SendPlan::trimmed) {
    e.note = fmt("range %.2f s to %.2f s", start, end);
  }
}

}  // namespace

double BatchEstimate::sent_seconds() const {
  double s = 0;
  for (const auto& f : files) s += f.sent_seconds;
  return s;
}

double BatchEstimate::usd() const {
  double s = 0;
  for (const auto& f : files) s += f.turns.usd();
  return s;
}

int BatchEstimate::failed() const {
  return static_cast<int>(std::count_if(files.begin(), files.end(), [](const FileEstimate& f) { return !f.ok(); }));
}

EstimateRequest default_estimate_request(int turns, const std::string& prompt) {
  EstimateRequest r;
  r.endpoint = &default_endpoint();
  r.billing = r.endpoint->billing;
  r.prompts.assign(std::max(turns, 1), prompt);
  return r;
}

std::vector<std::string> prompts_per_turn(int turns, const std::vector<std::string>& prompts,
                                          const std::string& turns_subject) {
  if (turns < 1) throw Error(ErrorKind::usage, turns_subject, "must be at least 1");
  std::vector<std::string> out;
  const int n = std::max<int>(turns, static_cast<int>(prompts.size()));
  for (int i = 0; i < n; ++i) out.push_back(prompts.empty() ? "" : prompts[std::min<size_t>(i, prompts.size() - 1)]);
  return out;
}

FileEstimate estimate_media(const MediaInfo& info, const EstimateRequest& r) {
  FileEstimate e;
  e.path = info.path;
  e.duration = info.duration;
  if (!info.video) throw Error(ErrorKind::unsupported, info.path, "no video stream: nothing to edit");
  plan_range(info, r, e);
  e.has_audio = has_usable_audio(info);
  CostModel model(r.billing);
  e.resolution = resolution_of(r);
  if (r.billing.kind == BillingKind::tokens) {
    e.input_tokens_per_s = r.billing.input_video_tokens_per_s + (e.has_audio ? r.billing.input_audio_tokens_per_s : 0);
    e.output_tokens_per_s = r.billing.output_video_tokens_per_s;
  } else {
    e.usd_per_output_second = model.usd_per_output_second(e.resolution).value_or(0);
  }
  auto per_segment = model.session(e.segment_seconds, e.has_audio, r.prompts, e.resolution);
  for (const auto& t : per_segment.turns) e.turns.turns.push_back(scaled(t, e.segments));
  if (!e.turns.turns.empty()) e.first_turn = e.turns.turns.front();
  return e;
}

FileEstimate estimate_file(const std::string& path, const EstimateRequest& r) {
  try {
    return estimate_media(probe_headers(path), r);
  } catch (const Error& err) {
    FileEstimate e;
    e.path = path;
    e.error = err.what();
    e.error_kind = err.kind();
    return e;
  }
}

std::vector<std::string> expand_media_paths(const std::vector<std::string>& args) {
  static const std::set<std::string> exts = {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mts", ".m2ts",
                                             ".ts",  ".mpg", ".mpeg", ".wmv", ".flv", ".3gp", ".mxf", ".ogv"};
  std::vector<std::string> out;
  for (const auto& arg : args) {
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(arg, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
      if (exts.count(ext) && it->path().filename().string().rfind(".", 0) != 0) found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

BatchEstimate estimate_paths(const std::vector<std::string>& args, const EstimateRequest& r) {
  BatchEstimate b;
  b.turns = static_cast<int>(r.prompts.size());
  for (const auto& path : expand_media_paths(args)) b.files.push_back(estimate_file(path, r));
  return b;
}

namespace {

void token_assumptions(const EstimateRequest& r, std::vector<std::string>& a) {
  const Endpoint& ep = endpoint_of(r);
  const Billing& b = r.billing;
  char buf[320];
  std::snprintf(buf, sizeof buf, "endpoint %s: input $%.3f, output $%.3f per 1M tokens", ep.id.c_str(),
                b.input_usd_per_mtok, b.output_usd_per_mtok);
  a.push_back(buf);
  std::snprintf(buf, sizeof buf,
                "input %.0f tokens/s of video + %.0f/s of audio (when the clip has audio); output %.0f tokens/s of 720p video, as long as the input",
                b.input_video_tokens_per_s, b.input_audio_tokens_per_s, b.output_video_tokens_per_s);
  a.push_back(buf);
  a.push_back("turn 1 reads the prepped source; each later turn reads the previous turn's output, which has the model's audio");
  std::snprintf(buf, sizeof buf, "prompt text: about %.0f characters a token%s", b.prompt_chars_per_token,
                std::all_of(r.prompts.begin(), r.prompts.end(), [](const std::string& p) { return p.empty(); })
                    ? " (no --prompt given: counted as 0)" : "");
  a.push_back(buf);
}

void per_second_assumptions(const EstimateRequest& r, std::vector<std::string>& a) {
  const Endpoint& ep = endpoint_of(r);
  const Billing& b = r.billing;
  CostModel model(b);
  const std::string res = resolution_of(r);
  const double rate = model.usd_per_output_second(res).value_or(0);
  char buf[400];
  std::snprintf(buf, sizeof buf, "endpoint %s: $%.2f per second of output at %s, nothing for the input or the prompt",
                ep.id.c_str(), rate, res.c_str());
  a.push_back(buf);
  std::string grid;
  for (const auto& size : ep.resolutions) {
    std::snprintf(buf, sizeof buf, "%s%s $%.2f", grid.empty() ? "" : ", ", size.name.c_str(),
                  model.usd_per_output_second(size.name).value_or(0));
    grid += buf;
  }
  a.push_back("per-second prices by output resolution: " + grid);
  a.push_back("the output is as long as the input (the clip prep sends); each turn reads the previous turn's output");
  std::snprintf(buf, sizeof buf,
                "fal bills the output file's length, whose audio runs about %.3f s past the video: about $%.4f a turn at %s, "
                "not included above", b.audio_overhang_s, b.audio_overhang_s * rate, res.c_str());
  a.push_back(buf);
}

}  // namespace

std::vector<std::string> estimate_assumptions(const EstimateRequest& r) {
  const Endpoint& ep = endpoint_of(r);
  std::vector<std::string> a;
  char buf[320];
  if (r.billing.kind == BillingKind::output_seconds) per_second_assumptions(r, a);
  else token_assumptions(r, a);
  std::snprintf(buf, sizeof buf, "clips over %.0f s are priced as split into equal segments of at most %.0f s%s",
                ep.max_duration, ep.max_duration, r.split ? "" : " (here: trimmed to the limit instead)");
  a.push_back(buf);
  a.push_back("fal's own invoice is what counts: these figures follow its published accounting");
  return a;
}

const char* send_plan_name(SendPlan plan) {
  switch (plan) {
    case SendPlan::whole: return "whole";
    case SendPlan::trimmed: return "trimmed";
    case SendPlan::split: return "split";
    case SendPlan::too_short: return "too_short";
  }
  return "whole";
}

nlohmann::json to_json(const FileEstimate& e) {
  if (!e.ok()) return {{"path", e.path}, {"error", e.error}};
  nlohmann::json turns = nlohmann::json::array();
  for (const auto& t : e.turns.turns) turns.push_back(to_json(t));
  return {{"path", e.path},
          {"duration", e.duration},
          {"plan", send_plan_name(e.plan)},
          {"sent_seconds", e.sent_seconds},
          {"segments", e.segments},
          {"segment_seconds", e.segment_seconds},
          {"has_audio", e.has_audio},
          {"input_tokens_per_s", e.input_tokens_per_s},
          {"output_tokens_per_s", e.output_tokens_per_s},
          {"resolution", e.resolution},
          {"usd_per_output_second", e.usd_per_output_second},
          {"input_tokens", e.turns.input_tokens()},
          {"output_tokens", e.turns.output_tokens()},
          {"usd_per_turn", e.first_turn.usd()},
          {"usd", e.turns.usd()},
          {"turns", turns},
          {"note", e.note}};
}

nlohmann::json to_json(const BatchEstimate& b, const EstimateRequest& r) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : b.files) files.push_back(to_json(f));
  return {{"endpoint", endpoint_of(r).id},
          {"resolution", resolution_of(r)},
          {"turns", b.turns},
          {"billing", billing_to_json(r.billing)},
          {"assumptions", estimate_assumptions(r)},
          {"files", files},
          {"total", {{"files", b.files.size()}, {"failed", b.failed()}, {"sent_seconds", b.sent_seconds()}, {"usd", b.usd()}}}};
}

}  // namespace omnicut

namespace omnicut {

namespace {

// `edit --draft` then `--final`: the chain at the endpoint's lowest resolution, then again at a
// higher one. One row per final resolution, after the plain rows of that endpoint.
void add_draft_rows(std::vector<CompareRow>& rows) {
  const size_t plain = rows.size();
  for (const auto& ep : endpoint_table()) {
    if (!ep.takes_resolution() || ep.resolutions.size() < 2) continue;
    auto row_for = [&](const std::string& res) {
      for (size_t i = 0; i < plain; ++i)
        if (rows[i].endpoint == ep.id && rows[i].resolution == res) return rows[i];
      return CompareRow{};
    };
    const CompareRow draft = row_for(ep.resolutions.front().name);
    for (size_t k = 1; k < ep.resolutions.size(); ++k) {
      const CompareRow final_row = row_for(ep.resolutions[k].name);
      rows.push_back({ep.id, draft.resolution + " draft + " + final_row.resolution + " final",
                      draft.usd_per_turn + final_row.usd_per_turn, draft.usd + final_row.usd, false});
    }
  }
}

}  // namespace

std::vector<CompareRow> compare_endpoints(const std::vector<std::string>& args, const EstimateRequest& request) {
  std::vector<MediaInfo> media;  // each file's headers read once, priced for every row
  for (const auto& path : expand_media_paths(args)) {
    try {
      media.push_back(probe_headers(path));
    } catch (const Error&) {  // unreadable: listed by the estimate itself, priced nowhere
    }
  }
  std::vector<CompareRow> rows;
  const Endpoint& own = endpoint_of(request);
  for (const auto& ep : endpoint_table()) {
    for (const auto& size : ep.resolutions) {
      EstimateRequest r = request;
      r.endpoint = &ep;
      r.billing = ep.id == own.id ? request.billing : ep.billing;
      r.resolution = size.name;
      CompareRow row{ep.id, size.name, 0, 0, ep.id == own.id && size.name == resolution_of(request)};
      for (const auto& info : media) {
        try {
          FileEstimate f = estimate_media(info, r);
          row.usd_per_turn += f.first_turn.usd(), row.usd += f.turns.usd();
        } catch (const Error&) {  // no video: unpriced here as in the estimate
        }
      }
      rows.push_back(row);
    }
  }
  add_draft_rows(rows);
  std::stable_sort(rows.begin(), rows.end(), [](const CompareRow& a, const CompareRow& b) { return a.usd < b.usd; });
  return rows;
}

nlohmann::json to_json(const CompareRow& row) {
  return {{"endpoint", row.endpoint}, {"resolution", row.resolution}, {"usd_per_turn", row.usd_per_turn},
          {"usd", row.usd}, {"chosen", row.chosen}};
}

}  // namespace omnicut
