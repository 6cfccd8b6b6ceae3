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

int check(int ret, ErrorKind kind, const std::string& subject, const std::string& what) {
  if (ret < 0) throw Error(kind, subject, what + ": " + error_text(ret));
  return ret;
}

}  // namespace omnicut::av
