// fal's queue API: submit on the full endpoint id (with its subpath), then status, status
// stream, result and cancel under {owner}/{app}/requests/{id} (without the subpath), each
// also with a trailing slash.
#include <chrono>
#include <regex>
#include <thread>

#include "model/endpoints.h"
#include "emulator/context.h"
#include "emulator/http_util.h"

namespace omnicut::emulator {

namespace {

const Endpoint* endpoint_for_path(const std::string& path) {
  std::string id = path.substr(1);
  while (!id.empty() && id.back() == '/') id.pop_back();
  for (const auto& e : endpoint_table())
    if (e.id == id) return &e;
  return nullptr;
}

std::string owner_app_of(const std::string& endpoint_id) {
  auto first = endpoint_id.find('/');
  auto second = endpoint_id.find('/', first + 1);
  return endpoint_id.substr(0, second);
}

void reply(httplib::Response& res, const StatusReply& r, const std::string& request_id) {
  res.set_header("x-fal-request-id", request_id);
  if (!r.billable_units.empty()) res.set_header("x-fal-billable-units", r.billable_units);
  send_json(res, r.http_status, r.body);
}

// fal's apps answer a body that fails validation with 422 and bill nothing for it.
void send_invalid_body(httplib::Response& res) {
  res.set_header("x-fal-billable-units", "0");
  send_json(res, 422, validation_detail("", "Input should be a valid JSON object", "json_invalid"));
}

// slow-submit: the job is already queued (and running) while its answer is still on its way, the
// window in which a client that dies leaves a turn "submitting" with a job at fal.
void hold_answer(Context& ctx) {
  const int ms = ctx.faults.slow_submit_ms();
  if (ms <= 0) return;
  {
    std::lock_guard lock(ctx.stats_mutex);
    ++ctx.stats.slow_submits;
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!ctx.stopping && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void submit(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  const Endpoint* endpoint = endpoint_for_path(req.path);
  if (!endpoint) return send_detail(res, 404, "Path " + req.path + " not found");
  nlohmann::json input = nlohmann::json::parse(req.body, nullptr, false);
  if (input.is_discarded() || !input.is_object()) return send_invalid_body(res);
  if (ctx.faults.take_submit_unavailable()) {
    {
      std::lock_guard lock(ctx.stats_mutex);
      ++ctx.stats.submits_unavailable;
    }
    return send_detail(res, 503, "Service Unavailable: no capacity to queue the request");
  }
  std::string video_url =
      input.contains(endpoint->video_input_field) && input[endpoint->video_input_field].is_string()
          ? input[endpoint->video_input_field].get<std::string>()
          : "";
  nlohmann::json body = ctx.jobs->submit(endpoint->id, owner_app_of(endpoint->id), std::move(input),
                                         req.get_param_value("fal_webhook"));
  {
    std::lock_guard lock(ctx.stats_mutex);
    ++ctx.stats.submissions;
    ctx.stats.video_urls.push_back(video_url);
    ctx.stats.queue_delayed += ctx.faults.queue_ms() > 0;
  }
  // The billing-twice trap: the job is accepted (and will be billed), but its answer is lost.
  if (ctx.faults.take_drop_submit()) {
    drop_connection(req);
    return;
  }
  hold_answer(ctx);
  reply(res, {200, body}, body["request_id"]);
}

std::string owner_app(const httplib::Request& req) { return req.matches[1].str() + "/" + req.matches[2].str(); }

void status(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (int code = ctx.faults.take_status_error())
    return send_detail(res, code, code == 503 ? "Service Unavailable" : "Internal Server Error");
  auto r = ctx.jobs->status(owner_app(req), req.matches[3].str(), logs_requested(req));
  if (!r) return send_detail(res, 404, "Request not found");
  reply(res, *r, req.matches[3].str());
}

// Server-sent events: one `data: {status}` per change (and at least every second, so the JS
// client's 15 s silence timeout never fires), closed after COMPLETED.
void status_stream(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string app = owner_app(req), id = req.matches[3].str();
  const bool logs = logs_requested(req);
  auto first = ctx.jobs->status(app, id, logs);
  if (!first) return send_detail(res, 404, "Request not found");
  res.set_header("x-fal-request-id", id);
  res.set_header("Cache-Control", "no-cache");
  auto pending = std::make_shared<std::optional<StatusReply>>(first);
  res.set_chunked_content_provider("text/event-stream", [&ctx, app, id, logs, pending](size_t, httplib::DataSink& sink) {
    std::optional<StatusReply> r = *pending ? std::move(*pending) : ctx.jobs->status(app, id, logs);
    pending->reset();
    if (!r || ctx.stopping) return false;
    std::string event = "data: " + r->body.dump() + "\n\n";
    if (!sink.write(event.data(), event.size())) return false;
    if (r->body["status"] == "COMPLETED") {
      sink.done();
      return true;
    }
    for (int i = 0; i < 10 && !ctx.stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return true;
  });
}

void result(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  StatusReply r = ctx.jobs->result(owner_app(req), req.matches[3].str());
  if (ctx.faults.no_bill()) r.billable_units.clear();
  reply(res, r, req.matches[3].str());
}

void cancel(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  reply(res, ctx.jobs->cancel(owner_app(req), req.matches[3].str()), req.matches[3].str());
}

const std::regex& cancel_path() {
  static const std::regex re(R"(^/([^/]+)/([^/]+)/requests/([^/]+)/cancel/?$)");
  return re;
}

}  // namespace

bool answer_bodiless(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) return false;
  std::smatch m;
  if (req.method == "PUT" && std::regex_match(req.path, m, cancel_path())) {
    reply(res, ctx.jobs->cancel(m[1].str() + "/" + m[2].str(), m[3].str()), m[3].str());
    return true;
  }
  if (req.method == "POST" && req.path.rfind("/storage/", 0) != 0 && req.path.rfind("/upload/", 0) != 0) {
    if (!endpoint_for_path(req.path)) send_detail(res, 404, "Path " + req.path + " not found");
    else send_invalid_body(res);
    return true;
  }
  return false;
}

void add_queue_routes(httplib::Server& server, Context& ctx) {
  const std::string base = R"(/([^/]+)/([^/]+)/requests/([^/]+))";
  server.Get(base + R"(/status/?)", [&](const httplib::Request& req, httplib::Response& res) { status(ctx, req, res); });
  server.Get(base + R"(/status/stream/?)",
             [&](const httplib::Request& req, httplib::Response& res) { status_stream(ctx, req, res); });
  server.Get(base + R"(/?)", [&](const httplib::Request& req, httplib::Response& res) { result(ctx, req, res); });
  server.Put(base + R"(/cancel/?)", [&](const httplib::Request& req, httplib::Response& res) { cancel(ctx, req, res); });
  // Last POST route: everything the storage routes did not take is a submit (or a 404).
  server.Post(R"(/[^?#]+)", [&](const httplib::Request& req, httplib::Response& res) { submit(ctx, req, res); });
}

}  // namespace omnicut::emulator
