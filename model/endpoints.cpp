#include "model/endpoints.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace omnicut {
namespace {

using json = nlohmann::json;

const char* billing_kind_name(BillingKind k) { return k == BillingKind::tokens ? "tokens" : "output_seconds"; }

BillingKind billing_kind_from(const json& j, const std::string& subject) {
  std::string k = j.value("kind", "tokens");
  if (k == "tokens") return BillingKind::tokens;
  if (k == "output_seconds") return BillingKind::output_seconds;
  throw Error(ErrorKind::usage, subject, "billing kind \"" + k + "\" is not tokens or output_seconds");
}

// A number from a table, a pricing file or a ledger: finite and within [low, high], else one line
// naming the key. A negative price would pass any --max-cost; a zero frame rate divides by zero.
double number_in(const json& j, const char* key, double fallback, double low, double high, const std::string& subject) {
  const double v = j.value(key, fallback);
  if (!std::isfinite(v) || v < low || v > high) {
    std::ostringstream range;
    range << low << " to " << high;
    throw Error(ErrorKind::usage, subject,
                std::string(key) + " is " + (j.contains(key) ? j[key].dump() : std::to_string(v)) + ", not a number from " + range.str());
  }
  return v;
}

constexpr double kMaxSide = 16384;        // pixels
constexpr double kMaxRate = 1e9;          // tokens per second, dollars per million tokens or per second

std::vector<OutputSize> output_sizes(const json& output, const std::string& subject) {
  std::vector<OutputSize> sizes;
  const json table = output.value("resolutions", json::object());
  for (auto& [name, wh] : table.items()) {
    auto side = [](const json& v) { return v.is_number_integer() && v.get<int64_t>() >= 2 && v.get<int64_t>() <= kMaxSide; };
    if (!wh.is_array() || wh.size() != 2 || !side(wh[0]) || !side(wh[1]))
      throw Error(ErrorKind::usage, subject, "output resolution " + name + " is not [width, height] (2 to 16384 pixels each)");
    sizes.push_back({name, wh[0].get<int>(), wh[1].get<int>()});
  }
  // JSON objects come back sorted by name; the table lists them smallest first.
  std::sort(sizes.begin(), sizes.end(), [](const OutputSize& a, const OutputSize& b) { return a.long_side < b.long_side; });
  return sizes;
}

Endpoint endpoint_from(const json& j, const std::string& subject) {
  Endpoint e;
  e.id = j.at("id").get<std::string>();
  const std::string where = subject + ": " + e.id;
  e.description = j.value("description", "");
  const json in = j.value("input", json::object());
  e.long_side = static_cast<int>(number_in(in, "long_side", e.long_side, 2, kMaxSide, where));
  e.short_side = static_cast<int>(number_in(in, "short_side", e.short_side, 2, e.long_side, where));
  e.min_duration = number_in(in, "min_duration", 0.0, 0, 86400, where);
  e.max_duration = number_in(in, "max_duration", 0.0, 0, 86400, where);
  e.max_fps = number_in(in, "max_fps", e.max_fps, 1, 1000, where);
  e.containers = in.value("containers", std::vector<std::string>{"mp4"});
  e.video_codecs = in.value("video_codecs", std::vector<std::string>{"h264"});
  const json f = j.value("fields", json::object());
  e.prompt_field = f.value("prompt", e.prompt_field);
  e.prompt_max_chars = f.value("prompt_max_chars", size_t{0});
  e.video_input_field = f.value("video", e.video_input_field);
  e.video_output_field = f.value("output", e.video_output_field);
  e.resolution_field = f.value("resolution", "");
  const json out = j.value("output", json::object());
  e.output_fps = number_in(out, "fps", e.output_fps, 1, 1000, where);
  e.resolutions = output_sizes(out, where);
  e.default_resolution = out.value("default_resolution", e.resolutions.empty() ? "" : e.resolutions.front().name);
  if (e.resolutions.empty()) e.resolutions.push_back({"720p", e.long_side, e.short_side});
  if (!e.output_size(e.default_resolution)) throw Error(ErrorKind::usage, where, "default_resolution is not among its resolutions");
  e.billing = billing_from_json(j.value("billing", json::object()), Billing{}, where + ": billing");
  e.billing.default_resolution = e.default_resolution;
  if (e.billing.kind == BillingKind::output_seconds)
    for (const auto& r : e.resolutions)
      if (!e.billing.usd_per_output_second.count(r.name))
        throw Error(ErrorKind::usage, where, "no price per output second for " + r.name);
  return e;
}

std::unique_ptr<std::vector<Endpoint>>& table_slot() {
  static std::unique_ptr<std::vector<Endpoint>> table;
  return table;
}

}  // namespace

const OutputSize* Endpoint::output_size(std::string_view resolution) const {
  for (const auto& r : resolutions)
    if (r.name == resolution) return &r;
  return nullptr;
}

std::string Endpoint::resolution_names() const {
  std::string names;
  for (const auto& r : resolutions) names += (names.empty() ? "" : ", ") + r.name;
  return names;
}

const std::string& Endpoint::lowest_resolution() const {
  const OutputSize* low = &resolutions.front();
  for (const auto& r : resolutions)
    if (r.long_side < low->long_side) low = &r;
  return low->name;
}

