#include "tests/support/test_support.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "codecs/av_log.h"

#if defined(__SANITIZE_ADDRESS__)
// libx265 (3.5, used by the HEVC fixtures) keeps ~5 KB of FrameFilter buffers that
// x265_encoder_close never frees; our encoder context is freed (nothing of libavcodec's leaks
// with it), so LeakSanitizer is told to ignore what libx265 alone allocates.
extern "C" const char* __lsan_default_suppressions() { return "leak:libx265.so\n"; }
#endif

namespace omnicut::test {

// FFmpeg stays quiet in tests unless a failure needs its reason (captured by av_log).
const bool quiet_ffmpeg = (av::install_log_capture(), true);

fs::path scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "no-test";
  for (auto& c : name)
    if (c == '/') c = '_';
  fs::path dir = fs::path(OMNICUT_TEST_TMP) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

RunResult run_program(const std::string& program, const std::vector<std::string>& args,
                      const std::vector<std::string>& env, double timeout_s) {
  static int serial = 0;
  fs::path base = fs::path(OMNICUT_TEST_TMP) / ("run-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
  fs::create_directories(base.parent_path());
  fs::path out_path = base.string() + ".out", err_path = base.string() + ".err";

  std::vector<std::string> argv_s{program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0), dup2(out, 1), dup2(err, 2);
    setpgid(0, 0);  // so a timeout can kill the whole group
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(program.c_str(), argv.data());
    _exit(127);
  }
  RunResult result;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << program << " timed out after " << timeout_s << " s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out_path);
  result.err = slurp(err_path);
  fs::remove(out_path), fs::remove(err_path);
  return result;
}

TracedRun count_opens(const fs::path& file, const std::vector<std::string>& args, const std::vector<std::string>& env) {
  static int serial = 0;
  const fs::path log = fs::path(OMNICUT_TEST_TMP) / ("strace-" + std::to_string(::getpid()) + "-" + std::to_string(serial++));
  // -z: successful calls only, each on one line (no "<unfinished ...>" halves from other threads)
  std::vector<std::string> traced{"-f", "-qq", "-z", "-e", "trace=open,openat,openat2", "-o", log.string(), "--", OMNICUT_BIN};
  traced.insert(traced.end(), args.begin(), args.end());
  TracedRun t;
  t.run = run_program("strace", traced, env);
  std::ifstream in(log);
  // e.g. `1234  openat(AT_FDCWD, "/abs/source.mp4", O_RDONLY) = 3`
  const std::string quoted = "/" + file.filename().string() + "\"";
  int lines = 0, opens = 0;
  for (std::string line; std::getline(in, line); ++lines) opens += line.find(quoted) != std::string::npos;
  fs::remove(log);
  if (lines > 0) t.opens = opens;  // none: strace could not start or trace (every run opens its libraries)
  return t;
}

RunResult run_omnicut(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      double timeout_s) {
  return run_program(OMNICUT_BIN, args, env, timeout_s);
}

nlohmann::json ffprobe(const fs::path& file) {
  auto r = run_program("ffprobe", {"-v", "error", "-show_format", "-show_streams", "-of", "json", file.string()});
  EXPECT_EQ(r.exit_code, 0) << "ffprobe failed on " << file << ": " << r.err;
  if (r.exit_code != 0) return {};
  return nlohmann::json::parse(r.out);
}

std::optional<fs::path> shared_media() {
  fs::path dir = fs::path(OMNICUT_SHARED_MEDIA);
  if (fs::is_directory(dir) && fs::exists(dir / "SOURCES.md")) return fs::canonical(dir);
  return std::nullopt;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace omnicut::test
