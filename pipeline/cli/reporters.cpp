#include "pipeline/cli/reporters.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>
#include <unistd.h>

#include "pipeline/cli/command.h"
#include "pipeline/cli/estimate_text.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

using Clock = std::chrono::steady_clock;

// One terminal and one stdout for every reporter: --split segments report from several threads.
std::recursive_mutex output_mutex;
using Lock = std::lock_guard<std::recursive_mutex>;

// Progress is shown at most ten times a second (the last step always), never twice the same.
class Throttle {
 public:
  bool due(double done, double total, const std::string& unit) {
    bool repeat = done == done_ && total == total_ && unit == unit_;
    done_ = done, total_ = total, unit_ = unit;
    auto now = Clock::now();
    bool complete = total > 0 && done >= total;
    if (repeat || (!complete && now - last_ < std::chrono::milliseconds(100))) return false;
    last_ = now;
    return true;
  }
  void restart() { done_ = total_ = 0, unit_.clear(); }

 private:
  double done_ = 0, total_ = 0;
  std::string unit_;
  Clock::time_point last_{};
};

// What every printer shares: the command's clock, the --yes answer, and the segment it reports
// for (--split), if any.
class Reporter : public EditEvents {
 public:
  explicit Reporter(bool assume_yes) : assume_yes_(assume_yes) {}
  Consent confirm(const std::string& question) override { return ask_to_spend(question, assume_yes_); }
  void tag_clip(size_t index, const std::string& name) { clip_ = std::make_pair(index, name); }

 protected:
  template <class Printer>
  std::unique_ptr<EditEvents> child(size_t index) const {
    auto r = std::make_unique<Printer>(assume_yes_);
    r->started_ = started_;
    r->segment_ = index;
    r->clip_ = clip_;
    return r;
  }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }
  // Terminal lines of a --split segment start with "seg i ".
  std::string prefix() const {
    return (clip_ ? "[" + clip_->second + "] " : "") + (segment_ ? "seg " + std::to_string(*segment_) + " " : "");
  }

  std::optional<size_t> segment_;
  std::optional<std::pair<size_t, std::string>> clip_;  // a batch's clip: its index and its path under OUTDIR

 private:
  Clock::time_point started_ = Clock::now();
  bool assume_yes_;
};

nlohmann::json estimate_json(const EstimateView& v) {
  nlohmann::json turns = nlohmann::json::array();
  for (const auto& r : v.turns) {
    if (v.segments)
      turns.push_back({{"turn", r.turn}, {"prompt", r.prompt}, {"segments_to_submit", r.segments_to_submit}, {"usd", r.usd}});
    else
      turns.push_back({{"turn", r.turn}, {"prompt", r.prompt}, {"status", r.status}, {"estimate", to_json(r.cost)}});
  }
  nlohmann::json j = {{"event", "estimate"}, {"seconds", v.seconds},       {"turns", turns},
                      {"usd", v.usd},        {"spent_usd", v.spent_usd},  {"simulated", v.simulated},
                      {"billing", billing_to_json(v.billing)}};
  if (v.segments) j["segments"] = v.segments;
  if (!v.resolution.empty()) j["resolution"] = v.resolution;
  if (v.draft) j["draft"] = {{"resolution", v.draft->resolution}, {"turns", v.draft->turns}, {"spent_usd", v.draft->usd}};
  return j;
}

nlohmann::json request_json(const char* event, const RequestView& r) {
  return {{"event", event}, {"turn", r.turn}, {"request_id", r.request_id}, {"ledger", r.ledger}};
}

// One JSON object per line on stdout, for scripts; the event names and fields are documented in
// the README ("Progress") and must not change.
class JsonLinesReporter final : public Reporter {
 public:
  using Reporter::Reporter;