std::vector<Endpoint> parse_endpoint_table(const json& doc, const std::string& subject) {
  if (!doc.is_object() || !doc.contains("endpoints") || !doc["endpoints"].is_array() || doc["endpoints"].empty())
    throw Error(ErrorKind::usage, subject, "not an endpoint table: {\"endpoints\": [rows...]} expected");
  std::vector<Endpoint> rows;
  try {
    for (const auto& row : doc["endpoints"]) rows.push_back(endpoint_from(row, subject));
  } catch (const json::exception& e) {
    throw Error(ErrorKind::usage, subject, std::string("malformed endpoint row: ") + e.what());
  }
  return rows;
}

const std::vector<Endpoint>& endpoint_table() {
  auto& slot = table_slot();
  if (!slot) slot = std::make_unique<std::vector<Endpoint>>(parse_endpoint_table(json::parse(builtin_endpoints_json()), "model/endpoints.json"));
  return *slot;
}

void use_endpoint_table_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::not_found, path, "cannot read the endpoint table");
  json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded()) throw Error(ErrorKind::usage, path, "the endpoint table is not valid JSON");
  table_slot() = std::make_unique<std::vector<Endpoint>>(parse_endpoint_table(doc, path));
}

const Endpoint& default_endpoint() { return endpoint_table().front(); }

const Endpoint& find_endpoint(std::string_view id) {
  for (const auto& e : endpoint_table())
    if (e.id == id) return e;
  std::string known;
  for (const auto& e : endpoint_table()) known += (known.empty() ? "" : ", ") + e.id;
  throw Error(ErrorKind::usage, std::string(id), "unknown endpoint (known: " + known + ")");
}

const Endpoint& draft_endpoint() {
  for (const auto& e : endpoint_table())
    if (e.takes_resolution()) return e;
  throw Error(ErrorKind::usage, "--draft", "no endpoint in the table takes an output resolution to draft at");
}

std::string resolve_resolution(const Endpoint& e, const std::optional<std::string>& requested) {
  if (!requested) return e.default_resolution;
  if (!e.takes_resolution())
    throw Error(ErrorKind::usage, "--resolution",
                e.id + " has no resolution field (it renders " + e.default_resolution +
                    " only); use an endpoint that takes one, e.g. --endpoint google/gemini-omni-flash/v1.1/edit");
  if (!e.output_size(*requested))
    throw Error(ErrorKind::usage, "--resolution", "\"" + *requested + "\" is not one of " + e.id + "'s: " + e.resolution_names());
  return *requested;
}

json billing_to_json(const Billing& b) {
  json j = {{"kind", billing_kind_name(b.kind)}, {"usd_per_unit", b.usd_per_unit}};
  if (b.kind == BillingKind::tokens) {
    j.update({{"input_usd_per_mtok", b.input_usd_per_mtok},
              {"output_usd_per_mtok", b.output_usd_per_mtok},
              {"input_video_tokens_per_s", b.input_video_tokens_per_s},
              {"input_audio_tokens_per_s", b.input_audio_tokens_per_s},
              {"output_video_tokens_per_s", b.output_video_tokens_per_s},
              {"prompt_chars_per_token", b.prompt_chars_per_token}});
  } else {
    j.update({{"usd_per_output_second", b.usd_per_output_second},
              {"default_resolution", b.default_resolution},
              {"audio_overhang_s", b.audio_overhang_s}});
  }
  if (!b.note.empty()) j["note"] = b.note;
  return j;
}

Billing billing_from_json(const json& j, const Billing& base, const std::string& subject) {
  Billing b = base;
  if (j.contains("kind")) b.kind = billing_kind_from(j, subject);
  auto rate = [&](const char* key, double fallback) { return number_in(j, key, fallback, 0, kMaxRate, subject); };
  b.input_usd_per_mtok = rate("input_usd_per_mtok", b.input_usd_per_mtok);
  b.output_usd_per_mtok = rate("output_usd_per_mtok", b.output_usd_per_mtok);
  b.input_video_tokens_per_s = rate("input_video_tokens_per_s", b.input_video_tokens_per_s);
  b.input_audio_tokens_per_s = rate("input_audio_tokens_per_s", b.input_audio_tokens_per_s);
  b.output_video_tokens_per_s = rate("output_video_tokens_per_s", b.output_video_tokens_per_s);
  b.prompt_chars_per_token = number_in(j, "prompt_chars_per_token", b.prompt_chars_per_token, 0.1, 1e6, subject);
  if (auto it = j.find("usd_per_output_second"); it != j.end() && it->is_object())
    for (auto& [res, usd] : it->items())
      b.usd_per_output_second[res] = number_in(*it, res.c_str(), 0, 0, kMaxRate, subject + ": usd_per_output_second");
  b.default_resolution = j.value("default_resolution", b.default_resolution);
  b.audio_overhang_s = number_in(j, "audio_overhang_s", b.audio_overhang_s, 0, 60, subject);
  b.usd_per_unit = rate("usd_per_unit", b.usd_per_unit);
  b.note = j.value("note", std::string());  // a note describes its own rule: an override's is not the base's
  return b;
}

}  // namespace omnicut
