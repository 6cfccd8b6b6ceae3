#include "client/credentials.h"

#include <cstdlib>

#include "common/error.h"

namespace omnicut::client {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

void replace_all(std::string& text, const std::string& secret) {
  // Very short fragments would turn ordinary words into "***" and reveal nothing worth hiding.
  if (secret.size() < 4) return;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
}

}  // namespace

std::optional<Credentials> Credentials::from_env() {
  if (auto key = env("FAL_KEY"); !key.empty()) return Credentials(key);
  auto id = env("FAL_KEY_ID"), secret = env("FAL_KEY_SECRET");
  if (!id.empty() && !secret.empty()) return Credentials(id + ":" + secret);
  return std::nullopt;
}

Credentials Credentials::require_from_env() {
  if (auto found = from_env()) return *found;
  throw Error(ErrorKind::auth, "FAL_KEY",
              "not set: export FAL_KEY=<your fal key> (or FAL_KEY_ID and FAL_KEY_SECRET); "
              "the local emulator (--fal-url) accepts any value");
}

std::string Credentials::redact(std::string_view text) const {
  std::string out(text);
  replace_all(out, key_);
  // An "id:secret" key: each half alone is as sensitive (the secret) or identifying (the id).
  if (auto colon = key_.find(':'); colon != std::string::npos) {
    replace_all(out, key_.substr(colon + 1));
    replace_all(out, key_.substr(0, colon));
  }
  return out;
}

}  // namespace omnicut::client
