#include "pipeline/money/confirm.h"

#include "common/error.h"
#include "pipeline/support/format.h"

namespace omnicut {

void require_consent(const std::string& subject, Consent answer) {
  if (answer == Consent::given) return;
  if (answer == Consent::cannot_ask)
    throw Error(ErrorKind::refused, subject, "not confirmed: pass --yes to spend without a question (stdin is not a terminal)");
  throw Error(ErrorKind::refused, subject, "not confirmed: nothing was sent");
}

void check_budget(const std::string& subject, double estimate_usd, double max_usd) {
  if (estimate_usd <= max_usd + 1e-12) return;
  throw Error(ErrorKind::refused, subject,
              "the estimate " + format_usd(estimate_usd) + " is over --max-cost " + format_usd(max_usd) + ": nothing was sent");
}

}  // namespace omnicut
