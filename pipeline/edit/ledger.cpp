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
#include "pipeline/support/format.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {
bool billed_here(const TurnRecord& t) { return t.status != turn_status::pending && t.inherited_from.empty(); }
}  // namespace

double Session::cost_usd() const {
  double sum = 0;
  for (const auto& t : turns)
    if (billed_here(t)) sum += t.cost_usd.value_or(0);
  return sum;
}

int Session::unknown_cost_turns() const {
  int n = 0;
  for (const auto& t : turns) n += billed_here(t) && !t.cost_usd;
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
  if (model.billing().usd_per_unit > 0) price_bill(t, model.billing().usd_per_unit, "", price_source::endpoint_table);
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
  for (const auto& t : s.turns) {
    if (!billed_here(t) || t.cost_source.empty()) continue;
    billed += t.cost_source == cost_source::billed;
    estimated += t.cost_source != cost_source::billed;
    unknown += !t.cost_usd, known += t.cost_usd.has_value();
  }
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

nlohmann::json optional_number(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

std::optional<double> number_or_null(const nlohmann::json& j, const char* key, std::optional<double> missing) {
  auto it = j.find(key);
  if (it == j.end()) return missing;
  return it->is_number() ? std::optional<double>(it->get<double>()) : std::nullopt;
}

nlohmann::json billed_json(const std::optional<client::BilledUnits>& b) {
  if (!b) return nullptr;
  return {{"raw", b->raw}, {"value", optional_number(b->value)}};
}

std::optional<client::BilledUnits> billed_from(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  return client::BilledUnits{j.value("raw", ""), number_or_null(j, "value", std::nullopt)};
}

nlohmann::json turn_json(const TurnRecord& t) {
  return {{"turn", t.turn},
          {"prompt", t.prompt},
          {"endpoint", t.endpoint},
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
          {"cost_usd", optional_number(t.cost_usd)},
          {"unit_price", optional_number(t.unit_price)},
          {"price_unit", t.price_unit},
          {"price_source", t.price_source},
          {"estimated_usd", t.estimated_usd},
          {"error", t.error},
          {"inherited_from", t.inherited_from},
          {"submit_input", t.submit_input},
          {"submit_started_at", t.submit_started_at},
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
  auto tm = j.value("timings", nlohmann::json::object());
  t.timings.submitted_at = tm.value("submitted_at", "");
  t.timings.completed_at = tm.value("completed_at", "");
  t.timings.queue_s = tm.value("queue_s", 0.0);
  t.timings.run_s = tm.value("run_s", 0.0);
  t.timings.download_s = tm.value("download_s", 0.0);
  return t;
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

nlohmann::json to_json(const Session& s) {
  nlohmann::json turns = nlohmann::json::array();
  for (const auto& t : s.turns) turns.push_back(turn_json(t));
  nlohmann::json upload = nullptr;
  if (s.upload)
    upload = {{"url", s.upload->url}, {"file", s.upload->file}, {"size", s.upload->size}, {"uploaded_at", s.upload->uploaded_at}};
  return {{"omnicut_session", s.version},
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
          {"prep", s.prep},
          {"upload", upload},
          {"output", s.output},
          {"options", s.options},
          {"branch_of", s.branch_of},
          {"billing", billing_to_json(s.billing)},
          {"turns", turns},
          {"totals",
           {{"turns", s.turns.size()},
            {"completed", s.completed_turns()},
            {"cost_usd", s.cost_usd()},
            {"unknown_cost_turns", s.unknown_cost_turns()}}},
          {"final", s.final_output},
          {"split", s.split}};
}

Session session_from_json(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object() || !j.contains("omnicut_session"))
    throw Error(ErrorKind::usage, path, "not an omnicut session ledger");
  Session s;
  s.version = j.value("omnicut_session", 1);
  s.created_at = j.value("created_at", "");
  s.updated_at = j.value("updated_at", "");
  s.endpoint = j.value("endpoint", "");
  s.server = j.value("server", "");
  s.local = j.value("local", false);
  auto src = j.value("source", nlohmann::json::object());
  s.source.path = src.value("path", "");
  s.source.size = src.value("size", uint64_t{0});
  s.source.hash = src.value("hash", "");
  s.source.hash_method = src.value("hash_method", "");
  s.source.duration = src.value("duration", 0.0);
  s.source.has_audio = src.value("has_audio", false);
  s.prep = j.value("prep", nlohmann::json::object());
  if (auto u = j.value("upload", nlohmann::json()); u.is_object())
    s.upload = UploadRecord{u.value("url", ""), u.value("file", ""), u.value("size", uint64_t{0}), u.value("uploaded_at", "")};
  s.output = j.value("output", "");
  s.options = j.value("options", nlohmann::json::object());
  s.branch_of = j.value("branch_of", nlohmann::json());
  s.billing = billing_from_json(j.value("billing", nlohmann::json::object()), Billing{});
  for (const auto& t : j.value("turns", nlohmann::json::array())) s.turns.push_back(turn_from(t));
  s.final_output = j.value("final", nlohmann::json());
  s.split = j.value("split", nlohmann::json());
  return s;
}

void save_session(Session& s, const std::string& path) {
  s.updated_at = now_iso8601();
  if (s.created_at.empty()) s.created_at = s.updated_at;
  const std::string text = without_key(to_json(s).dump(2)) + "\n";
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
