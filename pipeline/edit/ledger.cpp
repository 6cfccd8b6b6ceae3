#include "pipeline/edit/ledger.h"

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/iso_time.h"
#include "pipeline/media/audio_sync.h"
#include "pipeline/media/join_stage.h"
#include "pipeline/media/remux_stage.h"
#include "pipeline/support/format.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {
bool billed_here(const TurnRecord& t) { return t.status != turn_status::pending && t.inherited_from.empty(); }

// Every turn the session sent: the draft chain's (after --final), then `turns`.
template <class F>
void for_each_turn(const Session& s, F f) {
  if (s.draft)
    for (const auto& t : s.draft->turns) f(t);
  for (const auto& t : s.turns) f(t);
}
}  // namespace

double DraftRecord::cost_usd() const {
  double sum = 0;
  for (const auto& t : turns)
    if (billed_here(t)) sum += t.cost_usd.value_or(0);
  return sum;
}

double Session::cost_usd() const {
  double sum = 0;
  for_each_turn(*this, [&](const TurnRecord& t) {
    if (billed_here(t)) sum += t.cost_usd.value_or(0);
  });
  return sum;
}

int Session::unknown_cost_turns() const {
  int n = 0;
  for_each_turn(*this, [&](const TurnRecord& t) { n += billed_here(t) && !t.cost_usd; });
  return n;
}

void record_cost(TurnRecord& t, const std::optional<client::BilledUnits>& billed, const TurnCost& estimate,
                 const CostModel& model) {
  t.tokens = estimate.tokens;
  t.estimated_usd = estimate.usd();
  t.billed = billed;
  t.unit_price.reset(), t.price_unit.clear(), t.price_source.clear();
  if (!billed) {
    t.cost_source = cost_source::estimated;
    t.cost_usd = estimate.usd();
    return;
  }
  t.cost_source = cost_source::billed;
  t.cost_usd = std::nullopt;
  // Billed per output second (v1.1): a unit is a second, priced by the estimate's resolution.
  if (auto per_second = model.usd_per_output_second(estimate.resolution))
    price_bill(t, *per_second, "seconds", price_source::endpoint_table);
  else if (model.billing().usd_per_unit > 0)
    price_bill(t, model.billing().usd_per_unit, "", price_source::endpoint_table);
}

void price_bill(TurnRecord& t, double usd_per_unit, const std::string& unit, const std::string& source) {
  if (t.cost_source != cost_source::billed || !t.billed || !t.billed->value) return;
  t.cost_usd = *t.billed->value * usd_per_unit;
  t.unit_price = usd_per_unit;
  t.price_unit = unit;
  t.price_source = source;
}

void add_cost(TurnRecord& sum, const TurnRecord& part) {
  sum.tokens.input_video += part.tokens.input_video, sum.tokens.input_audio += part.tokens.input_audio;
  sum.tokens.input_text += part.tokens.input_text, sum.tokens.output_video += part.tokens.output_video;
  sum.estimated_usd += part.estimated_usd;
  sum.cost_usd = sum.cost_usd && part.cost_usd ? std::optional<double>(*sum.cost_usd + *part.cost_usd) : std::nullopt;
  if (part.cost_source.empty()) return;  // not finished: nothing billed yet
  if (sum.price_source.empty() && !part.price_source.empty())
    sum.unit_price = part.unit_price, sum.price_unit = part.price_unit, sum.price_source = part.price_source;
  if (sum.cost_source.empty() || part.cost_source != cost_source::billed) sum.cost_source = part.cost_source;
  if (!part.billed) return;
  if (!sum.billed) {
    sum.billed = part.billed;
    return;
  }
  sum.billed->raw += " + " + part.billed->raw;
  sum.billed->value = sum.billed->value && part.billed->value ? std::optional<double>(*sum.billed->value + *part.billed->value)
                                                              : std::nullopt;
}

