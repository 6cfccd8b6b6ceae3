#include "pipeline/money/confirm.h"

#include <cstdio>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "common/error.h"
#include "pipeline/support/format.h"

namespace omnicut {

void confirm_spend(const std::string& subject, const std::string& question, bool yes) {
  if (yes) return;
  if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO))
    throw Error(ErrorKind::refused, subject, "not confirmed: pass --yes to spend without a question (stdin is not a terminal)");
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  char buf[32] = {0};
  ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf - 1);
  if (n > 0 && (buf[0] == 'y' || buf[0] == 'Y')) return;
  throw Error(ErrorKind::refused, subject, "not confirmed: nothing was sent");
}

void check_budget(const std::string& subject, double estimate_usd, double max_usd) {
  if (estimate_usd <= max_usd + 1e-12) return;
  throw Error(ErrorKind::refused, subject,
              "the estimate " + format_usd(estimate_usd) + " is over --max-cost " + format_usd(max_usd) + ": nothing was sent");
}

}  // namespace omnicut