  void session(const SessionView& v) override {
    emit({{"event", "session"}, {"ledger", v.ledger}, {"output", v.output}, {"simulated", v.simulated}});
  }
  void estimate(const EstimateView& v) override { emit(estimate_json(v)); }
  void stage(const std::string& name, const std::string& detail) override {
    Lock lock(output_mutex);
    finish("");
    stage_ = name, queue_ = -2;
    throttle_.restart();
    emit({{"event", "stage"}, {"stage", name}, {"detail", detail}});
  }
  void progress(double done, double total, const std::string& unit) override {
    Lock lock(output_mutex);
    if (throttle_.due(done, total, unit))
      emit({{"event", "progress"}, {"stage", stage_}, {"done", done}, {"total", total}, {"unit", unit}});
  }
  void queue(int position) override {
    Lock lock(output_mutex);
    if (position == queue_) return;
    queue_ = position;
    emit({{"event", "queue"}, {"stage", stage_}, {"position", position}, {"state", position >= 0 ? "IN_QUEUE" : "IN_PROGRESS"}});
  }
  void model_log(const std::string& line) override { emit({{"event", "log"}, {"stage", stage_}, {"message", line}}); }
  void finish(const std::string& summary) override {
    Lock lock(output_mutex);
    if (stage_.empty()) return;
    emit({{"event", "done"}, {"stage", stage_}, {"summary", summary}});
    stage_.clear();
  }
  void cost(double usd, bool simulated) override { emit({{"event", "cost"}, {"usd", usd}, {"simulated", simulated}}); }
  void notice(const std::string& text) override { emit({{"event", "message"}, {"text", text}}); }
  void submitted(const RequestView& r) override { emit(request_json("submitted", r)); }
  void recovered(const RequestView& r) override { emit(request_json("recovered", r)); }
  void result(const ResultView& r) override {
    nlohmann::json j = {{"event", "result"}, {"output", r.output},       {"ledger", r.ledger},
                        {"cost_usd", r.cost_usd}, {"simulated", r.simulated}, {"remux", r.remux}};
    if (r.segments) j["segments"] = r.segments;
    if (!r.report.empty()) j["report"] = r.report;
    emit(std::move(j));
  }
  std::unique_ptr<EditEvents> segment(size_t index) override { return child<JsonLinesReporter>(index); }

 private:
  void emit(nlohmann::json j) {
    Lock lock(output_mutex);
    j["t"] = std::round(seconds() * 1000) / 1000;
    if (segment_) j["segment"] = *segment_;
    if (clip_) j["clip"] = clip_->first, j["input"] = clip_->second;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    std::cout.flush();
  }

  std::string stage_;
  int queue_ = -2;
  Throttle throttle_;
};

// For a person: the session's ledger and the estimate on stdout; what stages show is the
// subclass's (bars on a terminal, nothing in a log).
class TextReporter : public Reporter {
 public:
  using Reporter::Reporter;
  void session(const SessionView& v) override { print("ledger: " + v.ledger + "\n"); }
  void estimate(const EstimateView& v) override { print(estimate_text(v)); }
  void submitted(const RequestView&) override {}
  void recovered(const RequestView&) override {}
  void result(const ResultView&) override {}  // the command prints what it wrote

 private:
  static void print(const std::string& text) {
    Lock lock(output_mutex);
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
  }
};

// stderr is a log, not a terminal: notices as plain lines, no bars.
class PlainLogReporter : public TextReporter {
 public:
  using TextReporter::TextReporter;
  void stage(const std::string&, const std::string&) override {}
  void progress(double, double, const std::string&) override {}
  void queue(int) override {}
  void model_log(const std::string&) override {}
  void finish(const std::string&) override {}
  void cost(double, bool) override {}
  void notice(const std::string& text) override {
    Lock lock(output_mutex);
    std::fprintf(stderr, "omnicut: %s%s\n", prefix().c_str(), text.c_str());
  }
  std::unique_ptr<EditEvents> segment(size_t index) override { return child<PlainLogReporter>(index); }
};

// A batch clip in a plain log: its notices only (the batch prints the plan and the ends).
class ClipLogReporter final : public PlainLogReporter {
 public:
  using PlainLogReporter::PlainLogReporter;
  void session(const SessionView&) override {}
  void estimate(const EstimateView&) override {}
  std::unique_ptr<EditEvents> segment(size_t index) override { return child<ClipLogReporter>(index); }
};

std::string amount(double v, const std::string& unit) {
  if (unit == "bytes") return format_bytes(static_cast<uint64_t>(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, unit == "s" ? "%.1f %s" : "%.0f %s", v, unit.c_str());
  return buf;
}

std::string bar(double fraction, int width) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  int filled = static_cast<int>(fraction * width + 0.5);
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
}

// stderr is a terminal: the current stage's line redrawn in place, closed with its summary.
class TerminalReporter final : public TextReporter {
 public:
  using TextReporter::TextReporter;

