// Small pieces every route shares: fal-shaped JSON answers, ids, timestamps, URL parts, and
// cutting a connection on purpose (the drop faults).
#pragma once
#include <optional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace omnicut::emulator {

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// FastAPI's shape for app errors: {"detail": "..."}.
void send_detail(httplib::Response& res, int status, const std::string& detail);
// FastAPI's shape for validation errors: 422 {"detail":[{"loc":["body",field],"msg","type"}]}.
nlohmann::json validation_detail(const std::string& field, const std::string& msg, const std::string& type);

std::string random_hex(int bytes);
std::string new_request_id();       // a UUID v4, like fal's request ids
std::string iso_timestamp_now();    // "2026-11-30T09:18:40.123456+00:00"

struct UrlParts {
  std::string scheme, host;
  int port = 0;
  std::string path_and_query;       // "/" when the URL has none
};
std::optional<UrlParts> parse_url(const std::string& url);
bool is_loopback_host(const std::string& host);

// Shuts down the socket this request arrived on (found by its address pair), so the peer sees
// the connection end mid-transfer. Returns false when the socket was not found.
bool drop_connection(const httplib::Request& req);

// "logs=1|true" -> true, "0|false" or absent -> false, as the JS, Python and old SDK clients send it.
bool logs_requested(const httplib::Request& req);

}  // namespace omnicut::emulator
