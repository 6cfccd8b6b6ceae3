// fal's queue: submit, status (with logs), result, cancel, and a poll loop. After a submit only
// the URLs fal returned are used (they drop subpaths such as /edit).
//
// Never billing twice: submit() retries only when the first request certainly did not reach fal
// (connection refused, DNS, TLS handshake) or fal answered 429/503, which it does before queueing.
// A timeout or dropped connection after the body was sent is NOT retried: it throws
// Error(network) saying the job may have been accepted, so the caller can look before resubmitting.
//
// The bill: fal reports what a request cost in the `x-fal-billable-units` header of the result
// GET (a decimal string in the endpoint's pricing unit; "0" on a 422). result() returns it as
// sent, and as a number when it is one; a result without the header says nothing was reported.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/fal.h"

namespace omnicut::client {

struct Submission {
  std::string endpoint_id;
  std::string request_id;
  std::string status_url;
  std::string response_url;
  std::string cancel_url;
};

struct SubmitOptions {
  std::string webhook_url;        // fal_webhook query parameter when not empty
};

enum class JobState { in_queue, in_progress, completed };

struct LogLine {
  std::string timestamp;
  std::string level;
  std::string message;
};

struct JobStatus {
  JobState state = JobState::in_queue;
  int queue_position = -1;        // IN_QUEUE only
  std::vector<LogLine> logs;      // all of them, as fal sends them on every read
  std::string error;              // COMPLETED with a failure
  std::string error_type;
};

struct BilledUnits {
  std::string raw;                // the header's value exactly as sent
  std::optional<double> value;    // when `raw` is a non-negative decimal number ("3", "0.00001230")
};

// A non-negative decimal ("42", "3.14159265", ".5", surrounding blanks allowed) gives a value;
// anything else (empty, "-1", "1e3", "abc", "nan") only the raw text.
BilledUnits parse_billable_units(const std::string& raw);

struct JobResult {
  nlohmann::json output;          // the endpoint's result JSON
  std::string request_id;         // from the x-fal-request-id header, else the submission's
  std::optional<BilledUnits> billed;  // x-fal-billable-units; nullopt when the header was absent
};

struct WaitOptions {
  double poll_interval_s = 1.0;
  double timeout_s = 0;           // 0: none (Ctrl-C still stops it)
  // Called after every status read with only the log lines not seen before.
  std::function<void(const JobStatus& status, const std::vector<LogLine>& new_lines)> on_update;
  bool cancel_on_interrupt = false;  // PUT cancel_url before throwing Error(interrupted)
};

// POST {queue}/{endpoint_id}. Throws Error(auth/usage-404/remote-422/network).
Submission submit(const Fal& fal, const std::string& endpoint_id, const nlohmann::json& input,
                  const SubmitOptions& options = {});
// The handle of an earlier submit, from its id alone (URLs rebuilt as owner/app/requests/id).
Submission submission_for(const Fal& fal, const std::string& endpoint_id, const std::string& request_id);

JobStatus status(const Fal& fal, const Submission& job, bool with_logs = true);
// GET response_url. A failed job throws Error(remote) with fal's detail in one line.
JobResult result(const Fal& fal, const Submission& job);
// PUT cancel_url. True when fal accepted the cancel (false when the job already finished).
bool cancel(const Fal& fal, const Submission& job);
// Polls until COMPLETED, then returns result(). Watches omnicut::interrupted().
JobResult wait_for_result(const Fal& fal, const Submission& job, const WaitOptions& options = {});

const char* to_string(JobState state);  // "IN_QUEUE", "IN_PROGRESS", "COMPLETED"

}  // namespace omnicut::client
