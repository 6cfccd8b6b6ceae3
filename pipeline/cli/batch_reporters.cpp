#include "pipeline/cli/batch_reporters.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <sys/ioctl.h>
#include <unistd.h>

#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string fit(std::string s, size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

std::string cost_of(const BatchClip& c) {
  if (c.status == clip_status::skipped) return "-";
  return c.cost_usd ? format_usd(*c.cost_usd) : "unknown";
}

std::string plan_text(const BatchPlanView& v) {
  std::string text = "batch: " + std::to_string(v.clips.size()) + " clip(s); ledger " + v.ledger + "\n";
  char line[512];
  std::snprintf(line, sizeof line, "  %-32s %-8s %-6s %10s  %s\n", "CLIP", "STATUS", "SPLIT", "ESTIMATE", "INPUT / REASON");
  text += line;
  int run = 0, skipped = 0;
  for (const auto& c : v.clips) {
    bool skip = c.status == clip_status::skipped;
    run += c.status == clip_status::pending, skipped += skip;
    std::string status = c.status == clip_status::pending ? "to run" : c.status;
    std::snprintf(line, sizeof line, "  %-32s %-8s %-6s %10s  %s\n", fit(c.job.rel, 32).c_str(), status.c_str(),
                  c.split ? "yes" : "", skip ? "-" : format_usd(c.estimate_usd).c_str(),
                  (skip ? c.reason : c.job.input).c_str());
    text += line;
  }
  text += "  to submit now: " + format_usd(v.usd) + " for " + std::to_string(run) + " clip(s)" +
          (skipped ? " (" + std::to_string(skipped) + " skipped)" : "") +
          (v.spent_usd > 0 ? ", already spent: " + format_usd(v.spent_usd) : "") +
          (v.simulated ? "  (local emulator: simulated, nothing billed)" : "") + "\n";
  text += "  (up to " + std::to_string(v.remote_jobs) + " at fal at once; prep and remux on " +
          std::to_string(v.local_jobs) + " core(s))\n";
  return text;
}

std::string done_line(const BatchClip& c) {
  if (c.status == clip_status::done) return "done    " + c.job.rel + " -> " + c.job.output + "  " + cost_of(c) + "\n";
  return c.status + "  " + c.job.rel + ": " + c.reason + "\n";
}

// JSON lines: every event an object with "event" and "t".
class JsonBatchReporter final : public BatchEvents {
 public:
  explicit JsonBatchReporter(bool yes) : yes_(yes) {}
  void plan(const BatchPlanView& v) override {
    nlohmann::json clips = nlohmann::json::array();
    for (size_t i = 0; i < v.clips.size(); ++i) clips.push_back(batch_clip_json(i, v.clips[i]));
    emit({{"event", "batch_plan"}, {"ledger", v.ledger}, {"clips", clips}, {"usd", v.usd}, {"spent_usd", v.spent_usd},
          {"simulated", v.simulated}, {"remote_jobs", v.remote_jobs}, {"local_jobs", v.local_jobs}});
  }
  Consent confirm(const std::string& q) override { return ask_to_spend(q, yes_); }
  std::unique_ptr<EditEvents> clip(size_t i, const std::string& name) override {
    return make_clip_reporter(ReportMode::json_lines, i, name);
  }
  void clip_done(size_t i, const BatchClip& c) override {
    nlohmann::json j = batch_clip_json(i, c);
    j["event"] = "clip_done";
    emit(std::move(j));
  }
  void summary(const BatchSummaryView& v) override {
    nlohmann::json clips = nlohmann::json::array();
    for (size_t i = 0; i < v.clips.size(); ++i) clips.push_back(batch_clip_json(i, v.clips[i]));
    emit({{"event", "batch_result"}, {"ledger", v.ledger}, {"clips", clips}, {"cost_usd", v.cost_usd},
          {"unknown_cost_clips", v.unknown_cost_clips}, {"simulated", v.simulated}, {"seconds", v.seconds},
          {"report", v.report.empty() ? nlohmann::json() : nlohmann::json(v.report)}});
  }

