#include "codecs/av_error.h"

extern "C" {
#include <libavutil/error.h>
}

namespace omnicut::av {
namespace {

class AvCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "ffmpeg"; }
  std::string message(int code) const override { return error_text(-code); }
};

}  // namespace

const std::error_category& category() {
  static const AvCategory instance;
  return instance;
}

std::string error_text(int averror) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(averror, buf, sizeof buf) < 0) return "FFmpeg error " + std::to_string(averror);
  return buf;
}

ErrorKind kind_of(int averror, ErrorKind expected) {
  if (averror == AVERROR(ENOMEM)) return ErrorKind::internal;
  if (averror == AVERROR_EXIT) return ErrorKind::interrupted;
  if (averror == AVERROR(ENOSPC) || averror == AVERROR(EDQUOT)) return ErrorKind::output;
  // A read that fails in the kernel is an unreadable file, whatever its format looked like.
  if (averror == AVERROR(EIO) && (expected == ErrorKind::not_media || expected == ErrorKind::unsupported))
    return ErrorKind::not_found;
  return expected;
}

void fail(int averror, ErrorKind kind, const std::string& subject, const std::string& what) {
  throw Error(kind_of(averror, kind), subject, what + ": " + error_text(averror), make_error(averror));
}

int check(int ret, ErrorKind kind, const std::string& subject, const std::string& what) {
  if (ret < 0) fail(ret, kind, subject, what);
  return ret;
}

}  // namespace omnicut::av
