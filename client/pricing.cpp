#include "client/pricing.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "client/errors.h"

namespace omnicut::client {

namespace {

using json = nlohmann::json;

const char* kSubject = "fal pricing";

// A field of fal's answer that must be a string: "" when absent or of another type (json::value
// would throw json's own type_error, which no caller expects from a network answer).
std::string string_or_empty(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The entry for `endpoint_id` in a {prices:[...]} answer, when it is whole.
std::optional<UnitPrice> price_in(const json& page, const std::string& endpoint_id) {
  auto prices = page.find("prices");
  if (prices == page.end() || !prices->is_array()) return std::nullopt;
  for (const auto& p : *prices) {
    if (!p.is_object() || string_or_empty(p, "endpoint_id") != endpoint_id) continue;
    auto price = p.find("unit_price");
    if (price == p.end() || !price->is_number() || price->get<double>() < 0) return std::nullopt;
    if (!p.contains("currency") || !p["currency"].is_string()) return std::nullopt;
    return UnitPrice{endpoint_id, price->get<double>(), string_or_empty(p, "unit"), p["currency"].get<std::string>()};
  }
  return std::nullopt;
}

}  // namespace

UnitPrice fetch_unit_price(const Fal& fal, const std::string& endpoint_id) {
  const std::string url = fal.urls.api + "/v1/models/pricing?endpoint_id=" + url_escape(endpoint_id);
  Response resp = get_platform(fal.http, url, policy::standard(), kSubject, "read fal's prices");
  json page = json::parse(resp.body, nullptr, false);
  auto price = page.is_object() ? price_in(page, endpoint_id) : std::nullopt;
  if (!price)
    throw Error(ErrorKind::network, kSubject,
                "fal's answer holds no price for " + endpoint_id + ": " + fal.http.redact(resp.body.substr(0, 120)));
  return *price;
}

}  // namespace omnicut::client
