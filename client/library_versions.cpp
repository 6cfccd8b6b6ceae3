#include "client/library_versions.h"

#include <utility>

#include <curl/curl.h>

namespace omnicut::client {

std::string library_versions() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  // ssl_version already names its library ("OpenSSL/3.0.15"); the others are bare numbers.
  const std::pair<const char*, const char*> parts[] = {
      {"", info->ssl_version}, {"zlib/", info->libz_version}, {"nghttp2/", info->nghttp2_version}};
  std::string with;
  for (const auto& [label, version] : parts)
    if (version) with += (with.empty() ? "" : ", ") + std::string(label) + version;
  return "libcurl " + std::string(info->version) + (with.empty() ? "" : " (" + with + ")");
}

}  // namespace omnicut::client
