#include "codecs/library_versions.h"

#include <initializer_list>
#include <utility>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace omnicut::av {
namespace {

std::string dotted(unsigned version) {
  return std::to_string(AV_VERSION_MAJOR(version)) + "." + std::to_string(AV_VERSION_MINOR(version)) + "." +
         std::to_string(AV_VERSION_MICRO(version));
}

}  // namespace

std::string library_versions() {
  const std::pair<const char*, unsigned> libs[] = {
      {"libavformat", avformat_version()}, {"libavcodec", avcodec_version()},   {"libavfilter", avfilter_version()},
      {"libswscale", swscale_version()},   {"libswresample", swresample_version()}, {"libavutil", avutil_version()}};
  std::string list;
  for (const auto& [name, version] : libs) list += (list.empty() ? "" : ", ") + std::string(name) + " " + dotted(version);
  return "FFmpeg " + std::string(av_version_info()) + " (" + list + ")";
}

}  // namespace omnicut::av
