#include "client/queue.h"

#include <curl/curl.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "client/errors.h"
#include "client/fal_urls.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omnicut::client {
namespace {

using nlohmann::json;

std::string subject_of(const Submission& job) { return job.endpoint_id + " request " + job.request_id; }

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

json parse_object(const Http& http, const std::string& subject, const Response& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(ErrorKind::network, subject,
                "fal's answer is not a JSON object: " + http.redact(r.body.substr(0, 120)));
  return j;
}

// "owner/app" of an endpoint id ("workflows/owner/app" for namespaced ones): status, result and
// cancel live there, without the subpath.
std::string app_of(const std::string& endpoint_id) {
  std::vector<std::string> parts;
  for (size_t start = 0; start <= endpoint_id.size();) {
    auto slash = endpoint_id.find('/', start);
    parts.push_back(endpoint_id.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  size_t keep = (parts[0] == "workflows" || parts[0] == "comfy") ? 3 : 2;
  if (parts.size() < keep)
    throw Error(ErrorKind::usage, endpoint_id, "not an endpoint id of the form owner/app[/path]");
  std::string app;
  for (size_t i = 0; i < keep; ++i) app += (i ? "/" : "") + parts[i];
  return app;
}

// The key goes with every status, result and cancel call, so those URLs are only taken from
// fal's answer when they point at the queue host the key was meant for.
std::string same_origin_or(const std::string& given, const std::string& queue, const std::string& fallback) {
  return !given.empty() && url_origin(given) == url_origin(queue) ? given : fallback;
}

std::string with_query(const std::string& url, const std::string& query) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

JobState parse_state(const std::string& subject, const std::string& text) {
  if (text == "IN_QUEUE") return JobState::in_queue;
  if (text == "IN_PROGRESS") return JobState::in_progress;
  if (text == "COMPLETED") return JobState::completed;
  throw Error(ErrorKind::network, subject, "fal reported an unknown job status \"" + text + "\"");
}

std::vector<LogLine> parse_logs(const json& logs) {
  std::vector<LogLine> out;
  if (!logs.is_array()) return out;
  for (const auto& entry : logs) {
    if (!entry.is_object()) continue;
    LogLine line{string_field(entry, "timestamp"), string_field(entry, "level"), string_field(entry, "message")};
    out.push_back(std::move(line));
  }
  return out;
}

// The result GET of a finished job; a failed job answers here with its 4xx/5xx and detail.
JobResult fetch_result(const Fal& fal, const Submission& job, const std::string& status_error) {
  const std::string subject = subject_of(job);
  Request r;
  r.url = job.response_url;
  r.with_key = true;
  r.headers = {"Accept: application/json"};
  Response resp = fal.http.send(r, policy::standard(), subject);
  if (resp.status >= 200 && resp.status < 300) {
    JobResult out{parse_object(fal.http, subject, resp), resp.header("x-fal-request-id"), std::nullopt};
    if (out.request_id.empty()) out.request_id = job.request_id;
    if (auto it = resp.headers.find("x-fal-billable-units"); it != resp.headers.end())
      out.billed = parse_billable_units(it->second);
    return out;
  }
  bool transient = resp.status == 429 || resp.status == 502 || resp.status == 503 || resp.status == 504;
  if (resp.status == 401 || resp.status == 403 || resp.status == 404 || transient)
    throw http_error(fal.http, subject, resp);
  std::string detail = fal.http.redact(describe_error_body(resp.body));
  if (detail.empty()) detail = fal.http.redact(status_error);
  if (detail.empty()) detail = "HTTP " + std::to_string(resp.status);
  // 422: the model refused the input ("video_url: ..."), which the user can fix.
  throw Error(ErrorKind::remote, subject, resp.status == 422 ? detail : "the job failed: " + detail);
}

}  // namespace

BilledUnits parse_billable_units(const std::string& raw) {
  BilledUnits b{raw, std::nullopt};
  size_t first = raw.find_first_not_of(" \t"), last = raw.find_last_not_of(" \t");
  if (first == std::string::npos) return b;
  std::string_view text(raw.data() + first, last - first + 1);
  if (text.find_first_not_of("0123456789.") != std::string_view::npos || text.find_first_of("0123456789") == std::string_view::npos)
    return b;  // signs, exponents, hex, inf/nan: not the decimal fal writes
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::fixed);
  if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(v)) b.value = v;
  return b;
}

const char* to_string(JobState state) {
  switch (state) {
    case JobState::in_queue: return "IN_QUEUE";
    case JobState::in_progress: return "IN_PROGRESS";
    case JobState::completed: return "COMPLETED";
  }
  return "?";
}

Submission submission_for(const Fal& fal, const std::string& endpoint_id, const std::string& request_id) {
  std::string base = fal.urls.queue + "/" + app_of(endpoint_id) + "/requests/" + request_id;
  return Submission{endpoint_id, request_id, base + "/status", base, base + "/cancel"};
}

