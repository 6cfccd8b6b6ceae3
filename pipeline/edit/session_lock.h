// One process per session: an advisory flock(LOCK_EX | LOCK_NB) on LEDGER.lock, held for as long
// as the SessionLock lives. The kernel drops the lock when its holder exits or is killed, so a
// crash never leaves a session blocked; the file holds the holder's pid only so that a refusal
// can name it. A clean release removes the file (while still holding the lock, so a process that
// opened it in between sees that it is gone and takes a new one).
#pragma once
#include <string>

namespace omnicut {

class SessionLock {
 public:
  // Takes the lock of the session whose ledger is `ledger_path`, or throws at once:
  // Error(refused, ledger_path, "another omnicut (pid N) is running this session; ...") when
  // another process holds it (exit 11: nothing was done, as for a refused budget),
  // Error(output) when the lock file cannot be made.
  explicit SessionLock(const std::string& ledger_path);
  ~SessionLock();
  SessionLock(const SessionLock&) = delete;
  SessionLock& operator=(const SessionLock&) = delete;

  const std::string& path() const { return path_; }  // LEDGER.lock

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace omnicut
