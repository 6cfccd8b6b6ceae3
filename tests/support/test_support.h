// Shared helpers for the suites: scratch folders, running the omnicut binary, asking ffprobe.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace omnicut::test {

namespace fs = std::filesystem;

// A fresh, empty folder under the build tree's test-tmp/, named after the running test.
fs::path scratch_dir();

struct RunResult {
  int exit_code = -1;  // the process's exit status, or 128+signal when it was killed
  std::string out;
  std::string err;
};

// Runs `program` with `args` (no shell), capturing stdout and stderr; env entries are added
// ("NAME=value"), and stdin is /dev/null. Waits at most `timeout_s`, then kills it.
RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {}, double timeout_s = 300);
RunResult run_omnicut(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                      double timeout_s = 300);

// omnicut `args` run under strace, and how many times it (any of its threads or children) opened
// `file` successfully. opens is -1 when strace cannot trace here (not installed, or ptrace not
// allowed): the caller skips.
struct TracedRun {
  RunResult run;
  int opens = -1;
};
TracedRun count_opens(const fs::path& file, const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// The whole file as text ("" when it cannot be read).
std::string read_text(const fs::path& file);

// `ffprobe -show_format -show_streams -of json FILE`, parsed. Fails the test when ffprobe fails.
nlohmann::json ffprobe(const fs::path& file);

// ../shared/media when present, else nullopt (tests then GTEST_SKIP with a message).
std::optional<fs::path> shared_media();

}  // namespace omnicut::test

#define OMNICUT_REQUIRE_SHARED_MEDIA(var)                                                   \
  auto var##_opt = ::omnicut::test::shared_media();                                         \
  if (!var##_opt) GTEST_SKIP() << "../shared/media is absent: skipping real-footage checks"; \
  const auto var = *var##_opt