Submission submit(const Fal& fal, const std::string& endpoint_id, const json& input, const SubmitOptions& options) {
  app_of(endpoint_id);  // refuse a malformed id before anything is sent
  Request r;
  r.method = "POST";
  r.url = fal.urls.queue + "/" + endpoint_id;
  if (!options.webhook_url.empty()) r.url += "?fal_webhook=" + url_escape(options.webhook_url);
  r.with_key = true;
  r.headers = {"Content-Type: application/json", "Accept: application/json"};
  r.body = input.dump();
  // Never billing twice: policy::submit() repeats the POST only when fal certainly did not take
  // it (no connection was made, or fal answered 429/503, which it sends before queueing). A
  // timeout or a dropped connection after the body went out throws instead of resending, with a
  // message saying the job may have been accepted.
  Response resp = fal.http.send(r, policy::submit(), endpoint_id);
  expect_success(fal.http, endpoint_id, resp);
  json j = parse_object(fal.http, endpoint_id, resp);
  std::string id = string_field(j, "request_id");
  if (id.empty()) throw Error(ErrorKind::network, endpoint_id, "fal accepted the job but sent no request_id");
  Submission built = submission_for(fal, endpoint_id, id);
  return Submission{endpoint_id, id, same_origin_or(string_field(j, "status_url"), fal.urls.queue, built.status_url),
                    same_origin_or(string_field(j, "response_url"), fal.urls.queue, built.response_url),
                    same_origin_or(string_field(j, "cancel_url"), fal.urls.queue, built.cancel_url)};
}

JobStatus status(const Fal& fal, const Submission& job, bool with_logs) {
  const std::string subject = subject_of(job);
  Request r;
  r.url = with_query(job.status_url, with_logs ? "logs=1" : "logs=0");
  r.with_key = true;
  r.headers = {"Accept: application/json"};
  Response resp = fal.http.send(r, policy::status(), subject);
  expect_success(fal.http, subject, resp);
  json j = parse_object(fal.http, subject, resp);
  JobStatus st;
  st.state = parse_state(subject, string_field(j, "status"));
  if (auto pos = j.find("queue_position"); pos != j.end() && pos->is_number_integer()) st.queue_position = pos->get<int>();
  if (auto logs = j.find("logs"); logs != j.end()) st.logs = parse_logs(*logs);
  st.error = fal.http.redact(string_field(j, "error"));
  st.error_type = string_field(j, "error_type");
  return st;
}

JobResult result(const Fal& fal, const Submission& job) { return fetch_result(fal, job, ""); }

bool cancel(const Fal& fal, const Submission& job) {
  const std::string subject = subject_of(job);
  Request r;
  r.method = "PUT";
  r.url = job.cancel_url;
  r.with_key = true;
  r.headers = {"Accept: application/json"};
  r.interruptible = false;  // it is what Ctrl-C asks for
  Response resp = fal.http.send(r, policy::standard(), subject);
  if (resp.status >= 200 && resp.status < 300) return true;
  if (resp.status == 400) return false;  // fal: the job already finished
  throw http_error(fal.http, subject, resp);
}

JobResult wait_for_result(const Fal& fal, const Submission& job, const WaitOptions& options) {
  auto started = std::chrono::steady_clock::now();
  size_t seen_logs = 0;
  try {
    for (;;) {
      JobStatus st = status(fal, job, true);
      // fal sends every log line on every read; pass on only the ones not shown yet.
      if (st.logs.size() < seen_logs) seen_logs = 0;
      std::vector<LogLine> fresh(st.logs.begin() + static_cast<std::ptrdiff_t>(seen_logs), st.logs.end());
      seen_logs = st.logs.size();
      if (options.on_update) options.on_update(st, fresh);
      if (st.state == JobState::completed) return fetch_result(fal, job, st.error);
      double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (options.timeout_s > 0 && waited > options.timeout_s)
        throw Error(ErrorKind::network, subject_of(job),
                    std::string("still ") + to_string(st.state) + " after " + std::to_string(static_cast<int>(waited)) +
                        " s; not cancelled (fetch it later by its request id)");
      auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.poll_interval_s);
      while (std::chrono::steady_clock::now() < until) {
        if (omnicut::interrupted()) throw Error(ErrorKind::interrupted, subject_of(job), "interrupted");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::interrupted || !options.cancel_on_interrupt) throw;
    bool cancelled = false;
    try {
      cancelled = cancel(fal, job);
    } catch (const Error&) {
    }
    throw Error(ErrorKind::interrupted, subject_of(job),
                cancelled ? "interrupted; the job was cancelled" : "interrupted; the job could not be cancelled");
  }
}

}  // namespace omnicut::client
