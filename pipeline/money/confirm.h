// The question before money is spent. Whoever runs the pipeline answers it (pipeline/edit/events.h):
// the CLI asks on a terminal unless --yes was given, and answers cannot_ask anywhere else (a
// script, a pipe, CI), so nothing is ever billed without an explicit yes.
#pragma once
#include <string>

namespace omnicut {

// The answer to "submit for about $X?". cannot_ask: nobody is there to answer (no terminal).
enum class Consent { given, refused, cannot_ask };

// Throws Error(refused, subject, ...) unless `answer` is given; nothing has been sent yet.
void require_consent(const std::string& subject, Consent answer);

// Throws Error(refused) when `estimate_usd` is above `max_usd` (nothing has been sent yet).
void check_budget(const std::string& subject, double estimate_usd, double max_usd);

}  // namespace omnicut
