#include "client/errors.h"

#include <curl/curl.h>

#include <nlohmann/json.hpp>

namespace omnicut::client {
namespace {

std::string one_line(std::string text, size_t max = 300) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  auto b = text.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  text = text.substr(b, text.find_last_not_of(' ') - b + 1);
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

// A 422 detail item: {"loc": ["body", "video_url"], "msg": "..."} -> "video_url: ...".
std::string describe_detail_item(const nlohmann::json& item) {
  if (item.is_string()) return item.get<std::string>();
  if (!item.is_object()) return item.dump();
  std::string field;
  if (auto loc = item.find("loc"); loc != item.end() && loc->is_array()) {
    for (const auto& part : *loc) {
      if (part.is_string() && part.get<std::string>() == "body" && field.empty()) continue;
      if (!field.empty()) field += ".";
      field += part.is_string() ? part.get<std::string>() : part.dump();
    }
  }
  // Only string messages: a number or object there would make json::value throw its type_error.
  auto text_of = [&](const char* key) {
    auto it = item.find(key);
    return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string msg = text_of("msg");
  if (msg.empty()) msg = text_of("message");
  if (msg.empty()) msg = item.dump();
  return field.empty() ? msg : field + ": " + msg;
}

std::string describe_detail(const nlohmann::json& detail) {
  if (detail.is_string()) return detail.get<std::string>();
  if (detail.is_array()) {
    std::string out;
    for (const auto& item : detail) out += (out.empty() ? "" : "; ") + describe_detail_item(item);
    return out;
  }
  if (detail.is_object()) return describe_detail_item(detail);
  return detail.dump();
}

std::string with_body(const std::string& what, const std::string& body) {
  return body.empty() ? what : what + ": " + body;
}

class CurlCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "curl"; }
  std::string message(int code) const override { return curl_easy_strerror(static_cast<CURLcode>(code)); }
};

class HttpCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "http"; }
  std::string message(int status) const override { return "HTTP " + std::to_string(status); }
};

}  // namespace

const std::error_category& curl_category() {
  static const CurlCategory instance;
  return instance;
}

const std::error_category& http_category() {
  static const HttpCategory instance;
  return instance;
}

bool maybe_delivered(const std::exception& e) {
  if (const auto* transport = dynamic_cast<const TransportError*>(&e)) return transport->maybe_delivered();
  const auto* error = dynamic_cast<const Error*>(&e);
  if (error && error->cause().category() == http_category()) return !refused_before_queueing(error->cause().value());
  return true;
}

std::string describe_error_body(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (auto d = j.find("detail"); d != j.end() && !d->is_null()) return one_line(describe_detail(*d));
    // The Platform API's shape: {"error": {"type", "message"}}.
    if (auto e = j.find("error"); e != j.end() && e->is_object() && e->contains("message") &&
        (*e)["message"].is_string())
      return one_line(e->value("type", "error") + ": " + e->value("message", ""));
    for (const char* key : {"error", "message"})
      if (auto m = j.find(key); m != j.end() && m->is_string()) return one_line(m->get<std::string>());
  }
  // An HTML error page from a proxy says nothing useful in one line.
  if (body.find('<') != std::string::npos) return "";
  return one_line(body.substr(0, body.find('\n')));
}

Error http_error(const Http& http, const std::string& subject, const Response& r) {
  std::string body = http.redact(describe_error_body(r.body));
  std::string code = "HTTP " + std::to_string(r.status);
  auto error = [&](ErrorKind kind, const std::string& what) { return Error(kind, subject, what, http_status_error(r.status)); };
  switch (r.status) {
    case 401:
    case 403:
      return error(ErrorKind::auth, with_body(code + ": fal rejected the key (check FAL_KEY)", body));
    case 404:
      return error(ErrorKind::usage, with_body(code + ": unknown endpoint or request", body));
    case 422:
      return error(ErrorKind::remote, body.empty() ? code + ": the endpoint refused the input" : body);
    case 429:
      return error(ErrorKind::network, with_body(code + ": rate limited by fal; try again later", body));
    default:
      break;
  }
  if (r.status >= 500) return error(ErrorKind::network, with_body(code + ": fal server error", body));
  return error(ErrorKind::remote, with_body(code, body));
}

Error platform_key_refused(const Http& http, const std::string& subject, const Response& r, const std::string& what) {
  std::string body = http.redact(describe_error_body(r.body));
  return Error(ErrorKind::auth, subject,
               "HTTP " + std::to_string(r.status) + ": this key may not " + what + (body.empty() ? "" : " (" + body + ")"),
               http_status_error(r.status));
}

void expect_success(const Http& http, const std::string& subject, const Response& r) {
  if (r.status < 200 || r.status >= 300) throw http_error(http, subject, r);
}

Response get_platform(const Http& http, const std::string& url, const RetryPolicy& policy, const std::string& subject,
                      const std::string& what) {
  Request r;
  r.url = url;
  r.with_key = true;
  r.headers = {"Accept: application/json"};
  Response resp = http.send(r, policy, subject);
  if (resp.status == 401 || resp.status == 403) throw platform_key_refused(http, subject, resp, what);
  expect_success(http, subject, resp);
  return resp;
}

}  // namespace omnicut::client
