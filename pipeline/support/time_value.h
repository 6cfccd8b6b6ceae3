// Times on the command line: plain seconds ("12.5") or clock notation ("1:02.5", "00:01:02.500").
#pragma once
#include <string>

namespace omnicut {

// Seconds >= 0. Throws Error(usage, option, cause) naming the option and the text it could not read.
double parse_time(const std::string& text, const std::string& option);

}  // namespace omnicut
