#include "client/http.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "client/errors.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omnicut::client {

// The connections (and DNS and TLS sessions) every transfer of an Http and its copies share, on
// any thread: each attempt has an easy handle of its own, and through this share it reuses the
// connection an earlier transfer left open. A fresh handle per attempt also stays clear of
// libcurl 7.88's stale header pointer in a reused handle (curl#11101, fixed in 8.1: a response
// whose first header line is folded read freed memory; found by the fal_answers fuzzer).
struct HandlePool {
  CURLSH* share = curl_share_init();
  std::mutex locks[CURL_LOCK_DATA_LAST];

  HandlePool() {
    if (!share) return;
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    for (auto data : {CURL_LOCK_DATA_CONNECT, CURL_LOCK_DATA_DNS, CURL_LOCK_DATA_SSL_SESSION})
      curl_share_setopt(share, CURLSHOPT_SHARE, data);
  }
  ~HandlePool() { curl_share_cleanup(share); }
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* pool) {
    static_cast<HandlePool*>(pool)->locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* pool) { static_cast<HandlePool*>(pool)->locks[data].unlock(); }
};

namespace {

constexpr size_t kMaxKeptBody = 8u << 20;     // error and JSON bodies; files go to a sink
// curl's own default upload buffer; larger ones measured slower against the loopback emulator.
constexpr long kUploadBuffer = 64 * 1024;
constexpr long kDownloadBuffer = 256 * 1024;  // fewer write callbacks per GB

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// State shared with curl's callbacks for one attempt.
struct Transfer {
  const Request* request = nullptr;
  CURL* handle = nullptr;
  const Http* http = nullptr;
  int fd = -1;                 // body_file, opened for this attempt
  uint64_t sent = 0;           // bytes of the body range handed to curl
  Response response;
  bool sink_failed = false;
  bool head_seen = false;
  bool interrupted = false;
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  uint64_t left = t->request->body_length - t->sent;
  size_t want = static_cast<size_t>(std::min<uint64_t>(left, size * count));
  if (want == 0) return 0;
  ssize_t got = ::pread(t->fd, buffer, want, static_cast<off_t>(t->request->body_offset + t->sent));
  if (got <= 0) return CURL_READFUNC_ABORT;  // the file shrank or vanished under us
  t->sent += static_cast<uint64_t>(got);
  return static_cast<size_t>(got);
}

int seek_body(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > t->request->body_length)
    return CURL_SEEKFUNC_CANTSEEK;
  t->sent = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
  if (t->request->sink && status >= 200 && status < 300) {
    if (!t->head_seen) {
      t->head_seen = true;
      t->response.status = status;
      if (t->request->on_head && !t->request->on_head(t->response)) {
        t->sink_failed = true;
        return 0;
      }
    }
    if (!t->request->sink(data, n)) {
      t->sink_failed = true;
      return 0;  // makes curl stop with CURLE_WRITE_ERROR
    }
    return n;
  }
  auto room = kMaxKeptBody - std::min(kMaxKeptBody, t->response.body.size());
  t->response.body.append(data, std::min(n, room));
  return n;
}

size_t read_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * count);
  // A new status line (after "100 Continue" or a redirect) starts a new set of headers.
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    t->response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return size * count;
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  auto* t = static_cast<Transfer*>(user);
  if (t->request->interruptible && omnicut::interrupted()) {
    t->interrupted = true;
    return 1;
  }
  if (t->request->progress) {
    if (ultotal > 0 || ulnow > 0)
      t->request->progress(static_cast<uint64_t>(ulnow), static_cast<uint64_t>(ultotal));
    else
      t->request->progress(static_cast<uint64_t>(dlnow), static_cast<uint64_t>(dltotal));
  }
  return 0;
}

// Verbose trace: headers and curl's own remarks only (never bodies), with the key redacted.
int on_debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  const char* prefix = type == CURLINFO_TEXT ? "* " : type == CURLINFO_HEADER_IN ? "< "
                       : type == CURLINFO_HEADER_OUT                            ? "> "
                                                                                : nullptr;
  if (!prefix) return 0;
  auto* t = static_cast<Transfer*>(user);
  std::string text = t->http->redact(std::string(data, size));
  size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    auto line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) std::fprintf(stderr, "%s%s\n", prefix, line.c_str());
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return 0;
}

TransportFailure::Kind kind_of(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return TransportFailure::Kind::connect;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return TransportFailure::Kind::tls;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportFailure::Kind::timeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return TransportFailure::Kind::dropped;
    default:
      return TransportFailure::Kind::other;
  }
}

