// Estimate: what editing files would cost on an endpoint, before anything is sent, from their
// headers only (thousands of files in a second or two). Part of omnicut's public API.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "omnicut/error.h"

namespace omnicut::api {

struct EstimateOptions {
  int turns = 1;                   // edit turns; each reads the previous turn's output
  std::vector<std::string> prompts;  // counted as input tokens: one per turn, the last repeated
  std::string endpoint;            // "" for the default endpoint
  std::string resolution;          // output resolution priced, on endpoints that take one ("": the default)
  std::optional<double> start, end;  // the range prep would cut, seconds
  bool split = true;               // footage over the endpoint's limit: price the split, else the trim to it
};

struct FileEstimate {
  std::string path;
  std::string error;               // not empty: the file could not be read, and nothing was priced
  ErrorKind error_kind = ErrorKind::internal;  // why, when `error` is set
  double duration = 0;             // the source's, seconds
  double sent_seconds = 0;         // what prep would send, all segments together
  int segments = 1;
  double usd_first_turn = 0;       // all segments, turn 1
  double usd = 0;                  // all segments, every turn
  std::string note;                // "split into 4 segments of 8.55 s", "trimmed to 10 s", ...
  bool ok() const { return error.empty(); }
};

struct Estimate {
  std::vector<FileEstimate> files;
  int turns = 1;
  double usd = 0;                  // every readable file, every turn
  double sent_seconds = 0;
  std::vector<std::string> assumptions;  // what the figures assume, in words
};

// Prices the files in `paths`, and every media file found (recursively) in folders among them.
// A file that cannot be read is reported in its FileEstimate, not thrown.
// Throws omnicut::Error: ErrorKind::usage for turns below 1, an unknown endpoint or a resolution
// it does not render; ErrorKind::not_found when `paths` holds no media file at all.
Estimate estimate(const std::vector<std::string>& paths, const EstimateOptions& options = {});

}  // namespace omnicut::api
