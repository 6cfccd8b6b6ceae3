// FFmpeg logs to stderr by default; omnicut keeps its own output to one line per error. This
// routes FFmpeg's log through a callback that remembers the last warning/error line per thread
// (so errors can quote FFmpeg's own reason, e.g. "moov atom not found") and prints only when
// verbose.
#pragma once
#include <string>

namespace omnicut::av {

void install_log_capture(bool verbose = false);

// The last warning or error line FFmpeg logged on this thread since clear_last_log().
std::string last_log_line();
void clear_last_log();

}  // namespace omnicut::av
