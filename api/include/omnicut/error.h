// One error type for the whole program and for programs that embed it (the public API throws
// nothing else on purpose). Each kind maps to one documented exit code of the `omnicut` tool (see
// pipeline/cli/exit_codes.h and the README), so a script can tell a bad file from a bad key.
#pragma once
#include <stdexcept>
#include <string>
#include <system_error>

namespace omnicut {

enum class ErrorKind {
  usage,        // bad arguments
  not_found,    // the input is missing, a directory, or unreadable
  not_media,    // empty, text, random bytes, truncated or corrupt container
  unsupported,  // readable media the endpoint or this FFmpeg cannot use (no video, absurd size...)
  too_long,     // longer than the endpoint allows and the user gave no trim or split
  output,       // the output cannot be written
  network,      // connection, TLS, timeout, or a server error that outlived the retries
  auth,         // missing or rejected FAL_KEY
  remote,       // the endpoint refused the input (422) or the job failed
  refused,      // over budget, or not confirmed
  interrupted,  // Ctrl-C
  internal,     // a bug: an FFmpeg call failed where it should not
};

// what() is the whole one-line message, already naming the file and the cause. cause() keeps the
// library's own code where there is one (an AVERROR in codecs/' "ffmpeg" category, a CURLcode or
// HTTP status in client/'s), so a caller can tell ENOMEM from bad data without parsing the text.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Error(ErrorKind kind, const std::string& subject, const std::string& what, std::error_code cause = {})
      : std::runtime_error(subject + ": " + what), kind_(kind), cause_(cause) {}
  ErrorKind kind() const { return kind_; }
  const std::error_code& cause() const { return cause_; }

 private:
  ErrorKind kind_;
  std::error_code cause_;
};

}  // namespace omnicut
