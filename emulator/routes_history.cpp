// fal's request history, a Platform API route: GET /v1/models/requests/by-endpoint (api.fal.ai;
// ../shared/docs/fal-platform-apis.md §8.2). `Authorization: Key` is checked here, not by the
// server's checks, because Platform API errors have their own shape {"error":{"type","message"}}.
// Parameters: endpoint_id (required, 1-50, comma-separated or repeated), start/end (ISO 8601 or
// YYYY-MM-DD, filtering on sent_at; start defaults to 24 h ago, 90 days with request_id; end is
// exclusive), status, request_id, expand=payloads (json_input/json_output only then), sort_by
// (ended_at, the newest first with unfinished rows before them, or duration), limit (1-100,
// default 50), cursor (opaque: the base64 of the row offset). Only requests that have started are
// listed (fal's started_at is required). Faults: history-lag, history-hidden, history-401.
#include <algorithm>
#include <set>

#include "common/iso_time.h"
#include "emulator/context.h"
#include "emulator/http_util.h"
#include "emulator/platform_api.h"

namespace omnicut::emulator {

namespace {

using Time = std::chrono::system_clock::time_point;

const std::string kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) n |= static_cast<uint8_t>(in[i + 2]);
    out += kDigits[(n >> 18) & 63];
    out += kDigits[(n >> 12) & 63];
    out += i + 1 < in.size() ? kDigits[(n >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kDigits[n & 63] : '=';
  }
  return out;
}

std::string unbase64(const std::string& in) {
  std::string out;
  uint32_t n = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    auto d = kDigits.find(c);
    if (d == std::string::npos) throw PlatformError{"cursor is not valid"};
    n = (n << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((n >> bits) & 0xff);
    }
  }
  return out;
}

size_t cursor_offset(const std::string& cursor) {
  std::string text = unbase64(cursor);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9)
    throw PlatformError{"cursor is not valid"};
  return std::stoul(text);
}

Time time_param(const httplib::Request& req, const std::string& name, Time fallback) {
  if (!req.has_param(name)) return fallback;
  auto t = parse_iso8601(req.get_param_value(name));
  if (!t) throw PlatformError{name + ": expected an ISO 8601 date-time or YYYY-MM-DD"};
  return *t;
}

int limit_param(const httplib::Request& req) {
  if (!req.has_param("limit")) return 50;
  const std::string text = req.get_param_value("limit");
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos)
    throw PlatformError{"limit: expected a whole number"};
  int n = std::stoi(text);
  if (n < 1 || n > 100) throw PlatformError{"limit: must be between 1 and 100"};
  return n;
}

bool status_matches(const HistoryRecord& r, const std::string& status) {
  if (status.empty()) return true;
  if (!r.status_code) return false;
  if (status == "success") return *r.status_code < 400;
  if (status == "user_error") return *r.status_code >= 400 && *r.status_code < 500;
  return *r.status_code >= 500;  // "error"
}

std::optional<double> duration_of(const HistoryRecord& r) {
  if (!r.ended_at || !r.started_at) return std::nullopt;
  return std::chrono::duration<double>(*r.ended_at - *r.started_at).count();
}

nlohmann::json item_json(const HistoryRecord& r, bool payloads) {
  auto when = [](const std::optional<Time>& t) { return t ? nlohmann::json(format_iso8601(*t)) : nlohmann::json(); };
  auto duration = duration_of(r);
  nlohmann::json item = {{"request_id", r.request_id}, {"endpoint_id", r.endpoint_id},
                         {"sent_at", format_iso8601(r.sent_at)}, {"started_at", when(r.started_at)},
                         {"ended_at", when(r.ended_at)},
                         {"status_code", r.status_code ? nlohmann::json(*r.status_code) : nlohmann::json()},
                         {"duration", duration ? nlohmann::json(*duration) : nlohmann::json()}};
  if (payloads) item["json_input"] = r.input, item["json_output"] = r.output;
  return item;
}

