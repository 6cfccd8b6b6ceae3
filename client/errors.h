// fal's HTTP answers as one-line omnicut::Error values with the right kind (and so exit code):
// 401/403 -> auth, 404 -> unknown endpoint, 422 detail[] -> "video_url: ...", 429 -> rate limit,
// 5xx -> server error. The key never appears: every server-given text passes through redact.
// Every client error keeps its cause: the HTTP status (http_category) or, for a request that got
// no answer, the CURLcode (curl_category) and whether the request may have reached the server.
#pragma once
#include <exception>
#include <string>
#include <system_error>

#include "client/http.h"
#include "common/error.h"

namespace omnicut::client {

const std::error_category& curl_category();  // "curl": CURLcode values, curl_easy_strerror text
const std::error_category& http_category();  // "http": HTTP status codes
inline std::error_code curl_error(int curl_code) { return {curl_code, curl_category()}; }
inline std::error_code http_status_error(long status) { return {static_cast<int>(status), http_category()}; }

// A request that got no HTTP answer: kind network (or interrupted, for Ctrl-C mid-request).
// maybe_delivered() is false only when no attempt can have reached the server (DNS, refused
// connection, TLS handshake, or Ctrl-C before the request line went out), which is what makes
// sending a non-idempotent request again safe.
class TransportError : public Error {
 public:
  TransportError(ErrorKind kind, const std::string& subject, const std::string& what, std::error_code cause,
                 bool maybe_delivered)
      : Error(kind, subject, what, cause), maybe_delivered_(maybe_delivered) {}
  bool maybe_delivered() const { return maybe_delivered_; }

 private:
  bool maybe_delivered_;
};

// Whether the request behind `e` may have been taken by fal (for a submit: queued, and billed).
// False for a TransportError that certainly never left, and for an HTTP answer fal sends only
// before queueing (refused_before_queueing in client/http.h: any 4xx, 503), whose cause() says
// so. True for anything else: no answer after the request left, an answer a gateway may have
// sent after passing it on (500/502/504), or a 2xx answer that could not be read.
bool maybe_delivered(const std::exception& e);

// The error for a non-2xx `response` to a call about `subject` (a file, an endpoint id, a
// request id). `http` only redacts.
Error http_error(const Http& http, const std::string& subject, const Response& response);

// fal's error body in one line: 422 detail[] as "video_url: msg; prompt: msg", a string detail
// as-is, the Platform API's {"error":{"type","message"}} as "type: message", else
// {"error"/"message"}, else the first line of the text; "" when there is nothing.
std::string describe_error_body(const std::string& body);

// A Platform API (api.fal.ai/v1/...) 401/403: the key may not `what` ("list fal's request
// history"); kind auth, the status kept as the cause, fal's own message appended.
Error platform_key_refused(const Http& http, const std::string& subject, const Response& response,
                           const std::string& what);

// Throws http_error(...) unless the status is 2xx.
void expect_success(const Http& http, const std::string& subject, const Response& response);

// GET of a Platform API route (api.fal.ai/v1/...) with the key, answered 2xx. A 401/403 throws
// platform_key_refused(`what`), any other non-2xx http_error.
Response get_platform(const Http& http, const std::string& url, const RetryPolicy& policy, const std::string& subject,
                      const std::string& what);

}  // namespace omnicut::client