std::string cost_text(const TurnRecord& t) {
  const std::string estimate = format_usd(t.estimated_usd);
  if (t.cost_source == cost_source::billed && t.billed) {
    if (t.cost_usd && t.price_source == price_source::fal_pricing && t.unit_price)
      return format_usd(*t.cost_usd) + " billed (" + t.billed->raw + " units at " + format_usd(*t.unit_price) +
             " from fal's pricing)";
    if (t.cost_usd) return format_usd(*t.cost_usd) + " billed (" + t.billed->raw + " units)";
    if (t.billed->value) return "billed " + t.billed->raw + " units (price of a unit unknown; estimated " + estimate + ")";
    return "billed \"" + t.billed->raw + "\" (not a number; estimated " + estimate + ")";
  }
  if (!t.cost_usd) return "unknown (estimated " + estimate + ")";
  if (t.cost_source == cost_source::estimated) return format_usd(*t.cost_usd) + " estimated (no bill reported)";
  if (t.cost_source == cost_source::reported) return format_usd(*t.cost_usd) + " (reported tokens)";
  return format_usd(*t.cost_usd);
}

std::string total_cost_text(const Session& s) {
  int billed = 0, estimated = 0, unknown = 0, known = 0;
  for_each_turn(s, [&](const TurnRecord& t) {
    if (!billed_here(t) || t.cost_source.empty()) return;
    billed += t.cost_source == cost_source::billed;
    estimated += t.cost_source != cost_source::billed;
    unknown += !t.cost_usd, known += t.cost_usd.has_value();
  });
  std::string text = known || !unknown ? format_usd(s.cost_usd()) : "unknown";
  if (known && unknown) text += " + " + std::to_string(unknown) + " turn(s) of unknown cost";
  if (billed + estimated == 0) return text;
  return text + " (" + std::to_string(billed) + " billed, " + std::to_string(estimated) + " estimated)";
}

int Session::completed_turns() const {
  int n = 0;
  for (const auto& t : turns) n += t.status == turn_status::completed;
  return n;
}

const TurnRecord* Session::last_completed() const {
  const TurnRecord* last = nullptr;
  for (const auto& t : turns)
    if (t.status == turn_status::completed) last = &t;
  return last;
}

std::string default_ledger_path(const std::string& out) { return out + ".omnicut.json"; }

std::string draft_output_path(const std::string& out) {
  fs::path p(out);
  return (p.parent_path() / (p.stem().string() + ".draft" + p.extension().string())).string();
}

std::string now_iso8601() { return format_iso8601(WallClock::now()); }

