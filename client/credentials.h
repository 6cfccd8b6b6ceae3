// The fal API key. It is sent only as the Authorization header to fal's own hosts (or the
// --fal-url origin) and is never printed, logged, put into an error message or written to a file:
// verbose HTTP output passes through redact() first.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace omnicut::client {

class Credentials {
 public:
  explicit Credentials(std::string key) : key_(std::move(key)) {}

  // FAL_KEY, else FAL_KEY_ID + FAL_KEY_SECRET as "id:secret" (what fal's own clients read).
  static std::optional<Credentials> from_env();
  // As from_env(), or throws Error(ErrorKind::auth) naming FAL_KEY.
  static Credentials require_from_env();

  // "Key <key>": the value of the Authorization header.
  std::string authorization() const { return "Key " + key_; }
  // `text` with every occurrence of the key (and of its id and secret halves) replaced by "***".
  std::string redact(std::string_view text) const;

 private:
  std::string key_;
};

}  // namespace omnicut::client
