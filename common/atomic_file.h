// Outputs are written to a temporary file beside the destination and renamed into place only
// when complete, so an error or Ctrl-C never leaves a partial file under the user's chosen name.
#pragma once
#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

#include "common/error.h"

namespace omnicut {

class AtomicFile {
 public:
  // The temporary name keeps the destination's extension: FFmpeg picks the muxer from it.
  explicit AtomicFile(std::filesystem::path dest) : dest_(std::move(dest)) {
    auto name = "." + dest_.stem().string() + ".part-" + std::to_string(::getpid()) + "-" +
                std::to_string(counter()++) + dest_.extension().string();
    temp_ = dest_.parent_path() / name;
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile() {
    if (!committed_) {
      std::error_code ec;
      std::filesystem::remove(temp_, ec);
    }
  }

  const std::filesystem::path& temp_path() const { return temp_; }
  const std::filesystem::path& dest_path() const { return dest_; }

  void commit() {
    std::error_code ec;
    std::filesystem::rename(temp_, dest_, ec);
    if (ec) throw Error(ErrorKind::output, dest_.string(), "cannot rename into place: " + ec.message());
    committed_ = true;
  }

 private:
  static std::atomic<unsigned>& counter() {
    static std::atomic<unsigned> n{0};
    return n;
  }
  std::filesystem::path dest_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

}  // namespace omnicut