namespace {

nlohmann::json file_json(const std::optional<ResultFile>& f) {
  if (!f) return nullptr;
  return {{"url", f->url}, {"content_type", f->content_type}, {"file_name", f->file_name}, {"file_size", f->file_size}};
}

std::optional<ResultFile> file_from(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  ResultFile f;
  f.url = j.value("url", "");
  f.content_type = j.value("content_type", "");
  f.file_name = j.value("file_name", "");
  f.file_size = j.value("file_size", int64_t{0});
  return f;
}

template <class T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// `key`'s value, or nullopt when it is missing or null.
template <class T>
std::optional<T> optional_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

std::optional<double> number_or_null(const nlohmann::json& j, const char* key, std::optional<double> missing) {
  auto it = j.find(key);
  if (it == j.end()) return missing;
  return it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
}

nlohmann::json billed_json(const std::optional<client::BilledUnits>& b) {
  if (!b) return nullptr;
  return {{"raw", b->raw}, {"value", or_null(b->value)}};
}

std::optional<client::BilledUnits> billed_from(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  return client::BilledUnits{j.value("raw", ""), number_or_null(j, "value", std::nullopt)};
}

nlohmann::json turn_json(const TurnRecord& t) {
  return {{"turn", t.turn},
          {"prompt", t.prompt},
          {"endpoint", t.endpoint},
          {"resolution", t.resolution},
          {"input_url", t.input_url},
          {"status", t.status},
          {"request_id", t.request_id},
          {"status_url", t.status_url},
          {"response_url", t.response_url},
          {"cancel_url", t.cancel_url},
          {"result", file_json(t.result)},
          {"local_path", t.local_path},
          {"tokens", to_json(t.tokens)},
          {"cost_source", t.cost_source},
          {"billed_units", billed_json(t.billed)},
          {"cost_usd", or_null(t.cost_usd)},
          {"unit_price", or_null(t.unit_price)},
          {"price_unit", t.price_unit},
          {"price_source", t.price_source},
          {"estimated_usd", t.estimated_usd},
          {"error", t.error},
          {"inherited_from", t.inherited_from},
          {"submit_input", t.submit_input},
          {"submit_started_at", t.submit_started_at},
          {"sync", t.sync ? to_json(*t.sync) : nlohmann::json()},
          {"timings",
           {{"submitted_at", t.timings.submitted_at},
            {"completed_at", t.timings.completed_at},
            {"queue_s", t.timings.queue_s},
            {"run_s", t.timings.run_s},
            {"download_s", t.timings.download_s}}}};
}

TurnRecord turn_from(const nlohmann::json& j) {
  TurnRecord t;
  t.turn = j.value("turn", 0);
  t.prompt = j.value("prompt", "");
  t.endpoint = j.value("endpoint", "");
  t.resolution = j.value("resolution", "");
  t.input_url = j.value("input_url", "");
  t.status = j.value("status", turn_status::pending);
  t.request_id = j.value("request_id", "");
  t.status_url = j.value("status_url", "");
  t.response_url = j.value("response_url", "");
  t.cancel_url = j.value("cancel_url", "");
  t.result = file_from(j.value("result", nlohmann::json()));
  t.local_path = j.value("local_path", "");
  t.tokens = turn_tokens_from_json(j.value("tokens", nlohmann::json::object()));
  // Older ledgers: "tokens_source" ("reported" / "estimated"), and always a number for the cost.
  t.cost_source = j.value("cost_source", j.value("tokens_source", ""));
  t.billed = billed_from(j.value("billed_units", nlohmann::json()));
  t.cost_usd = number_or_null(j, "cost_usd", 0.0);
  t.estimated_usd = j.value("estimated_usd", t.cost_usd.value_or(0.0));
  t.unit_price = number_or_null(j, "unit_price", std::nullopt);
  t.price_unit = j.value("price_unit", "");
  t.price_source = j.value("price_source", "");
  t.error = j.value("error", "");
  t.inherited_from = j.value("inherited_from", "");
  t.submit_input = j.value("submit_input", nlohmann::json());
  t.submit_started_at = j.value("submit_started_at", "");
  if (auto it = j.find("sync"); it != j.end() && it->is_object()) t.sync = alignment_from_json(*it);
  auto tm = j.value("timings", nlohmann::json::object());
  t.timings.submitted_at = tm.value("submitted_at", "");
  t.timings.completed_at = tm.value("completed_at", "");
  t.timings.queue_s = tm.value("queue_s", 0.0);
  t.timings.run_s = tm.value("run_s", 0.0);
  t.timings.download_s = tm.value("download_s", 0.0);
  return t;
}

// Version 1 wrote the remux result flat ({"video_frames", "range_start", "audio": mode, ...}),
// and --split's join with "segments" and "video_copied" in it.
RemuxResult remux_result_from_v1(const nlohmann::json& j) {
  RemuxResult r;
  r.output = j.value("output", "");
  r.video_frames = j.value("video_frames", int64_t{0});
  r.video_fps = j.value("video_fps", 0.0);
  r.video_duration = j.value("video_duration", 0.0);
  r.range_start = j.value("range_start", 0.0);
  r.range_end = j.value("range_end", 0.0);
  r.range_duration = r.range_end - r.range_start;
  r.duration_difference = j.value("duration_difference", 0.0);
  r.audio_mode = j.value("audio", "none");
  r.audio_reason = j.value("audio_reason", "");
  r.audio_duration = j.value("audio_duration", 0.0);
  r.audio_padded = j.value("audio_padded", 0.0);
  r.audio_trimmed = j.value("audio_trimmed", 0.0);
  r.notices = j.value("notices", std::vector<std::string>{});
  return r;
}

std::optional<ConcatResult> concat_from_v1(const nlohmann::json& j) {
  if (!j.contains("video_copied")) return std::nullopt;
  ConcatResult c;
  c.copied = j.value("video_copied", false);
  c.frames = j.value("video_frames", int64_t{0});
  c.duration = j.value("video_duration", 0.0);
  return c;
}

std::optional<RestoredSize> restored_from(const nlohmann::json& remux) {
  auto it = remux.find("restore");
  if (it == remux.end() || !it->is_object()) return std::nullopt;
  return RestoredSize{it->at("width").get<int>(), it->at("height").get<int>()};
}

// "omnicut_session": 1 or kLedgerVersion; anything else is refused in one line.
int ledger_version(const nlohmann::json& j, const std::string& path) {
  const auto& v = j.at("omnicut_session");
  if (v.is_number_integer() && v.get<int>() >= 1 && v.get<int>() <= kLedgerVersion) return v.get<int>();
  std::string text = v.dump();
  if (v.is_number_integer() && v.get<int>() > kLedgerVersion)
    throw Error(ErrorKind::usage, path, "ledger format " + text + " is newer than this omnicut reads (1 to " +
                                            std::to_string(kLedgerVersion) + "): use the omnicut that wrote it, or a newer one");
  throw Error(ErrorKind::usage, path, "unknown ledger format " + text + " (this omnicut reads 1 to " +
                                          std::to_string(kLedgerVersion) + ")");
}

// The key never belongs in a ledger; should one ever reach a field (a URL echoing it, a pasted
// prompt), it is masked rather than written to disk.
std::string without_key(std::string text) {
  std::vector<std::string> secrets;
  for (const char* name : {"FAL_KEY", "FAL_KEY_SECRET"})
    if (const char* v = std::getenv(name); v && std::strlen(v) >= 8) secrets.emplace_back(v);
  for (const auto& s : secrets)
    for (size_t pos; (pos = text.find(s)) != std::string::npos;) text.replace(pos, s.size(), "[redacted]");
  return text;
}

void write_all(int fd, const std::string& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error(ErrorKind::output, path, std::string("cannot write the ledger: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

void fsync_folder(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

nlohmann::json to_json(const PrepRecord& p) {
  return {{"start", p.start},
          {"end", p.end},
          {"duration", p.duration},
          {"encoded_duration", p.encoded_duration},
          {"fps", p.fps},
          {"frames", p.frames},
          {"actions", p.actions},
          {"output", p.output},
          {"planned_only", p.planned_only},
          {"width", p.width},
          {"height", p.height},
          {"path", p.path},
          {"reason", p.reason},
          {"segment", or_null(p.segment)},
          {"sidecar_record", p.sidecar ? sidecar_to_json(*p.sidecar) : nlohmann::json()}};
}

PrepRecord prep_record_from_json(const nlohmann::json& j, const std::string& subject) {
  PrepRecord p;
  p.start = j.value("start", 0.0);
  p.end = j.value("end", 0.0);
  p.duration = j.value("duration", p.end - p.start);
  p.encoded_duration = j.value("encoded_duration", 0.0);
  p.fps = j.value("fps", 0.0);
  p.frames = j.value("frames", int64_t{0});
  p.actions = j.value("actions", std::vector<std::string>{});
  p.output = j.value("output", "");
  p.planned_only = j.value("planned_only", false);
  p.width = j.value("width", 0);
  p.height = j.value("height", 0);
  p.path = j.value("path", "");
  p.reason = j.value("reason", "");
  p.segment = optional_at<int>(j, "segment");
  if (auto it = j.find("sidecar_record"); it != j.end() && !it->is_null()) p.sidecar = sidecar_from_json(*it, subject);
  return p;
}

nlohmann::json to_json(const SessionOptions& o) {
  return {{"keep_rest", o.keep_rest},
          {"restore", o.restore},
          {"keep_turns", o.keep_turns},
          {"start", or_null(o.start)},
          {"end", or_null(o.end)},
          {"split", o.split},
          {"segment_of", o.segment_of.empty() ? nlohmann::json() : nlohmann::json(o.segment_of)},
          {"segment", or_null(o.segment)},
          {"resolution", o.resolution},
          {"draft", o.draft},
          {"sync", o.sync}};
}

SessionOptions session_options_from_json(const nlohmann::json& j) {
  SessionOptions o;
  o.keep_rest = j.value("keep_rest", false);
  o.restore = j.value("restore", false);
  o.keep_turns = j.value("keep_turns", false);
  o.start = optional_at<double>(j, "start");
  o.end = optional_at<double>(j, "end");
  o.split = j.value("split", false);
  o.segment_of = optional_at<std::string>(j, "segment_of").value_or("");
  o.segment = optional_at<int>(j, "segment");
  o.resolution = j.value("resolution", "");
  o.draft = j.value("draft", false);
  o.sync = j.value("sync", "correct");  // older ledgers: correct; read_session checks it
  return o;
}

nlohmann::json to_json(const FinalRecord& f) {
  nlohmann::json remux = to_json(f.remux);
  remux["restore"] = f.restore ? nlohmann::json{{"width", f.restore->width}, {"height", f.restore->height}} : nlohmann::json();
  remux["concat"] = f.concat ? to_json(*f.concat) : nlohmann::json();
  return {{"path", f.path},
          {"from_turn", f.from_turn},
          {"remux", remux},
          {"written_at", f.written_at},
          {"sync", f.sync ? to_json(*f.sync) : nlohmann::json()}};
}

FinalRecord final_record_from_json(const nlohmann::json& j, int version, const std::string& subject) {
  FinalRecord f;
  f.path = j.value("path", "");
  f.from_turn = j.value("from_turn", 0);
  f.written_at = j.value("written_at", "");
  if (auto it = j.find("sync"); it != j.end() && it->is_object()) f.sync = alignment_from_json(*it);
  const nlohmann::json remux = j.value("remux", nlohmann::json::object());
  f.restore = restored_from(remux);
  if (version == 1) {
    f.remux = remux_result_from_v1(remux);
    f.concat = concat_from_v1(remux);
    return f;
  }
  f.remux = remux_result_from_json(remux, subject);
  if (auto it = remux.find("concat"); it != remux.end() && !it->is_null()) f.concat = concat_result_from_json(*it, subject);
  return f;
}

nlohmann::json to_json(const SplitRecord& r) {
  nlohmann::json segs = nlohmann::json::array();
  for (const auto& seg : r.segments)
    segs.push_back({{"index", seg.index}, {"start", seg.start}, {"end", seg.end}, {"file", seg.file},
                    {"prep", seg.prep}, {"ledger", seg.ledger}});
  return {{"manifest", manifest_to_json(r.manifest)}, {"segments", segs}};
}

SplitRecord split_record_from_json(const nlohmann::json& j, const std::string& subject) {
  SplitRecord r;
  r.manifest = manifest_from_json(j.at("manifest"), subject);
  for (const auto& seg : j.at("segments"))
    r.segments.push_back({seg.at("index").get<int>(), seg.at("start").get<double>(), seg.at("end").get<double>(),
                          seg.value("file", ""), seg.value("prep", ""), seg.at("ledger").get<std::string>()});
  if (r.segments.size() != r.manifest.segments.size())
    throw Error(ErrorKind::usage, subject, "the split lists " + std::to_string(r.segments.size()) + " segments for a manifest of " +
                                               std::to_string(r.manifest.segments.size()));
  return r;
}

namespace {
nlohmann::json turns_json(const std::vector<TurnRecord>& turns) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& t : turns) j.push_back(turn_json(t));
  return j;
}
}  // namespace

nlohmann::json to_json(const DraftRecord& d) {
  return {{"resolution", d.resolution},
          {"output", d.output},
          {"turns", turns_json(d.turns)},
          {"final", d.final_output ? to_json(*d.final_output) : nlohmann::json()}};
}

DraftRecord draft_record_from_json(const nlohmann::json& j, const std::string& subject) {
  DraftRecord d;
  d.resolution = j.at("resolution").get<std::string>();
  d.output = j.at("output").get<std::string>();
  for (const auto& t : j.at("turns")) d.turns.push_back(turn_from(t));
  if (auto f = j.value("final", nlohmann::json()); f.is_object()) d.final_output = final_record_from_json(f, kLedgerVersion, subject);
  return d;
}

nlohmann::json to_json(const Session& s) {
  nlohmann::json turns = turns_json(s.turns);
  nlohmann::json upload = nullptr;
  if (s.upload)
    upload = {{"url", s.upload->url}, {"file", s.upload->file}, {"size", s.upload->size}, {"uploaded_at", s.upload->uploaded_at}};
  nlohmann::json branch = nullptr;
  if (s.branch_of) branch = {{"session", s.branch_of->session}, {"turn", s.branch_of->turn}};
  return {{"omnicut_session", kLedgerVersion},
          {"created_at", s.created_at},
          {"updated_at", s.updated_at},
          {"endpoint", s.endpoint},
          {"server", s.server},
          {"local", s.local},
          {"source",
           {{"path", s.source.path},
            {"size", s.source.size},
            {"hash", s.source.hash},
            {"hash_method", s.source.hash_method},
            {"duration", s.source.duration},
            {"has_audio", s.source.has_audio}}},
          {"prep", to_json(s.prep)},
          {"upload", upload},
          {"output", s.output},
          {"options", to_json(s.options)},
          {"branch_of", branch},
          {"billing", billing_to_json(s.billing)},
          {"turns", turns},
          {"totals",
           {{"turns", s.turns.size()},
            {"completed", s.completed_turns()},
            {"cost_usd", s.cost_usd()},
            {"unknown_cost_turns", s.unknown_cost_turns()}}},
          {"final", s.final_output ? to_json(*s.final_output) : nlohmann::json()},
          {"split", s.split ? to_json(*s.split) : nlohmann::json()},
          {"draft", s.draft ? to_json(*s.draft) : nlohmann::json()}};
}

namespace {

// A byte count ("size"). json's get<uint64_t> casts a float by a plain cast, undefined for a
// negative one, so a float (a hand-edited ledger) reads as its whole part when it fits, else 0.
uint64_t size_of(const nlohmann::json& j) {
  const nlohmann::json size = j.value("size", nlohmann::json(0));
  if (!size.is_number_float()) return size.get<uint64_t>();
  double v = size.get<double>();
  return v > 0 && v < 1.8e19 ? static_cast<uint64_t>(v) : 0;
}

Session read_session(const nlohmann::json& j, const std::string& path) {
  Session s;
  s.version = ledger_version(j, path);
  s.created_at = j.value("created_at", "");
  s.updated_at = j.value("updated_at", "");
  s.endpoint = j.value("endpoint", "");
  s.server = j.value("server", "");
  s.local = j.value("local", false);
  auto src = j.value("source", nlohmann::json::object());
  s.source.path = src.value("path", "");
  s.source.size = size_of(src);
  s.source.hash = src.value("hash", "");
  s.source.hash_method = src.value("hash_method", "");
  s.source.duration = src.value("duration", 0.0);
  s.source.has_audio = src.value("has_audio", false);
  s.prep = prep_record_from_json(j.value("prep", nlohmann::json::object()), path);
  if (auto u = j.value("upload", nlohmann::json()); u.is_object())
    s.upload = UploadRecord{u.value("url", ""), u.value("file", ""), size_of(u), u.value("uploaded_at", "")};
  s.output = j.value("output", "");
  s.options = session_options_from_json(j.value("options", nlohmann::json::object()));
  parse_sync_mode(s.options.sync, path + ": options.sync");
  if (auto b = j.value("branch_of", nlohmann::json()); b.is_object())
    s.branch_of = BranchRecord{b.at("session").get<std::string>(), b.at("turn").get<int>()};
  s.billing = billing_from_json(j.value("billing", nlohmann::json::object()), Billing{}, path + ": billing");
  for (const auto& t : j.value("turns", nlohmann::json::array())) s.turns.push_back(turn_from(t));
  if (auto f = j.value("final", nlohmann::json()); f.is_object()) s.final_output = final_record_from_json(f, s.version, path);
  if (auto sp = j.value("split", nlohmann::json()); sp.is_object()) s.split = split_record_from_json(sp, path);
  if (auto d = j.value("draft", nlohmann::json()); d.is_object()) s.draft = draft_record_from_json(d, path);
  return s;
}

}  // namespace

Session session_from_json(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object() || !j.contains("omnicut_session"))
    throw Error(ErrorKind::usage, path, "not an omnicut session ledger");
  try {
    return read_session(j, path);
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::usage, path, std::string("a malformed session ledger: ") + e.what());
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::usage) throw;
    throw Error(ErrorKind::usage, e.what());  // a malformed sidecar or manifest inside: already names the ledger
  }
}

void save_session(Session& s, const std::string& path) {
  s.updated_at = now_iso8601();
  if (s.created_at.empty()) s.created_at = s.updated_at;
  const std::string text =
      without_key(to_json(s).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) + "\n";  // as json_file's
  AtomicFile file{fs::path(path)};
  int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(ErrorKind::output, path, std::string("cannot write the ledger: ") + std::strerror(errno));
  try {
    write_all(fd, text, path);
    if (::fsync(fd) != 0) throw Error(ErrorKind::output, path, std::string("cannot sync the ledger: ") + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  file.commit();
  fsync_folder(fs::path(path).parent_path());
}

Session load_session(const std::string& path) {
  auto j = read_json_object(path, "no such session ledger", ErrorKind::usage, "the session ledger is not valid JSON");
  return session_from_json(j, path);
}

}  // namespace omnicut
