// A one-line byte progress bar for transfers on a terminal's stderr ("uploading x.mp4  42%
// 120 MB / 286 MB  95 MB/s"), redrawn at most ten times a second; silent when stderr is not a TTY.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "pipeline/cli/command.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {

class ByteProgress {
 public:
  explicit ByteProgress(std::string label) : label_(std::move(label)), enabled_(stderr_is_tty()) {}
  ~ByteProgress() { finish(); }

  void update(uint64_t done, uint64_t total) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done != total) return;
    last_ = now;
    drawn_ = true;
    double secs = std::chrono::duration<double>(now - start_).count();
    std::string rate = secs > 0.2 ? format_bytes(static_cast<uint64_t>(done / secs)) + "/s" : "";
    std::string amount = total ? std::to_string(done * 100 / total) + "%  " + format_bytes(done) + " / " + format_bytes(total)
                               : format_bytes(done);
    std::fprintf(stderr, "\r\033[K%s  %s  %s", label_.c_str(), amount.c_str(), rate.c_str());
    std::fflush(stderr);
  }

  void finish() {
    if (enabled_ && drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
  }

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace omnicut::cli
