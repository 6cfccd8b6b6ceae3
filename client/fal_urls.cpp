#include "client/fal_urls.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include <curl/curl.h>

#include "common/error.h"

namespace omnicut::client {

std::string url_escape(const std::string& text) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size())),
                                                      curl_free);
  return escaped ? escaped.get() : "";
}

std::string url_origin(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string scheme = url.substr(0, scheme_end);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") return "";
  auto host_start = scheme_end + 3;
  auto host_end = url.find_first_of("/?#", host_start);
  std::string authority = url.substr(host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  // Userinfo ("user@host") would make the origin ambiguous; such URLs are never fal's.
  if (authority.empty() || authority.find('@') != std::string::npos) return "";
  std::transform(authority.begin(), authority.end(), authority.begin(), [](unsigned char c) { return std::tolower(c); });
  return scheme + "://" + authority;
}

FalUrls FalUrls::at_origin(const std::string& origin) {
  std::string base = origin;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (url_origin(base).empty())
    throw Error(ErrorKind::usage, origin.empty() ? "--fal-url" : origin,
                "not an http:// or https:// URL (expected e.g. http://127.0.0.1:8080)");
  return FalUrls{base, base, base, base};
}

FalUrls FalUrls::from_setting(const std::string& flag) {
  if (!flag.empty()) return at_origin(flag);
  if (const char* env = std::getenv("OMNICUT_FAL_URL"); env && *env) return at_origin(env);
  return FalUrls{};
}

}  // namespace omnicut::client
