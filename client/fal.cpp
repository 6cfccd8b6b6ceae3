#include "client/fal.h"

#include <cstdlib>
#include <cstring>

namespace omnicut::client {

Fal Fal::from_env(const std::string& fal_url_flag, bool key_required) {
  auto urls = FalUrls::from_setting(fal_url_flag);
  auto credentials = key_required ? std::optional<Credentials>(Credentials::require_from_env())
                                  : Credentials::from_env();
  HttpOptions options;
  const char* verbose = std::getenv("OMNICUT_VERBOSE");
  options.verbose = verbose && std::strcmp(verbose, "1") == 0;
  return Fal{std::move(urls), Http(std::move(credentials), options)};
}

}  // namespace omnicut::client
