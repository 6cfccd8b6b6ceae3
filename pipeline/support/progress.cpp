#include "pipeline/support/progress.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "pipeline/support/format.h"

namespace omnicut {
namespace {

std::string amount(double v, const std::string& unit) {
  if (unit == "bytes") return format_bytes(static_cast<uint64_t>(v));
  char buf[64];
  std::snprintf(buf, sizeof buf, unit == "s" ? "%.1f %s" : "%.0f %s", v, unit.c_str());
  return buf;
}

std::string bar(double fraction, int width) {
  if (fraction < 0) fraction = 0;
  if (fraction > 1) fraction = 1;
  int filled = static_cast<int>(fraction * width + 0.5);
  return "[" + std::string(filled, '#') + std::string(width - filled, '-') + "]";
}

// One terminal and one stdout for every Progress: --split segments report from several threads.
std::recursive_mutex output_mutex;
using Lock = std::lock_guard<std::recursive_mutex>;

}  // namespace

Progress Progress::tagged(nlohmann::json tag, const std::string& prefix) const {
  Progress p(mode_);
  p.started_ = started_;
  p.tag_ = std::move(tag);
  p.prefix_ = prefix;
  return p;
}

void Progress::emit(nlohmann::json j) {
  double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  j["t"] = std::round(t * 1000) / 1000;
  for (auto& [k, v] : tag_.items()) j[k] = v;
  std::cout << j.dump() << "\n";
  std::cout.flush();
}

void Progress::stage(const std::string& name, const std::string& detail) {
  Lock lock(output_mutex);
  finish();
  stage_ = name, detail_ = detail;
  done_ = total_ = 0, unit_.clear(), queue_ = -2;
  if (mode_ == Mode::json_lines) emit({{"event", "stage"}, {"stage", name}, {"detail", detail}});
  draw(true);
}

void Progress::update(double done, double total, const std::string& unit) {
  Lock lock(output_mutex);
  bool repeat = done == done_ && total == total_ && unit == unit_;
  done_ = done, total_ = total, unit_ = unit;
  auto now = std::chrono::steady_clock::now();
  bool complete = total > 0 && done >= total;
  if (repeat || (!complete && now - last_draw_ < std::chrono::milliseconds(100))) return;
  last_draw_ = now;
  if (mode_ == Mode::json_lines)
    emit({{"event", "progress"}, {"stage", stage_}, {"done", done}, {"total", total}, {"unit", unit}});
  draw(false);
}

void Progress::queue(int position) {
  Lock lock(output_mutex);
  if (position == queue_) return;
  queue_ = position;
  if (mode_ == Mode::json_lines)
    emit({{"event", "queue"}, {"stage", stage_}, {"position", position}, {"state", position >= 0 ? "IN_QUEUE" : "IN_PROGRESS"}});
  draw(true);
}

void Progress::log(const std::string& message) {
  Lock lock(output_mutex);
  if (mode_ == Mode::json_lines) emit({{"event", "log"}, {"stage", stage_}, {"message", message}});
  if (mode_ != Mode::tty) return;
  std::fprintf(stderr, "\r\033[K    model: %s\n", message.c_str());
  draw(true);
}

void Progress::cost(double usd, bool simulated) {
  Lock lock(output_mutex);
  cost_ = usd;
  cost_label_ = simulated ? "simulated" : "spent";
  if (mode_ == Mode::json_lines) emit({{"event", "cost"}, {"usd", usd}, {"simulated", simulated}});
}

void Progress::message(const std::string& text) {
  Lock lock(output_mutex);
  if (mode_ == Mode::json_lines) emit({{"event", "message"}, {"text", text}});
  if (mode_ == Mode::json_lines) return;
  if (mode_ == Mode::quiet) {  // stderr is a log, not a terminal: a plain line
    std::fprintf(stderr, "omnicut: %s%s\n", prefix_.c_str(), text.c_str());
    return;
  }
  if (line_open_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s%s\n", prefix_.c_str(), text.c_str());
  if (line_open_) draw(true);
}

void Progress::event(const std::string& name, nlohmann::json fields) {
  Lock lock(output_mutex);
  if (mode_ != Mode::json_lines) return;
  fields["event"] = name;
  emit(std::move(fields));
}

void Progress::finish(const std::string& summary) {
  Lock lock(output_mutex);
  if (stage_.empty()) return;
  if (mode_ == Mode::json_lines) emit({{"event", "done"}, {"stage", stage_}, {"summary", summary}});
  if (mode_ == Mode::tty) {
    std::fprintf(stderr, "\r\033[K%-10s %s%s%s\n", (prefix_ + stage_).c_str(), summary.empty() ? "done" : summary.c_str(),
                 cost_ > 0 ? ("   " + cost_label_ + " ").c_str() : "", cost_ > 0 ? format_usd(cost_).c_str() : "");
  }
  stage_.clear();
  line_open_ = false;
}

void Progress::draw(bool force) {
  (void)force;
  if (mode_ != Mode::tty || stage_.empty()) return;
  std::string line = prefix_ + stage_;
  if (line.size() < 10) line.resize(10, ' ');
  if (queue_ >= 0) line += " in queue, position " + std::to_string(queue_);
  else if (queue_ == -1) line += " running";
  else if (total_ > 0) {
    char pct[16];
    std::snprintf(pct, sizeof pct, " %3.0f%% ", 100.0 * done_ / total_);
    line += " " + bar(done_ / total_, 24) + pct + amount(done_, unit_) + " / " + amount(total_, unit_);
  } else if (done_ > 0) {
    line += " " + amount(done_, unit_);
  } else if (!detail_.empty()) {
    line += " " + detail_;
  }
  if (cost_ > 0) line += "   " + cost_label_ + " " + format_usd(cost_);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  line_open_ = true;
}

}  // namespace omnicut