  void stage(const std::string& name, const std::string& detail) override {
    Lock lock(output_mutex);
    finish("");
    line_ = Line{};
    line_.stage = name, line_.detail = detail;
    throttle_.restart();
    draw();
  }
  void progress(double done, double total, const std::string& unit) override {
    Lock lock(output_mutex);
    line_.done = done, line_.total = total, line_.unit = unit;
    if (throttle_.due(done, total, unit)) draw();
  }
  void queue(int position) override {
    Lock lock(output_mutex);
    if (position == line_.queue) return;
    line_.queue = position;
    draw();
  }
  void model_log(const std::string& line) override {
    Lock lock(output_mutex);
    std::fprintf(stderr, "\r\033[K    %smodel: %s\n", prefix().c_str(), line.c_str());
    draw();
  }
  void finish(const std::string& summary) override {
    Lock lock(output_mutex);
    if (line_.stage.empty()) return;
    std::fprintf(stderr, "\r\033[K%-10s %s%s\n", (prefix() + line_.stage).c_str(), summary.empty() ? "done" : summary.c_str(),
                 cost_text().c_str());
    line_ = Line{};
    open_ = false;
  }
  void cost(double usd, bool simulated) override {
    Lock lock(output_mutex);
    cost_ = usd, cost_label_ = simulated ? "simulated" : "spent";
  }
  void notice(const std::string& text) override {
    Lock lock(output_mutex);
    if (open_) std::fprintf(stderr, "\r\033[K");
    std::fprintf(stderr, "%s%s\n", prefix().c_str(), text.c_str());
    if (open_) draw();
  }
  std::unique_ptr<EditEvents> segment(size_t index) override { return child<TerminalReporter>(index); }

 private:
  struct Line {
    std::string stage, detail;
    double done = 0, total = 0;
    std::string unit;
    int queue = -2;  // -2: not waiting at fal; -1: running; else the queue position
    Clock::time_point began = Clock::now();
  };

  std::string cost_text() const { return cost_ > 0 ? "   " + cost_label_ + " " + format_usd(cost_) : ""; }

  // Bytes also show their rate once there is one to speak of.
  std::string rate() const {
    double secs = std::chrono::duration<double>(Clock::now() - line_.began).count();
    if (line_.unit != "bytes" || secs < 0.2) return "";
    return "  " + format_bytes(static_cast<uint64_t>(line_.done / secs)) + "/s";
  }

  std::string state() const {
    if (line_.queue >= 0) return " in queue, position " + std::to_string(line_.queue);
    if (line_.queue == -1) return " running";
    if (line_.total > 0) {
      char pct[16];
      std::snprintf(pct, sizeof pct, " %3.0f%% ", 100.0 * line_.done / line_.total);
      return " " + bar(line_.done / line_.total, 24) + pct + amount(line_.done, line_.unit) + " / " +
             amount(line_.total, line_.unit) + rate();
    }
    if (line_.done > 0) return " " + amount(line_.done, line_.unit) + rate();
    return line_.detail.empty() ? "" : " " + line_.detail;
  }

  void draw() {
    if (line_.stage.empty()) return;
    std::string text = prefix() + line_.stage;
    if (text.size() < 10) text.resize(10, ' ');
    text += state() + cost_text();
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    open_ = true;
  }

  Line line_;
  Throttle throttle_;
  double cost_ = 0;
  std::string cost_label_ = "spent";
  bool open_ = false;
};

}  // namespace

ReportMode report_mode(bool json_flag) { return want_json(json_flag) ? ReportMode::json_lines : progress_mode(); }

ReportMode progress_mode() { return stderr_is_tty() ? ReportMode::terminal : ReportMode::plain; }

std::unique_ptr<EditEvents> make_reporter(ReportMode mode, bool assume_yes) {
  switch (mode) {
    case ReportMode::json_lines: return std::make_unique<JsonLinesReporter>(assume_yes);
    case ReportMode::terminal: return std::make_unique<TerminalReporter>(assume_yes);
    case ReportMode::plain: break;
  }
  return std::make_unique<PlainLogReporter>(assume_yes);
}

std::unique_ptr<EditEvents> make_clip_reporter(ReportMode mode, size_t index, const std::string& name) {
  std::unique_ptr<Reporter> r;
  if (mode == ReportMode::json_lines) r = std::make_unique<JsonLinesReporter>(true);
  else r = std::make_unique<ClipLogReporter>(true);
  r->tag_clip(index, name);
  return r;
}

void print_whole(std::FILE* to, const std::string& text) {
  Lock lock(output_mutex);
  std::fputs(text.c_str(), to);
  std::fflush(to);
}

Consent ask_to_spend(const std::string& question, bool assume_yes) {
  if (assume_yes) return Consent::given;
  if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) return Consent::cannot_ask;
  Lock lock(output_mutex);
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  char buf[32] = {0};
  ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf - 1);
  return n > 0 && (buf[0] == 'y' || buf[0] == 'Y') ? Consent::given : Consent::refused;
}

}  // namespace omnicut::cli
