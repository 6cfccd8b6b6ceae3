#include "emulator/faults.h"

#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace omnicut::emulator {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (begin <= s.size()) {
    size_t end = s.find(sep, begin);
    if (end == std::string::npos) end = s.size();
    if (end > begin) parts.push_back(s.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

int parse_count(const std::string& item, const std::string& text) {
  try {
    size_t used = 0;
    int n = std::stoi(text, &used);
    if (used == text.size() && n >= 0) return n;
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::usage, "--faults " + item, "expected a non-negative whole number after 'x' or '='");
}

// "429x2" -> ("429", 2); "429" -> ("429", 1); "slow=200" -> ("slow", 200).
std::pair<std::string, int> name_and_count(const std::string& item) {
  if (auto eq = item.find('='); eq != std::string::npos)
    return {item.substr(0, eq), parse_count(item, item.substr(eq + 1))};
  if (auto x = item.rfind('x'); x != std::string::npos && x + 1 < item.size() && std::isdigit(item[x + 1]))
    return {item.substr(0, x), parse_count(item, item.substr(x + 1))};
  return {item, 1};
}

const char* kFaultHelp =
    "known faults: 429xN, status500xN, status503xN, statusxN, submit503xN, drop-upload, drop-download, "
    "drop-submit, slow=MS, slow-submit=MS, fail-job, queue=N, queue-ms=MS, no-bill, history-lag=S, history-hidden, history-401, pricing-403, pricing-500, shift=SECONDS, retime=FACTOR";

// "shift=0.25" -> 0.25: the two faults that take a decimal.
double parse_decimal(const std::string& item) {
  try {
    size_t used = 0;
    std::string text = item.substr(item.find('=') + 1);
    double v = std::stod(text, &used);
    if (used == text.size() && v >= 0 && v < 100) return v;
  } catch (const std::exception&) {
  }
  throw Error(ErrorKind::usage, "--faults " + item, "expected a number after '=' (e.g. shift=0.25, retime=1.04)");
}

}  // namespace

Faults parse_faults(const std::string& spec) {
  Faults f;
  for (const auto& raw : split(spec, ',')) {
    if (raw.rfind("shift=", 0) == 0) {
      f.shift_s = parse_decimal(raw);
      continue;
    }
    if (raw.rfind("retime=", 0) == 0) {
      f.retime = parse_decimal(raw);
      continue;
    }
    auto [name, n] = name_and_count(raw);
    if (name == "429" || name == "rate-limit") f.rate_limit += n;
    else if (name == "status500") f.status_errors += n, f.status_error_code = f.status_error_code == 503 ? 0 : 500;
    else if (name == "status503") f.status_errors += n, f.status_error_code = f.status_error_code == 500 ? 0 : 503;
    else if (name == "status") f.status_errors += n;
    else if (name == "submit503") f.submit_unavailable += n;
    else if (name == "drop-upload") f.drop_upload = n > 0;
    else if (name == "drop-download") f.drop_download = n > 0;
    else if (name == "drop-submit") f.drop_submit = n > 0;
    else if (name == "slow") f.slow_ms = n;
    else if (name == "slow-submit") f.slow_submit_ms = n;
    else if (name == "fail-job") f.fail_job = n > 0;
    else if (name == "queue") f.queue_polls = n;
    else if (name == "queue-ms") f.queue_ms = n;
    else if (name == "no-bill") f.no_bill = n > 0;
    else if (name == "history-lag") f.history_lag_s = n;
    else if (name == "history-hidden") f.history_hidden = n > 0;
    else if (name == "history-401") f.history_401 = n > 0;
    else if (name == "pricing-403") f.pricing_error = n > 0 ? 403 : 0;
    else if (name == "pricing-500") f.pricing_error = n > 0 ? 500 : 0;
    else throw Error(ErrorKind::usage, "--faults " + raw, std::string("unknown fault (") + kFaultHelp + ")");
  }
  return f;
}

void FaultState::set(const Faults& faults) {
  std::lock_guard lock(mutex_);
  faults_ = faults;
  status_errors_served_ = 0;
}

Faults FaultState::current() const {
  std::lock_guard lock(mutex_);
  return faults_;
}

bool FaultState::take_rate_limit() {
  std::lock_guard lock(mutex_);
  if (faults_.rate_limit <= 0) return false;
  --faults_.rate_limit;
  return true;
}

int FaultState::take_status_error() {
  std::lock_guard lock(mutex_);
  if (faults_.status_errors <= 0) return 0;
  --faults_.status_errors;
  if (faults_.status_error_code) return faults_.status_error_code;
  return status_errors_served_++ % 2 == 0 ? 503 : 500;  // both kinds when none was named
}

bool FaultState::take_submit_unavailable() {
  std::lock_guard lock(mutex_);
  if (faults_.submit_unavailable <= 0) return false;
  --faults_.submit_unavailable;
  return true;
}

bool FaultState::take_drop_upload() {
  std::lock_guard lock(mutex_);
  return std::exchange(faults_.drop_upload, false);
}

bool FaultState::take_drop_download() {
  std::lock_guard lock(mutex_);
  return std::exchange(faults_.drop_download, false);
}

bool FaultState::take_drop_submit() {
  std::lock_guard lock(mutex_);
  return std::exchange(faults_.drop_submit, false);
}

int FaultState::slow_ms() const {
  std::lock_guard lock(mutex_);
  return faults_.slow_ms;
}

int FaultState::slow_submit_ms() const {
  std::lock_guard lock(mutex_);
  return faults_.slow_submit_ms;
}

bool FaultState::fail_job() const {
  std::lock_guard lock(mutex_);
  return faults_.fail_job;
}

bool FaultState::no_bill() const {
  std::lock_guard lock(mutex_);
  return faults_.no_bill;
}

int FaultState::queue_polls() const {
  std::lock_guard lock(mutex_);
  return faults_.queue_polls;
}

int FaultState::queue_ms() const {
  std::lock_guard lock(mutex_);
  return faults_.queue_ms;
}

int FaultState::history_lag_s() const {
  std::lock_guard lock(mutex_);
  return faults_.history_lag_s;
}

bool FaultState::history_hidden() const {
  std::lock_guard lock(mutex_);
  return faults_.history_hidden;
}

bool FaultState::history_401() const {
  std::lock_guard lock(mutex_);
  return faults_.history_401;
}

double FaultState::shift_s() const {
  std::lock_guard lock(mutex_);
  return faults_.shift_s;
}

double FaultState::retime() const {
  std::lock_guard lock(mutex_);
  return faults_.retime;
}

int FaultState::pricing_error() const {
  std::lock_guard lock(mutex_);
  return faults_.pricing_error;
}

}  // namespace omnicut::emulator
