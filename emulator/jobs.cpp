#include "emulator/jobs.h"

#include <algorithm>

#include "emulator/http_util.h"
#include "emulator/webhook.h"

namespace omnicut::emulator {

namespace {

// How long a job held by queue=N waits without a status read before it starts anyway.
constexpr auto kUnreadStart = std::chrono::seconds(2);

nlohmann::json log_entry(const std::string& message) {
  return {{"message", message}, {"level", "INFO"}, {"source", "USER"}, {"timestamp", iso_timestamp_now()}};
}

JobError internal_error(const std::string& why) {
  return {.http_status = 500, .body = {{"detail", "Internal Server Error"}}, .message = why,
          .error_type = "internal_error"};
}

}  // namespace

JobQueue::JobQueue(Model model, FaultState& faults, std::string base_url)
    : model_(std::move(model)), faults_(faults), base_url_(std::move(base_url)) {
  worker_ = std::thread([this] { run_worker(); });
}

JobQueue::~JobQueue() { stop(); }

void JobQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

nlohmann::json JobQueue::urls(const Job& job) const {
  std::string base = base_url_ + "/" + job.in.owner_app + "/requests/" + job.in.id;
  return {{"request_id", job.in.id}, {"response_url", base}, {"status_url", base + "/status"},
          {"cancel_url", base + "/cancel"}};
}

int JobQueue::queue_position(const Job& job) const {
  auto it = std::find_if(queued_.begin(), queued_.end(), [&](const auto& j) { return j.get() == &job; });
  return it == queued_.end() ? 0 : static_cast<int>(it - queued_.begin());
}

std::shared_ptr<JobQueue::Job> JobQueue::find(const std::string& owner_app, const std::string& id) const {
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->in.owner_app != owner_app) return nullptr;
  return it->second;
}

nlohmann::json JobQueue::submit(const std::string& endpoint_id, const std::string& owner_app, nlohmann::json input,
                                const std::string& webhook) {
  auto job = std::make_shared<Job>();
  job->in = {.id = new_request_id(), .endpoint_id = endpoint_id, .owner_app = owner_app, .input = std::move(input),
             .webhook = webhook};
  job->hold_polls = faults_.queue_polls();
  job->release_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(faults_.queue_ms());
  job->last_read = std::chrono::steady_clock::now();
  job->sent_at = std::chrono::system_clock::now();
  nlohmann::json body = urls(*job);
  {
    std::lock_guard lock(mutex_);
    jobs_[job->in.id] = job;
    submitted_.push_back(job);
    queued_.push_back(job);
    body["status"] = "IN_QUEUE";
    body["queue_position"] = static_cast<int>(queued_.size()) - 1;
  }
  wake_.notify_all();
  return body;
}

std::optional<StatusReply> JobQueue::status(const std::string& owner_app, const std::string& id, bool with_logs) {
  std::unique_lock lock(mutex_);
  auto job = find(owner_app, id);
  if (!job) return std::nullopt;
  nlohmann::json body = urls(*job);
  nlohmann::json logs = nlohmann::json(nullptr);
  if (with_logs) logs = job->logs;
  switch (job->state) {
    case State::queued:
      job->last_read = std::chrono::steady_clock::now();
      if (job->hold_polls > 0 && --job->hold_polls == 0) wake_.notify_all();
      body["status"] = "IN_QUEUE";
      body["queue_position"] = queue_position(*job);
      return StatusReply{202, body};
    case State::running:
      body["status"] = "IN_PROGRESS";
      body["logs"] = logs;
      return StatusReply{202, body};
    case State::completed:
      body["status"] = "COMPLETED";
      body["logs"] = logs;
      body["metrics"] = {{"inference_time", job->inference_time}};
      if (job->error) {
        body["error"] = job->error->message;
        body["error_type"] = job->error->error_type;
      }
      return StatusReply{200, body};
  }
  return std::nullopt;
}

bool JobQueue::is_completed(const std::string& owner_app, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto job = find(owner_app, id);
  return !job || job->state == State::completed;
}

StatusReply JobQueue::result(const std::string& owner_app, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto job = find(owner_app, id);
  if (!job) return {404, {{"detail", "Request not found"}}};
  if (job->state != State::completed) return {400, {{"detail", "Request is still in progress"}}};
  // fal's apps bill "0" for input that fails validation (422) and set no units for their own errors.
  if (job->error) return {job->error->http_status, job->error->body, job->error->http_status == 422 ? "0" : ""};
  return {200, job->output.body, job->output.billable_units};
}

