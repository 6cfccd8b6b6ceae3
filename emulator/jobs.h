// The emulator's queue: jobs submitted to an endpoint wait IN_QUEUE, one worker thread runs them
// through the model (IN_PROGRESS, with logs) and keeps their outcome (COMPLETED, with the output
// or the error the result GET answers with). fal has no FAILED state, so neither has this.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/faults.h"

namespace omnicut::emulator {

// What a failed job answers on its result GET, and what its COMPLETED status says.
struct JobError {
  int http_status = 500;
  nlohmann::json body;       // {"detail": ...}
  std::string message;       // the status's "error"
  std::string error_type;    // the status's "error_type"
};

struct JobInput {
  std::string id;
  std::string endpoint_id;   // "google/gemini-omni-flash/edit"
  std::string owner_app;     // "google/gemini-omni-flash": status/result/cancel live under it
  nlohmann::json input;
  std::string webhook;       // fal_webhook from the submit's query; "" for none
};

// One request as fal's request history lists it (routes_history.cpp); started_at is set once
// the worker took it (jobs never started are not listed, as fal likely does not).
struct HistoryRecord {
  std::string request_id;
  std::string endpoint_id;
  std::chrono::system_clock::time_point sent_at;
  std::optional<std::chrono::system_clock::time_point> started_at, ended_at;
  std::optional<int> status_code;   // once ended: 200, or the failed result's HTTP status
  nlohmann::json input;
  nlohmann::json output;            // the result, or the failed result's body; null while running
};

// A finished job: the endpoint's result body and what it bills (emulator/billing.h).
struct JobOutput {
  nlohmann::json body;
  std::string billable_units = {};  // x-fal-billable-units; "" sends none
};

using LogFn = std::function<void(const std::string& message)>;
// Runs one job; returns its output or throws JobError.
using Model = std::function<JobOutput(const JobInput& job, const LogFn& log)>;

struct StatusReply {
  int http_status = 200;
  nlohmann::json body;
  std::string billable_units = {};  // only result GETs carry the header; "" sends none
};

class JobQueue {
 public:
  JobQueue(Model model, FaultState& faults, std::string base_url);
  ~JobQueue();
  JobQueue(const JobQueue&) = delete;
  JobQueue& operator=(const JobQueue&) = delete;

  // Returns the submit response body (request_id, the three URLs, IN_QUEUE, queue_position).
  nlohmann::json submit(const std::string& endpoint_id, const std::string& owner_app, nlohmann::json input,
                        const std::string& webhook = "");
  // Each call counts as one poll for the queue=N fault. nullopt: no such request under owner_app.
  std::optional<StatusReply> status(const std::string& owner_app, const std::string& id, bool with_logs);
  bool is_completed(const std::string& owner_app, const std::string& id);
  StatusReply result(const std::string& owner_app, const std::string& id);
  StatusReply cancel(const std::string& owner_app, const std::string& id);
  std::vector<HistoryRecord> history() const;  // every request the queue took, in submit order
  void stop();

 private:
  enum class State { queued, running, completed };
  struct Job {
    JobInput in;
    State state = State::queued;
    int hold_polls = 0;
    std::chrono::steady_clock::time_point release_at;  // queue-ms: not started before this
    std::chrono::steady_clock::time_point last_read;   // submit or the latest status read
    bool cancel_requested = false;
    std::vector<nlohmann::json> logs;
    std::chrono::steady_clock::time_point started;
    std::chrono::system_clock::time_point sent_at, started_at, ended_at;  // wall clock, for the history
    double inference_time = 0;
    std::optional<JobError> error;
    JobOutput output;
  };

  void run_worker();
  void run_job(const std::shared_ptr<Job>& job);
  std::shared_ptr<Job> find(const std::string& owner_app, const std::string& id) const;  // lock held
  nlohmann::json urls(const Job& job) const;
  int queue_position(const Job& job) const;  // lock held

  Model model_;
  FaultState& faults_;
  std::string base_url_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::vector<std::shared_ptr<Job>> submitted_;  // jobs_ in submit order
  std::deque<std::shared_ptr<Job>> queued_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace omnicut::emulator
