#include "pipeline/edit/session_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "common/error.h"

namespace omnicut {
namespace {

// The pid the holder wrote, or "unknown" in the instant between its flock and its write.
std::string holder_of(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

// Whether `fd` is still the file at `path`: a releasing holder may have removed it between our
// open and our flock, and a lock on a removed file guards nothing.
bool still_linked(int fd, const std::string& path) {
  struct stat held{}, named{};
  return ::fstat(fd, &held) == 0 && ::stat(path.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
         held.st_ino == named.st_ino;
}

[[noreturn]] void fail(const std::string& path, const std::string& what, int err) {
  throw Error(ErrorKind::output, path, what + ": " + std::strerror(err), std::error_code(err, std::generic_category()));
}

}  // namespace

SessionLock::SessionLock(const std::string& ledger_path) : path_(ledger_path + ".lock") {
  for (;;) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(path_, "cannot create the session's lock file", errno);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      std::string pid = err == EWOULDBLOCK ? holder_of(fd_) : "";
      ::close(fd_), fd_ = -1;
      if (err != EWOULDBLOCK) fail(path_, "cannot lock the session", err);
      throw Error(ErrorKind::refused, ledger_path,
                  "another omnicut (pid " + pid + ") is running this session; wait for it to finish, or stop it "
                  "(Ctrl-C keeps its jobs in the ledger) and resume");
    }
    if (still_linked(fd_, path_)) break;
    ::close(fd_), fd_ = -1;
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::unlink(path_.c_str());
    ::close(fd_);
    fail(path_, "cannot write the session's lock file", err);
  }
}

SessionLock::~SessionLock() {
  ::unlink(path_.c_str());  // before the unlock: see the header
  ::close(fd_);
}

}  // namespace omnicut
