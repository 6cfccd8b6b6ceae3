#include "client/fal.h"

namespace omnicut::client {

Fal Fal::from_env(const std::string& fal_url_flag, bool key_required, const HttpOptions& options) {
  auto urls = FalUrls::from_setting(fal_url_flag);
  auto credentials = key_required ? std::optional<Credentials>(Credentials::require_from_env())
                                  : Credentials::from_env();
  return Fal{std::move(urls), Http(std::move(credentials), options)};
}

}  // namespace omnicut::client
