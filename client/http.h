// HTTP over libcurl. Retries, backoff, Retry-After and timeouts live here and nowhere else; callers
// choose a RetryPolicy that says which answers are safe to repeat. An Http and its copies share a
// pool of easy handles, so a session's requests reuse their connections (no TCP and TLS handshake
// per status poll); a request that must not run twice always goes out on a fresh connection.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/credentials.h"

namespace omnicut::client {

// Bytes done so far and the total (0 when unknown).
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct HttpOptions {
  long connect_timeout_s = 20;
  // A transfer slower than low_speed_bytes per second for low_speed_time_s is cut, so a stalled
  // connection never hangs; the retry policy then decides what happens.
  long low_speed_bytes = 1;
  long low_speed_time_s = 60;
  long json_timeout_s = 120;     // whole-request cap for small JSON calls (not file transfers)
  bool verbose = false;          // curl's header trace on stderr, key redacted
};

struct RetryPolicy {
  int max_attempts = 4;               // the first try included
  double base_delay_s = 1.0;          // doubles each time, with full jitter
  double max_delay_s = 30.0;
  double max_total_s = 300.0;         // no new attempt starts after this
  std::vector<int> retry_statuses = {429, 502, 503, 504};
  // Network errors after the request may have reached the server (timeouts, dropped
  // connections). False for calls that must not run twice: see queue.cpp's submit. Such calls
  // also never go out on a reused connection, because libcurl silently sends a request again
  // when a reused connection dies before any answer byte.
  bool retry_maybe_delivered = true;
};

// Whether an HTTP answer to a queue submit means fal did not queue it: every 4xx (key, unknown
// endpoint, body, rate limit: refused at the door) and 503 (no capacity). 500/502/504 may come
// from a gateway that had already passed the request on. policy::submit() repeats two of these
// (429, 503); client::maybe_delivered() (client/errors.h) reads an answered error by this rule.
bool refused_before_queueing(long status);

namespace policy {
RetryPolicy standard();   // initiate, cancel, part PUTs: 429/502/503/504 + network errors
RetryPolicy status();     // status reads: as standard, plus 500, more attempts
RetryPolicy submit();     // 429/503 and never-sent errors only (never bill twice)
RetryPolicy none();       // exactly one attempt
}  // namespace policy

struct Response;

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;   // "Name: value"
  bool with_key = false;              // add "Authorization: Key ..." (fal's own hosts only)
  std::string body;                   // sent as-is unless body_file is set
  // Streamed from disk with a read callback: bytes [body_offset, body_offset + body_length).
  std::filesystem::path body_file;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  // When set, a 2xx answer's body goes here instead of Response::body (return false to abort).
  std::function<bool(const char* data, size_t size)> sink;
  // Called once per attempt, before the first byte reaches `sink`, with the 2xx answer's status
  // and headers (body still empty); return false to abort. Lets a download check a Range reply.
  std::function<bool(const Response& head)> on_head;
  // The callbacks must not send requests through the same Http themselves.
  ProgressFn progress;                // upload or download bytes of this transfer
  bool follow_redirects = false;      // only ever for requests without the key
  bool whole_request_timeout = true;  // json_timeout_s applies (off for file transfers)
  bool interruptible = true;          // false only for the cancel sent after Ctrl-C itself
};

struct Response {
  long status = 0;
  std::string body;                               // error bodies are always kept here
  std::map<std::string, std::string> headers;     // names lower-cased
  std::string header(const std::string& lower_name) const;
};

// A transfer that got no HTTP answer. `maybe_delivered` is false only when the request certainly
// did not reach the server (DNS, refused connection, TLS handshake), which is what makes a
// resubmit safe.
struct TransportFailure {
  enum class Kind { connect, tls, timeout, dropped, interrupted, other } kind = Kind::other;
  bool maybe_delivered = true;
  std::string message;                            // one line, curl's wording
  int curl_code = 0;                              // the CURLcode (client/errors.h's curl_category)
};

struct HandlePool;

class Http {
 public:
  Http(std::optional<Credentials> credentials, HttpOptions options);

  // One attempt: the answer (any status), or the failure when there was none. Throws
  // client::TransportError(interrupted) on Ctrl-C (client/errors.h), saying whether it had left.
  struct Outcome {
    std::optional<Response> response;
    TransportFailure failure;
  };
  Outcome attempt(const Request& request) const;

  // Attempts under `policy` until an answer that is not worth repeating, and returns that answer
  // whatever its status (a retryable status that outlived the policy too, so that errors.h can
  // word it). Throws client::TransportError(network) naming `subject` when no attempt got an
  // answer: its cause() is the last CURLcode and maybe_delivered() says whether an attempt that
  // got no answer may have reached the server (answers the policy repeated were safe to repeat
  // by its own premise). Throws TransportError(interrupted) on Ctrl-C, the same way.
  Response send(const Request& request, const RetryPolicy& policy, const std::string& subject) const;

  bool has_credentials() const { return credentials_.has_value(); }
  // Redacts the key from any server-given text before it reaches a message.
  std::string redact(const std::string& text) const;
  const HttpOptions& options() const { return options_; }

 private:
  Outcome attempt(const Request& request, bool fresh_connection) const;

  std::optional<Credentials> credentials_;
  HttpOptions options_;
  std::shared_ptr<HandlePool> handles_;
};

// Seconds from a Retry-After value (delta-seconds or an HTTP date); nullopt when unusable.
std::optional<double> parse_retry_after(const std::string& value);

}  // namespace omnicut::client
