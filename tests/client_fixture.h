// Shared by the client_*_test suites: an in-process emulator and a client::Fal pointed at it,
// generated files, and byte-for-byte comparison.
#pragma once
#include <sys/resource.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "client/fal.h"
#include "emulator/emulator.h"
#include "tests/support/test_support.h"

namespace omnicut::test {

// Timeouts short enough that a hang fails the test in seconds, not minutes.
inline client::HttpOptions test_http_options() {
  client::HttpOptions o;
  o.connect_timeout_s = 5;
  o.low_speed_time_s = 10;
  o.json_timeout_s = 30;
  return o;
}

inline constexpr const char* kTestKey = "omnicut-test-key-6f1d2c";

struct EmulatedFal {
  explicit EmulatedFal(emulator::Faults faults = {}, std::string storage_dir = "")
      : emu([&] {
          emulator::Options o;
          o.faults = faults;
          o.storage_dir = std::move(storage_dir);
          return o;
        }()) {
    emu.start();
  }
  client::Fal fal(std::optional<client::Credentials> key = client::Credentials(kTestKey),
                  client::HttpOptions options = test_http_options()) const {
    return client::Fal{client::FalUrls::at_origin(emu.url()), client::Http(std::move(key), options)};
  }
  emulator::Emulator emu;
};

// `size` bytes of a deterministic pseudo-random pattern (so a misplaced or repeated part shows),
// written in 1 MiB blocks to keep the test's own memory small.
inline fs::path make_file(const fs::path& path, uint64_t size, uint64_t seed = 1) {
  std::ofstream out(path, std::ios::binary);
  std::vector<uint64_t> block(1 << 17);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (uint64_t done = 0; done < size;) {
    for (auto& w : block) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      w = x;
    }
    uint64_t n = std::min<uint64_t>(size - done, block.size() * sizeof(uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    done += n;
  }
  return path;
}

inline bool same_bytes(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::file_size(a, ec) != fs::file_size(b, ec)) return false;
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  while (fa && fb) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount() || !std::equal(ba.begin(), ba.begin() + fa.gcount(), bb.begin())) return false;
  }
  return true;
}

inline long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// True when `needle` occurs in any regular file under `dir`.
inline bool any_file_contains(const fs::path& dir, const std::string& needle) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string carry, chunk(1 << 20, '\0');
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
      std::string window = carry + chunk.substr(0, static_cast<size_t>(in.gcount()));
      if (window.find(needle) != std::string::npos) return true;
      carry = window.substr(window.size() > needle.size() ? window.size() - needle.size() : 0);
    }
  }
  return false;
}

}  // namespace omnicut::test
