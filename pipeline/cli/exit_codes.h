// The documented exit codes (README "Exit codes"): one per class of failure.
#pragma once
#include "common/error.h"

namespace omnicut::cli {

enum ExitCode : int {
  kOk = 0,
  kSomeFilesFailed = 1,  // probe/estimate over several files: at least one could not be read
  kUsage = 2,
  kNotFound = 3,
  kNotMedia = 4,
  kUnsupported = 5,
  kTooLong = 6,
  kOutput = 7,
  kNetwork = 8,
  kAuth = 9,
  kRemote = 10,
  kRefused = 11,
  kInternal = 70,
  kInterrupted = 130,
};

constexpr int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage: return kUsage;
    case ErrorKind::not_found: return kNotFound;
    case ErrorKind::not_media: return kNotMedia;
    case ErrorKind::unsupported: return kUnsupported;
    case ErrorKind::too_long: return kTooLong;
    case ErrorKind::output: return kOutput;
    case ErrorKind::network: return kNetwork;
    case ErrorKind::auth: return kAuth;
    case ErrorKind::remote: return kRemote;
    case ErrorKind::refused: return kRefused;
    case ErrorKind::interrupted: return kInterrupted;
    case ErrorKind::internal: return kInternal;
  }
  return kInternal;
}

}  // namespace omnicut::cli
