// fal's HTTP answers as one-line omnicut::Error values with the right kind (and so exit code):
// 401/403 -> auth, 404 -> unknown endpoint, 422 detail[] -> "video_url: ...", 429 -> rate limit,
// 5xx -> server error. The key never appears: every server-given text passes through redact.
#pragma once
#include <string>

#include "client/http.h"
#include "common/error.h"

namespace omnicut::client {

// The error for a non-2xx `response` to a call about `subject` (a file, an endpoint id, a
// request id). `http` only redacts.
Error http_error(const Http& http, const std::string& subject, const Response& response);

// fal's error body in one line: 422 detail[] as "video_url: msg; prompt: msg", a string detail
// as-is, else {"error"/"message"}, else the first line of the text; "" when there is nothing.
std::string describe_error_body(const std::string& body);

// Throws http_error(...) unless the status is 2xx.
void expect_success(const Http& http, const std::string& subject, const Response& response);

}  // namespace omnicut::client
