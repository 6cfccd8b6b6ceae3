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

// The kind an AVERROR really is, whatever the caller expected: out of memory is never "not media"
// (internal), a full disk is the output's, and an EIO while reading is an unreadable file, not a
// bad format.
ErrorKind kind_of(int averror, ErrorKind expected);

// Throws Error(kind_of(ret, kind), subject, what + ": " + error_text, make_error(ret)) when
// ret < 0; returns ret otherwise.
int check(int ret, ErrorKind kind, const std::string& subject, const std::string& what);

// The same Error without the check, for a code already known to be a failure.
[[noreturn]] void fail(int averror, ErrorKind kind, const std::string& subject, const std::string& what);

// For FFmpeg calls that fail only on our own mistakes or out of memory.
inline int check_internal(int ret, const std::string& subject, const std::string& what) {
  return check(ret, ErrorKind::internal, subject, what);
}

}  // namespace omnicut::av