// ended_at: unfinished rows first, then the most recently ended; duration: the longest first.
void sort_rows(std::vector<HistoryRecord>& rows, const std::string& sort_by) {
  std::stable_sort(rows.begin(), rows.end(), [&](const HistoryRecord& a, const HistoryRecord& b) {
    if (sort_by == "duration") return duration_of(a).value_or(-1) > duration_of(b).value_or(-1);
    if (!a.ended_at || !b.ended_at) return !a.ended_at && b.ended_at;
    return *a.ended_at > *b.ended_at;
  });
}

// Rows the history faults hold back; counted in the stats so a test can see the fault fire.
std::vector<HistoryRecord> visible_rows(Context& ctx, std::vector<HistoryRecord> rows) {
  const auto now = std::chrono::system_clock::now();
  const bool hidden = ctx.faults.history_hidden();
  const auto lag = std::chrono::seconds(ctx.faults.history_lag_s());
  int lagged = 0, held = 0;
  std::erase_if(rows, [&](const HistoryRecord& r) {
    if (hidden) return ++held, true;
    if (now - r.sent_at < lag) return ++lagged, true;
    return false;
  });
  std::lock_guard lock(ctx.stats_mutex);
  ctx.stats.history_lagged += lagged;
  ctx.stats.history_hidden += held;
  return rows;
}

nlohmann::json list_page(Context& ctx, const httplib::Request& req) {
  const auto ids = endpoint_ids(req);
  const auto now = std::chrono::system_clock::now();
  const std::string request_id = req.get_param_value("request_id");
  const auto window = request_id.empty() ? std::chrono::hours(24) : std::chrono::hours(24 * 90);
  const Time start = time_param(req, "start", now - window);
  const Time end = time_param(req, "end", now);
  const std::string status = req.get_param_value("status");
  if (!status.empty() && status != "success" && status != "error" && status != "user_error")
    throw PlatformError{"status: expected success, error or user_error"};
  const std::string expand = req.get_param_value("expand");
  if (!expand.empty() && expand != "payloads") throw PlatformError{"expand: expected payloads"};
  const std::string sort_by = req.has_param("sort_by") ? req.get_param_value("sort_by") : "ended_at";
  if (sort_by != "ended_at" && sort_by != "duration") throw PlatformError{"sort_by: expected ended_at or duration"};
  const size_t limit = static_cast<size_t>(limit_param(req));
  const size_t offset = req.has_param("cursor") ? cursor_offset(req.get_param_value("cursor")) : 0;

  std::vector<HistoryRecord> rows = ctx.jobs->history();
  std::erase_if(rows, [&](const HistoryRecord& r) {
    return !ids.count(r.endpoint_id) || r.sent_at < start || r.sent_at >= end ||
           (!request_id.empty() && r.request_id != request_id) || !status_matches(r, status);
  });
  rows = visible_rows(ctx, std::move(rows));
  sort_rows(rows, sort_by);
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = offset; i < rows.size() && i < offset + limit; ++i) items.push_back(item_json(rows[i], !expand.empty()));
  const bool more = offset + limit < rows.size();
  return {{"items", items}, {"next_cursor", more ? nlohmann::json(base64(std::to_string(offset + limit))) : nlohmann::json()},
          {"has_more", more}};
}

void list_by_endpoint(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (refuse_without_key(ctx, req, res)) return;
  if (ctx.faults.history_401()) {
    count(ctx, &Stats::history_refused);
    return send_platform_error(res, {"This key may not list requests (fault history-401)", 401, "authorization_error"});
  }
  try {
    nlohmann::json page = list_page(ctx, req);
    count(ctx, &Stats::history_listings);
    send_json(res, 200, page);
  } catch (const PlatformError& e) {
    send_platform_error(res, e);
  }
}

}  // namespace

void add_history_routes(httplib::Server& server, Context& ctx) {
  server.Get(R"(/v1/models/requests/by-endpoint/?)",
             [&](const httplib::Request& req, httplib::Response& res) { list_by_endpoint(ctx, req, res); });
}

}  // namespace omnicut::emulator
