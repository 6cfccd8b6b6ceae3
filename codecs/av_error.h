// FFmpeg's negative return codes as std::error_code (messages from av_strerror) and the small
// checks every codecs/ file uses to turn them into omnicut::Error naming the file and the cause.
#pragma once
#include <string>
#include <system_error>

#include "common/error.h"

namespace omnicut::av {

const std::error_category& category();
inline std::error_code make_error(int averror) { return {-averror, category()}; }

// av_strerror text for an AVERROR code.
std::string error_text(int averror);

// Throws Error(kind, subject, what + ": " + error_text) when ret < 0; returns ret otherwise.
int check(int ret, ErrorKind kind, const std::string& subject, const std::string& what);

// For FFmpeg calls that fail only on our own mistakes or out of memory.
inline int check_internal(int ret, const std::string& subject, const std::string& what) {
  return check(ret, ErrorKind::internal, subject, what);
}

}  // namespace omnicut::av
