#include "tests/support/edit_fixture.h"

#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

namespace omnicut::test {

pid_t spawn_omnicut(const std::vector<std::string>& args, const std::vector<std::string>& env, const fs::path& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1), dup2(fd, 2);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv{const_cast<char*>(OMNICUT_BIN)};
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(OMNICUT_BIN, argv.data());
    _exit(127);
  }
  return pid;
}

double beep_onset(const fs::path& file) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:a:0", "-ac", "1", "-ar", "48000",
                                  "-f", "s16le", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto* s = reinterpret_cast<const int16_t*>(r.out.data());
  size_t n = r.out.size() / 2;
  for (size_t i = 0; i < n; ++i)
    if (std::abs(static_cast<int>(s[i])) > 8192) return static_cast<double>(i) / 48000.0;
  return -1;
}

}  // namespace omnicut::test