StatusReply JobQueue::cancel(const std::string& owner_app, const std::string& id) {
  std::lock_guard lock(mutex_);
  auto job = find(owner_app, id);
  if (!job) return {404, {{"status", "NOT_FOUND"}}};
  if (job->state == State::completed) return {400, {{"status", "ALREADY_COMPLETED"}}};
  if (job->state == State::queued) {
    // A queued request is removed and never runs (so it is never billed).
    queued_.erase(std::remove(queued_.begin(), queued_.end(), job), queued_.end());
    job->state = State::completed;
    job->error = JobError{.http_status = 499, .body = {{"detail", "Request was cancelled"}},
                          .message = "Request was cancelled", .error_type = "request_cancelled"};
  } else {
    // Like a fal app that ignores the cancel signal: the running job completes normally.
    job->cancel_requested = true;
    job->logs.push_back(log_entry("cancellation requested; this model finishes the running edit"));
  }
  return {202, {{"status", "CANCELLATION_REQUESTED"}}};
}

std::vector<HistoryRecord> JobQueue::history() const {
  std::lock_guard lock(mutex_);
  std::vector<HistoryRecord> rows;
  for (const auto& job : submitted_) {
    if (job->state == State::queued) continue;
    bool never_ran = job->started_at == std::chrono::system_clock::time_point{};  // cancelled while queued
    if (never_ran) continue;
    HistoryRecord r{.request_id = job->in.id, .endpoint_id = job->in.endpoint_id, .sent_at = job->sent_at,
                    .started_at = job->started_at, .ended_at = std::nullopt, .status_code = std::nullopt,
                    .input = job->in.input, .output = nullptr};
    if (job->state == State::completed) {
      r.ended_at = job->ended_at;
      r.status_code = job->error ? job->error->http_status : 200;
      r.output = job->error ? job->error->body : job->output.body;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void JobQueue::run_worker() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      // The oldest job whose status reads (queue=N) and time in the queue (queue-ms) are done
      // starts. queue=N models fal being busy, not fal waiting for its client: a held job that
      // nobody reads for kUnreadStart (its client died, or lost the submit's answer and is
      // searching the request history) starts anyway, as it would at fal, and never holds up
      // the jobs behind it.
      auto ready = queued_.end();
      for (;;) {
        if (stopping_) return;
        const auto now = std::chrono::steady_clock::now();
        auto next_release = std::chrono::steady_clock::time_point::max();
        ready = queued_.end();
        for (auto it = queued_.begin(); it != queued_.end() && ready == queued_.end(); ++it) {
          auto release = (*it)->release_at;
          if ((*it)->hold_polls > 0) release = std::max(release, (*it)->last_read + kUnreadStart);
          if (now >= release) ready = it;
          else next_release = std::min(next_release, release);
        }
        if (ready != queued_.end()) break;
        if (next_release == std::chrono::steady_clock::time_point::max()) wake_.wait(lock);
        else wake_.wait_until(lock, next_release);
      }
      job = *ready;
      queued_.erase(ready);
      job->state = State::running;
      job->started = std::chrono::steady_clock::now();
      job->started_at = std::chrono::system_clock::now();
    }
    run_job(job);
  }
}

void JobQueue::run_job(const std::shared_ptr<Job>& job) {
  LogFn log = [&](const std::string& message) {
    std::lock_guard lock(mutex_);
    job->logs.push_back(log_entry(message));
  };
  JobOutput output;
  std::optional<JobError> error;
  try {
    if (faults_.fail_job()) {
      log("runner disconnected while processing the request (fault fail-job)");
      throw JobError{.http_status = 500, .body = {{"detail", "Internal Server Error: the runner disconnected"}},
                     .message = "Internal Server Error: the runner disconnected", .error_type = "runner_disconnected"};
    }
    output = model_(job->in, log);
  } catch (const JobError& e) {
    error = e;
  } catch (const std::exception& e) {
    error = internal_error(e.what());
  }
  nlohmann::json hook = {{"request_id", job->in.id}, {"gateway_request_id", job->in.id},
                         {"status", error ? "ERROR" : "OK"},
                         {"payload", error ? error->body : output.body},
                         {"error", error ? nlohmann::json("Invalid status code: " + std::to_string(error->http_status))
                                         : nlohmann::json(nullptr)}};
  {
    std::lock_guard lock(mutex_);
    job->inference_time =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - job->started).count();
    job->output = std::move(output);
    job->error = std::move(error);
    job->state = State::completed;
    job->ended_at = std::chrono::system_clock::now();
  }
  if (!job->in.webhook.empty()) deliver_webhook(job->in.webhook, hook);
}

}  // namespace omnicut::emulator
