#include "client/history.h"

#include "client/errors.h"
#include "common/iso_time.h"

namespace omnicut::client {

namespace {

using json = nlohmann::json;

const char* kSubject = "fal request history";

std::string string_or_empty(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

HistoryItem item_from(const json& j) {
  HistoryItem item;
  item.request_id = string_or_empty(j, "request_id");
  item.endpoint_id = string_or_empty(j, "endpoint_id");
  item.sent_at = string_or_empty(j, "sent_at");
  item.started_at = string_or_empty(j, "started_at");
  item.ended_at = string_or_empty(j, "ended_at");
  if (auto c = j.find("status_code"); c != j.end() && c->is_number_integer()) item.status_code = c->get<int>();
  item.json_input = j.value("json_input", json());
  item.json_output = j.value("json_output", json());
  return item;
}

std::string page_url(const Fal& fal, const std::string& endpoint_id, std::chrono::system_clock::time_point since,
                     const ListOptions& o, const std::string& cursor) {
  std::string url = fal.urls.api + "/v1/models/requests/by-endpoint?endpoint_id=" + url_escape(endpoint_id) +
                    "&start=" + url_escape(format_iso8601(since)) + "&limit=" + std::to_string(o.page_size);
  if (o.payloads) url += "&expand=payloads";
  if (!o.request_id.empty()) url += "&request_id=" + url_escape(o.request_id);
  if (!cursor.empty()) url += "&cursor=" + url_escape(cursor);
  return url;
}

json fetch_page(const Fal& fal, const std::string& url) {
  Response resp = get_platform(fal.http, url, policy::status(), kSubject, "list fal's request history");
  json j = json::parse(resp.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("items") || !j["items"].is_array())
    throw Error(ErrorKind::network, kSubject, "fal's answer is not a request listing: " + fal.http.redact(resp.body.substr(0, 120)));
  return j;
}

}  // namespace

Listing list_requests(const Fal& fal, const std::string& endpoint_id, std::chrono::system_clock::time_point since,
                      const ListOptions& options) {
  Listing listing;
  std::string cursor;
  for (;;) {
    json page = fetch_page(fal, page_url(fal, endpoint_id, since, options, cursor));
    ++listing.pages;
    for (const auto& item : page["items"])
      if (item.is_object()) listing.items.push_back(item_from(item));
    cursor = string_or_empty(page, "next_cursor");
    // has_more as fal sends it (a boolean); anything else is read as "more" while a cursor came.
    auto more = page.find("has_more");
    if (cursor.empty() || (more != page.end() && more->is_boolean() && !more->get<bool>())) return listing;
    if (listing.pages >= options.max_pages) {
      listing.truncated = true;
      return listing;
    }
  }
}

}  // namespace omnicut::client