 private:
  void emit(nlohmann::json j) {
    j["t"] = std::round(std::chrono::duration<double>(Clock::now() - started_).count() * 1000) / 1000;
    print_whole(stdout, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  bool yes_;
  Clock::time_point started_ = Clock::now();
};

// A log: the plan, a line per finished clip, the summary.
class PlainBatchReporter : public BatchEvents {
 public:
  explicit PlainBatchReporter(bool yes) : yes_(yes) {}
  void plan(const BatchPlanView& v) override { print_whole(stdout, plan_text(v)); }
  Consent confirm(const std::string& q) override { return ask_to_spend(q, yes_); }
  std::unique_ptr<EditEvents> clip(size_t i, const std::string& name) override {
    return make_clip_reporter(ReportMode::plain, i, name);
  }
  void clip_done(size_t, const BatchClip& c) override { print_whole(stderr, "omnicut: " + done_line(c)); }
  void summary(const BatchSummaryView& v) override { print_whole(stdout, batch_summary_text(v)); }

 private:
  bool yes_;
};

// The terminal's board: a line per clip in flight and the batch bar, redrawn in place.
class Board {
 public:
  void set(size_t clip, const std::string& text) {
    std::lock_guard lock(m_);
    lines_[clip] = text;
    if (Clock::now() - last_ > std::chrono::milliseconds(100)) draw();
  }
  void end(size_t clip, const std::string& line, bool ok, std::optional<double> usd) {
    std::lock_guard lock(m_);
    lines_.erase(clip);
    ++(ok ? done_ : failed_);
    if (usd) spent_ += *usd;
    above(line);
  }
  void note(const std::string& text) {
    std::lock_guard lock(m_);
    above(text + "\n");
  }
  void start(size_t total, bool simulated) {
    std::lock_guard lock(m_);
    total_ = total, simulated_ = simulated;
    draw();
  }
  void close() {
    std::lock_guard lock(m_);
    erase();
  }

 private:
  static size_t width() {
    winsize w{};
    return ::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20 ? w.ws_col - 1 : 100;
  }
  void erase() {
    if (drawn_ > 0) std::fprintf(stderr, "\033[%dA\033[J", drawn_);
    drawn_ = 0;
  }
  void above(const std::string& text) {
    erase();
    std::fputs(text.c_str(), stderr);
    draw();
  }
  void draw() {
    erase();
    const size_t w = width();
    for (const auto& [clip, text] : lines_) std::fprintf(stderr, "%s\n", fit(text, w).c_str());
    double frac = total_ ? double(done_ + failed_) / total_ : 0;
    int filled = static_cast<int>(frac * 24 + 0.5);
    std::string bar = "batch [" + std::string(filled, '#') + std::string(24 - filled, '-') + "] " +
                      std::to_string(done_ + failed_) + "/" + std::to_string(total_) + " clips, " +
                      std::to_string(failed_) + " failed, " + format_usd(spent_) + (simulated_ ? " simulated" : " spent");
    std::fprintf(stderr, "%s\n", fit(bar, w).c_str());
    std::fflush(stderr);
    drawn_ = static_cast<int>(lines_.size()) + 1;
    last_ = Clock::now();
  }

  std::mutex m_;
  std::map<size_t, std::string> lines_;
  int drawn_ = 0;
  size_t total_ = 0, done_ = 0, failed_ = 0;
  double spent_ = 0;
  bool simulated_ = false;
  Clock::time_point last_{};
};

// One clip's session drawn as its line on the board.
class BoardClip final : public EditEvents {
 public:
  BoardClip(Board& board, size_t index, std::string name) : board_(board), index_(index), name_(std::move(name)) {}
  void session(const SessionView&) override {}
  void estimate(const EstimateView&) override {}
  Consent confirm(const std::string&) override { return Consent::given; }
  void stage(const std::string& name, const std::string&) override {
    stage_ = name, state_.clear();
    show();
  }
  void progress(double done, double total, const std::string&) override {
    if (total <= 0) return;
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3.0f%%", 100.0 * done / total);
    state_ = pct;
    show();
  }
  void queue(int position) override {
    state_ = position >= 0 ? "in queue, position " + std::to_string(position) : "running";
    show();
  }
  void model_log(const std::string&) override {}
  void finish(const std::string&) override {}
  void cost(double usd, bool) override { usd_ = usd; }
  void notice(const std::string& text) override { board_.note("[" + name_ + "] " + text); }
  void submitted(const RequestView&) override {}
  void recovered(const RequestView&) override {}
  void result(const ResultView&) override {}
  std::unique_ptr<EditEvents> segment(size_t) override { return std::make_unique<BoardClip>(board_, index_, name_); }

 private:
  void show() {
    char line[512];
    std::snprintf(line, sizeof line, "  %-28s %-10s %-24s %s", fit(name_, 28).c_str(), stage_.c_str(), state_.c_str(),
                  usd_ > 0 ? format_usd(usd_).c_str() : "");
    board_.set(index_, line);
  }
  Board& board_;
  size_t index_;
  std::string name_, stage_, state_;
  double usd_ = 0;
};

class TerminalBatchReporter final : public PlainBatchReporter {
 public:
  using PlainBatchReporter::PlainBatchReporter;
  void plan(const BatchPlanView& v) override {
    PlainBatchReporter::plan(v);
    size_t run = 0;
    for (const auto& c : v.clips) run += c.status == clip_status::pending;
    total_ = run, simulated_ = v.simulated;
  }
  std::unique_ptr<EditEvents> clip(size_t i, const std::string& name) override {
    std::call_once(started_, [&] { board_.start(total_, simulated_); });
    return std::make_unique<BoardClip>(board_, i, name);
  }
  void clip_done(size_t i, const BatchClip& c) override {
    board_.end(i, done_line(c), c.status == clip_status::done, c.cost_usd);
  }
  void summary(const BatchSummaryView& v) override {
    board_.close();
    PlainBatchReporter::summary(v);
  }

 private:
  Board board_;
  std::once_flag started_;
  size_t total_ = 0;
  bool simulated_ = false;
};

}  // namespace

nlohmann::json batch_clip_json(size_t index, const BatchClip& c) {
  return {{"clip", index},
          {"input", c.job.rel},
          {"source", c.job.input},
          {"output", c.job.output},
          {"ledger", c.ledger},
          {"status", c.status},
          {"reason", c.reason},
          {"split", c.split},
          {"estimate_usd", c.estimate_usd},
          {"cost_usd", c.cost_usd ? nlohmann::json(*c.cost_usd) : nlohmann::json()}};
}

std::string batch_summary_text(const BatchSummaryView& v) {
  std::string text;
  char line[640];
  std::snprintf(line, sizeof line, "%-32s %-8s %10s  %s\n", "CLIP", "STATUS", "COST", "OUTPUT / REASON");
  text += line;
  int done = 0, failed = 0, skipped = 0;
  for (const auto& c : v.clips) {
    done += c.status == clip_status::done, failed += c.status == clip_status::failed;
    skipped += c.status == clip_status::skipped;
    std::snprintf(line, sizeof line, "%-32s %-8s %10s  %s\n", fit(c.job.rel, 32).c_str(), c.status.c_str(), cost_of(c).c_str(),
                  (c.status == clip_status::done ? c.job.output : c.reason).c_str());
    text += line;
  }
  text += "total: " + std::to_string(done) + " done, " + std::to_string(failed) + " failed, " + std::to_string(skipped) +
          " skipped of " + std::to_string(v.clips.size()) + "; " + format_usd(v.cost_usd) +
          (v.unknown_cost_clips ? " + " + std::to_string(v.unknown_cost_clips) + " clip(s) of unknown cost" : "") +
          (v.simulated ? " simulated, nothing billed" : " spent") + "\n";
  if (v.seconds > 0) text += "time: " + format_seconds(v.seconds) + "; ledger: " + v.ledger + "\n";
  if (!v.report.empty()) text += "report: " + v.report + "\n";
  if (!v.report_error.empty()) text += "the batch report was not written: " + v.report_error + "\n";
  return text;
}

std::unique_ptr<BatchEvents> make_batch_reporter(ReportMode mode, bool assume_yes) {
  switch (mode) {
    case ReportMode::json_lines: return std::make_unique<JsonBatchReporter>(assume_yes);
    case ReportMode::terminal: return std::make_unique<TerminalBatchReporter>(assume_yes);
    case ReportMode::plain: break;
  }
  return std::make_unique<PlainBatchReporter>(assume_yes);
}

}  // namespace omnicut::cli
