// The emulator's fault injection at run time: the Faults chosen for the run (emulator.h) turned
// into counters that requests consume, so "the next N" means exactly N across all threads.
#pragma once
#include <mutex>

#include "emulator/emulator.h"

namespace omnicut::emulator {

class FaultState {
 public:
  void set(const Faults& faults);
  Faults current() const;
  bool take_rate_limit();        // true: answer this request 429
  bool take_submit_unavailable();  // true: answer this submit 503 without queueing it
  int take_status_error();       // 0, or the status code (500/503) to answer this status read with
  bool take_drop_upload();       // true once: drop this upload half-way
  bool take_drop_download();     // true once: drop this download half-way
  bool take_drop_submit();       // true once: accept this submit, then drop the connection
  int slow_ms() const;
  int slow_submit_ms() const;
  bool fail_job() const;
  int queue_polls() const;
  int queue_ms() const;
  bool no_bill() const;
  int history_lag_s() const;
  bool history_hidden() const;
  bool history_401() const;
  int pricing_error() const;
  double shift_s() const;
  double retime() const;

 private:
  mutable std::mutex mutex_;
  Faults faults_;
  int status_errors_served_ = 0;
};

}  // namespace omnicut::emulator
