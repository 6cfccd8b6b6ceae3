// Everything a fal call needs: where fal is, and the HTTP transport holding the key. The CLI
// builds one from its flags; the pipeline passes it to storage, queue and download calls.
#pragma once
#include <string>

#include "client/fal_urls.h"
#include "client/http.h"

namespace omnicut::client {

struct Fal {
  FalUrls urls;
  Http http;

  // The key from the environment (Error(auth) naming FAL_KEY when missing, unless
  // `key_required` is false), the URLs from `fal_url_flag`/OMNICUT_FAL_URL; the transport's
  // options (timeouts, -v's trace) as the caller passes them.
  static Fal from_env(const std::string& fal_url_flag, bool key_required, const HttpOptions& options);
};

}  // namespace omnicut::client
