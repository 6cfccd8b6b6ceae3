// The question before money is spent. With --yes nothing is asked; on a terminal the user types
// y or n; anywhere else (a script, a pipe, CI) the answer is no, so nothing is ever billed
// without an explicit yes.
#pragma once
#include <string>

namespace omnicut {

// Throws Error(refused, subject, ...) unless `yes` or the user answers yes on the terminal.
void confirm_spend(const std::string& subject, const std::string& question, bool yes);

// Throws Error(refused) when `estimate_usd` is above `max_usd` (nothing has been sent yet).
void check_budget(const std::string& subject, double estimate_usd, double max_usd);

}  // namespace omnicut
