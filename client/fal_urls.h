// Where fal lives. Real fal by default; one setting (`--fal-url` or OMNICUT_FAL_URL) points the
// queue, run, REST and Platform API hosts all at one origin, such as the loopback emulator.
#pragma once
#include <string>

namespace omnicut::client {

struct FalUrls {
  std::string queue = "https://queue.fal.run";
  std::string run = "https://fal.run";
  std::string rest = "https://rest.fal.ai";
  std::string api = "https://api.fal.ai";   // the Platform API (/v1/...): request history

  // All four at `origin` ("http://127.0.0.1:8080", trailing '/' dropped). Throws Error(usage)
  // unless it is an http:// or https:// URL.
  static FalUrls at_origin(const std::string& origin);
  // `flag` when not empty, else $OMNICUT_FAL_URL when set, else real fal.
  static FalUrls from_setting(const std::string& flag);
};

// `text` percent-encoded for a URL's query or path segment.
std::string url_escape(const std::string& text);

// "scheme://host[:port]" of an http(s) URL, lower-cased; empty when it is not one.
std::string url_origin(const std::string& url);

}  // namespace omnicut::client
