// What an edit session shows while it runs. On a terminal: one line per stage on stderr with a
// bar (prep frames, upload bytes, queue position, download bytes), the model's log lines, and the
// running cost. Piped or with --json: JSON-lines events on stdout, one object per line, each with
// an "event" field and "t" (seconds since the command started), so a script can follow along. Quiet: nothing (tests, --dry-run inside tools).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace omnicut {

class Progress {
 public:
  enum class Mode { tty, json_lines, quiet };
  explicit Progress(Mode mode) : mode_(mode) {}
  Mode mode() const { return mode_; }
  // The same display for one part of the job run beside others (a --split segment): every JSON
  // event carries `tag`'s fields, terminal lines start with `prefix`, and the clock is shared.
  // Output from Progress objects on several threads is serialised, line by line.
  Progress tagged(nlohmann::json tag, const std::string& prefix) const;

  // A stage begins ("prep", "upload", "turn 2", "download", "remux"); ends the previous line.
  void stage(const std::string& name, const std::string& detail = "");
  // Progress within the stage; `unit` is "frames", "bytes", "s"... Throttled to ~10 updates a second.
  void update(double done, double total, const std::string& unit);
  // Queue position while a turn waits (-1: running).
  void queue(int position);
  // A line the model logged.
  void log(const std::string& message);
  // The stage finished; `summary` closes its line.
  void finish(const std::string& summary = "");
  // Running cost of what was submitted so far; `simulated` for the local emulator (not billed).
  void cost(double usd, bool simulated = false);
  // A plain message: a line on stderr (tty) or {"event":"message"} (json).
  void message(const std::string& text);
  // Any other event (estimate, ledger, result): JSON only; on a terminal the caller prints.
  void event(const std::string& name, nlohmann::json fields);

 private:
  void draw(bool force);
  void emit(nlohmann::json j);

  Mode mode_;
  nlohmann::json tag_ = nlohmann::json::object();
  std::string prefix_;
  std::string stage_;
  std::string detail_;
  double done_ = 0, total_ = 0;
  std::string unit_;
  int queue_ = -2;
  double cost_ = 0;
  std::string cost_label_ = "spent";
  bool line_open_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace omnicut
