// A loopback emulator of fal's HTTP protocol (queue, storage upload, result files) that really
// edits: see README "The local emulator". Used by tests, `omnicut emulator` and `edit --local`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace omnicut::emulator {

// Faults chosen per run. The SPEC string form (for `omnicut emulator --faults SPEC`) is a comma
// list, e.g. "429x2,status500x1,drop-upload,drop-download,slow=200,fail-job,queue=3"
// (also "status503xN", "statusxN" = alternating 503/500, "submit503xN", "drop-submit",
// "slow-submit=MS", "queue-ms=MS" and "no-bill"; for fal's request history: "history-lag=SECONDS",
// "history-hidden", "history-401"; for fal's pricing: "pricing-403", "pricing-500").
struct Faults {
  int rate_limit = 0;           // the next N requests answer 429 with Retry-After: 1
  int submit_unavailable = 0;   // the next N submits answer 503 before queueing anything
  int status_errors = 0;        // the next N status reads answer 500/503
  bool drop_upload = false;     // the first upload PUT drops the connection half-way
  bool drop_download = false;   // the first file GET drops the connection half-way
  int slow_ms = 0;              // every response is delayed this long
  bool fail_job = false;        // jobs end COMPLETED with error; the result GET answers 500
  int queue_polls = 0;          // a job stays IN_QUEUE for this many status reads (of that job)
  int queue_ms = 0;             // a job stays IN_QUEUE this long after its submit, polled or not
  int status_error_code = 0;    // 500 or 503 for status_errors; 0 alternates 503 and 500
  bool drop_submit = false;     // the first submit is accepted (and billed), then its connection drops
  int slow_submit_ms = 0;       // every submit is queued at once, then its answer waits this long
  bool no_bill = false;         // results carry no x-fal-billable-units, as from an app that sets none
  int history_lag_s = 0;        // a request is listed by the request history only this long after its submit
  bool history_hidden = false;  // the request history never lists any request
  bool history_401 = false;     // the request history refuses the key (401)
  int pricing_error = 0;        // 403 or 500: every GET /v1/models/pricing answers it
  // The picture only, as a model might: it starts late by shift_s (its first frame held that
  // long), or runs at 1/retime of the source's speed (retime 1.04: 4 % slow, 4 % longer); 0: off.
  double shift_s = 0;
  double retime = 0;
};
Faults parse_faults(const std::string& spec);  // throws omnicut::Error(usage)

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;                 // 0 picks a free port
  Faults faults;
  std::string storage_dir;      // where uploads and results live; empty = a private temp dir
  bool require_key = true;      // 401 without "Authorization: Key ..."
  bool access_log = false;      // one line per request on stdout
};

struct Stats {
  int submissions = 0;          // accepted queue submits
  int uploads = 0;              // completed storage uploads
  int connections = 0;          // TCP connections accepted (its own fetches of video_url included)
  std::vector<std::string> video_urls;  // video_url of every accepted submit, in order
  int rate_limited = 0;         // 429s served by the 429xN fault
  int submits_unavailable = 0;  // 503s served to submits by submit503xN (nothing queued)
  int slow_submits = 0;         // submit answers held back by slow-submit
  int queue_delayed = 0;        // jobs held IN_QUEUE by queue-ms
  // fal's request history (routes_history.cpp): pages answered, and what each history fault did.
  int history_listings = 0;     // 200 answers of GET /v1/models/requests/by-endpoint
  int history_lagged = 0;       // rows held back by history-lag (summed over listings)
  int history_hidden = 0;       // rows held back by history-hidden (summed over listings)
  int history_refused = 0;      // 401s served by history-401
  // fal's pricing (routes_pricing.cpp): 200 answers of GET /v1/models/pricing, and the answers
  // the pricing-403/pricing-500 faults served.
  int pricing_lookups = 0;
  int pricing_errors = 0;
  int retimed_renders = 0;      // renders whose picture the shift or retime fault moved
};

class Emulator {
 public:
  explicit Emulator(Options options);
  ~Emulator();                  // stops the server
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  void start();                 // returns once it listens; throws omnicut::Error on failure
  void stop();
  int port() const;
  std::string url() const;      // "http://127.0.0.1:PORT"
  Stats stats() const;
  void set_faults(const Faults& faults);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omnicut::emulator
