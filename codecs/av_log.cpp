#include "codecs/av_log.h"

#include <cstdarg>
#include <cstdio>
#include <string>

extern "C" {
#include <libavutil/log.h>
}

namespace omnicut::av {
namespace {

thread_local std::string last_line;
bool verbose_logs = false;

void capture(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_WARNING && !verbose_logs) return;
  char line[1024];
  int print_prefix = 1;
  va_list copy;
  va_copy(copy, args);
  av_log_format_line2(avcl, level, fmt, copy, line, sizeof line, &print_prefix);
  va_end(copy);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (level <= AV_LOG_WARNING && !text.empty()) last_line = text;
  if (verbose_logs) std::fprintf(stderr, "%s\n", text.c_str());
}

}  // namespace

void install_log_capture(bool verbose) {
  verbose_logs = verbose;
  av_log_set_level(verbose ? AV_LOG_VERBOSE : AV_LOG_WARNING);
  av_log_set_callback(capture);
}

std::string last_log_line() { return last_line; }
void clear_last_log() { last_line.clear(); }

}  // namespace omnicut::av
