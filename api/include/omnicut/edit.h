// Edit: the whole job for one clip, as `omnicut edit` runs it. probe, plan, estimate, ask, prep,
// upload once, run each turn on fal (turn k edits turn k-1's result), download, and put the
// source's own audio back. A ledger beside the output (OUTPUT.omnicut.json) records every submit
// before it is sent, so a resumed session never pays for a turn twice. Part of omnicut's public API.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "omnicut/error.h"

namespace omnicut::api {

struct EditOptions {
  std::string input;               // the source clip (not needed with `resume`)
  std::vector<std::string> prompts;  // one edit instruction per turn
  std::string output;              // the edited MP4
  std::optional<double> start, end;  // the range to edit, seconds from the first video frame
  std::string endpoint;            // "" for the default endpoint
  std::string resolution;          // on endpoints that take one ("": the endpoint's default)
  bool split = false;              // footage longer than the endpoint takes: edited in segments, joined
  std::optional<double> max_cost;  // refuse before anything is sent when the estimate is above (USD)
  bool dry_run = false;            // probe, plan, estimate and prep; upload and submit nothing
  std::string resume;              // a session's ledger to continue (submitted turns are polled, never resent)
  // Where the turns run: `local` starts omnicut's built-in fal emulator on a loopback port for the
  // session (simulated edits, nothing billed); otherwise fal itself, or `fal_url` when set.
  bool local = false;
  std::string fal_url;
  std::string fal_key;             // "" reads FAL_KEY from the environment
  bool report = false;             // also write OUTPUT.report.html
  // When the edited picture moved against the source: "correct" lays the source's audio to the
  // picture, "off" by the clock, "refuse" writes nothing (ErrorKind::refused; resume to write it).
  // "" keeps the session's own: "correct" for a new one, what it began with for a resumed one.
  std::string sync;
  double turn_timeout_s = 30 * 60; // one turn's deadline, from its submit to its result
};

// What the session tells its caller as it goes. Every member is optional. With `split`, segments
// run on several threads: the calls are serialised, never concurrent, but may come from any of them.
struct EditCallbacks {
  // A stage begins: "prep", "upload", "turn 2/3", "download", "remux", "split", "join".
  std::function<void(const std::string& stage, const std::string& detail)> on_stage;
  // Within the stage: `unit` is "frames", "bytes", "segments" or "s".
  std::function<void(double done, double total, const std::string& unit)> on_progress;
  // Something a user should read: a resumed turn, a remux notice.
  std::function<void(const std::string& text)> on_notice;
  // Asked once before money is spent, with the estimate in the question: true sends. Unset, the
  // session refuses (ErrorKind::refused) unless nothing would be billed (`local`, `dry_run`).
  std::function<bool(const std::string& question)> confirm;
};

struct EditResult {
  std::string output;              // the edited clip ("" after a dry run)
  std::string ledger;              // the session's ledger: pass it as `resume` to continue
  std::string report;              // the page written, "" when none was
  int turns = 0;                   // turns completed in the session
  double cost_usd = 0;             // what the session's submitted turns cost (the emulator's made-up prices when simulated)
  double estimate_usd = 0;         // what this run was expected to submit
  bool simulated = false;          // run on the built-in emulator
  bool dry_run = false;
};

// Runs the session. One process at a time per session: the ledger is locked for the whole run.
// Throws omnicut::Error: prep()'s kinds for the source; ErrorKind::usage for contradictory
// options; ErrorKind::auth without a key (or a rejected one); ErrorKind::refused over max_cost,
// without consent, or when another process runs the session; ErrorKind::remote when the endpoint
// refused the input or the job failed; ErrorKind::network when fal cannot be reached past the
// retries or a turn passed its deadline (the job stays in the ledger for `resume`);
// ErrorKind::interrupted after omnicut::api::request_stop().
EditResult edit(const EditOptions& options, const EditCallbacks& callbacks = {});

}  // namespace omnicut::api