// One attempt's easy handle, on the pool's shared connections; cleaned up after the attempt.
class PooledHandle {
 public:
  explicit PooledHandle(HandlePool& pool) : handle_(curl_easy_init()) {
    if (handle_ && pool.share) curl_easy_setopt(handle_, CURLOPT_SHARE, pool.share);
  }
  ~PooledHandle() { curl_easy_cleanup(handle_); }
  PooledHandle(const PooledHandle&) = delete;
  PooledHandle& operator=(const PooledHandle&) = delete;
  CURL* get() const { return handle_; }

 private:
  CURL* handle_ = nullptr;
};

// Nothing at all reached the server when not even the request line went out.
bool request_left(CURL* h) {
  long request_size = 0;
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
  return request_size > 0;
}

using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

void set_body(CURL* h, const Request& r, Transfer& t) {
  if (!r.body_file.empty()) {
    t.fd = ::open(r.body_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (t.fd < 0) throw Error(ErrorKind::not_found, r.body_file.string(), "cannot open for upload");
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, seek_body);
    curl_easy_setopt(h, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body_length));
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, kUploadBuffer);
    if (r.method != "PUT") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method == "POST" || r.method == "PUT" || !r.body.empty()) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
    if (r.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (r.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
}

bool sleep_unless_interrupted(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (omnicut::interrupted()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !omnicut::interrupted();
}

double backoff_delay(const RetryPolicy& policy, int attempt) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  double ceiling = std::min(policy.max_delay_s, policy.base_delay_s * std::pow(2.0, attempt - 1));
  // Equal jitter: never zero (so a herd still spreads out) and never above the ceiling.
  return ceiling * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
}

std::string failure_wording(const TransportFailure& f) {
  switch (f.kind) {
    case TransportFailure::Kind::connect: return "cannot connect: " + f.message;
    case TransportFailure::Kind::tls: return "TLS failure: " + f.message;
    case TransportFailure::Kind::timeout: return "timed out: " + f.message;
    case TransportFailure::Kind::dropped: return "connection dropped: " + f.message;
    default: return f.message;
  }
}

}  // namespace

std::string Response::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

bool refused_before_queueing(long status) { return (status >= 400 && status < 500) || status == 503; }

namespace policy {
RetryPolicy standard() { return RetryPolicy{}; }
RetryPolicy status() {
  RetryPolicy p;
  p.max_attempts = 6;
  p.retry_statuses = {429, 500, 502, 503, 504};
  return p;
}
RetryPolicy submit() {
  RetryPolicy p;
  p.max_attempts = 4;
  p.max_delay_s = 60;
  // fal answers 429 (rate limited) and 503 (no capacity to queue) before it queues anything
  // (refused_before_queueing), so repeating those cannot create a second job. 502/504 come from
  // gateways that may already have passed the request on, so they are not repeated.
  p.retry_statuses = {429, 503};
  p.retry_maybe_delivered = false;
  return p;
}
RetryPolicy none() {
  RetryPolicy p;
  p.max_attempts = 1;
  return p;
}
}  // namespace policy

Http::Http(std::optional<Credentials> credentials, HttpOptions options)
    : credentials_(std::move(credentials)), options_(options) {
  init_curl_once();  // before the share is made
  handles_ = std::make_shared<HandlePool>();
}

// Server text quoted in a message: the key hidden, and bytes that are not UTF-8 (a body cut at 120
// bytes, a hostile header) replaced by U+FFFD, so that the message can go into a ledger or a JSON line.
std::string Http::redact(const std::string& text) const {
  const std::string shown = credentials_ ? credentials_->redact(text) : text;
  return nlohmann::json::parse(nlohmann::json(shown).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .get<std::string>();
}

Http::Outcome Http::attempt(const Request& r) const { return attempt(r, false); }

Http::Outcome Http::attempt(const Request& r, bool fresh_connection) const {
  PooledHandle handle(*handles_);
  if (!handle.get()) throw Error(ErrorKind::internal, r.url, "curl_easy_init failed");
  CURL* h = handle.get();
  Transfer t;
  t.request = &r;
  t.handle = h;
  t.http = this;
  struct FdCloser {
    int& fd;
    ~FdCloser() {
      if (fd >= 0) ::close(fd);
    }
  } closer{t.fd};

  HeaderList headers(nullptr, curl_slist_free_all);
  auto add_header = [&](const std::string& line) {
    auto* grown = curl_slist_append(headers.get(), line.c_str());
    if (!grown) throw Error(ErrorKind::internal, r.url, "out of memory");
    headers.release();
    headers.reset(grown);
  };
  for (const auto& line : r.headers) add_header(line);
  if (r.with_key && credentials_) add_header("Authorization: " + credentials_->authorization());
  add_header("Expect:");  // no 100-continue round trip before each body

  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "omnicut/0.1.0");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, (r.follow_redirects && !r.with_key) ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_bytes);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
  if (r.whole_request_timeout) curl_easy_setopt(h, CURLOPT_TIMEOUT, options_.json_timeout_s);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  if (fresh_connection) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_BUFFERSIZE, kDownloadBuffer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  if (options_.verbose) {
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &t);
  }
  set_body(h, r, t);

  CURLcode code = curl_easy_perform(h);
  if (t.interrupted) throw TransportError(ErrorKind::interrupted, r.url, "interrupted", curl_error(code), request_left(h));

  Outcome outcome;
  if (code == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t.response.status);
    outcome.response = std::move(t.response);
    return outcome;
  }
  // Only a request that certainly never reached the server is safe to send again when it is
  // not idempotent.
  auto& f = outcome.failure;
  f.kind = t.sink_failed ? TransportFailure::Kind::other : kind_of(code);
  f.maybe_delivered = request_left(h) && f.kind != TransportFailure::Kind::connect;
  f.curl_code = code;
  f.message = t.sink_failed ? "cannot write the downloaded bytes"
                            : redact(errbuf[0] ? errbuf : curl_easy_strerror(code));
  return outcome;
}

Response Http::send(const Request& request, const RetryPolicy& p, const std::string& subject) const {
  auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  // Whether an attempt without an answer may have reached the server. Answered attempts do not
  // count: the policy repeats only answers that are safe to repeat (for a submit, 429/503, which
  // fal sends before it queues anything).
  bool maybe_delivered = false;
  for (int attempt_no = 1;; ++attempt_no) {
    Outcome outcome;
    try {
      outcome = attempt(request, !p.retry_maybe_delivered);
    } catch (const TransportError& e) {
      // Name what the user asked for (a file, an endpoint), not a presigned URL and its signature.
      throw TransportError(e.kind(), subject, "interrupted", e.cause(), maybe_delivered || e.maybe_delivered());
    }
    double delay = backoff_delay(p, attempt_no);
    bool last = attempt_no >= p.max_attempts;
    if (outcome.response) {
      const Response& r = *outcome.response;
      bool retryable = std::find(p.retry_statuses.begin(), p.retry_statuses.end(), r.status) != p.retry_statuses.end();
      // 504 with X-Fal-Request-Timeout-Type: user is the caller's own start timeout expiring.
      if (r.status == 504 && lower(r.header("x-fal-request-timeout-type")) == "user") retryable = false;
      if (!retryable || last) return r;
      if (auto wait = parse_retry_after(r.header("retry-after"))) delay = *wait;
      if (elapsed() + delay > p.max_total_s) return r;
    } else {
      const auto& f = outcome.failure;
      maybe_delivered |= f.maybe_delivered;
      // A bad certificate or TLS setup does not heal by repeating.
      bool retryable = f.kind != TransportFailure::Kind::tls && f.kind != TransportFailure::Kind::other &&
                       (!f.maybe_delivered || p.retry_maybe_delivered);
      if (!retryable || last || elapsed() + delay > p.max_total_s) {
        std::string cause = failure_wording(f);
        if (f.maybe_delivered && !p.retry_maybe_delivered && request.method == "POST")
          cause += " after the request was sent: fal may have accepted it, so it was not sent again "
                   "(to avoid paying twice)";
        else if (attempt_no > 1)
          cause += " (after " + std::to_string(attempt_no) + " attempts)";
        throw TransportError(ErrorKind::network, subject, cause, curl_error(f.curl_code), maybe_delivered);
      }
    }
    if (!request.interruptible) {
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    } else if (!sleep_unless_interrupted(delay)) {
      throw TransportError(ErrorKind::interrupted, subject, "interrupted", {}, maybe_delivered);
    }
  }
}

std::optional<double> parse_retry_after(const std::string& value) {
  std::string v = trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); })) {
    // A server asking for more than ten minutes is treated as "give up now".
    double s = std::stod(v.size() > 9 ? std::string("999999999") : v);
    return std::min(s, 600.0);
  }
  time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  double s = std::difftime(when, std::time(nullptr));
  return std::clamp(s, 0.0, 600.0);
}

}  // namespace omnicut::client
