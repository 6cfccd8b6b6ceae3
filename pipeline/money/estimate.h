// `estimate`: what editing files would cost, before anything is sent. Per file: the seconds that
// prep would send (the whole file, the --start/--end range, or, when longer than the endpoint
// allows, every second split into K segments), tokens per second and in total, the price of one
// turn and of N turns (turn k reads turn k-1's output), and a total for the batch. Reads headers
// only (codecs/header_probe.h): thousands of files in a second or two.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "codecs/media_info.h"
#include "common/error.h"
#include "pipeline/money/cost_model.h"
#include "model/endpoints.h"

namespace omnicut {

struct EstimateRequest {
  const Endpoint* endpoint = nullptr;     // nullptr: the default endpoint
  Billing billing;                        // usually endpoint->billing, or a --pricing override
  std::string resolution;                 // output resolution priced ("": the endpoint's default)
  std::vector<std::string> prompts;       // one per turn; empty text when none was given
  std::optional<double> start, end;       // the range prep would cut (seconds)
  bool split = true;                      // over the limit: price the split (else the trimmed limit)
};

// How the file's range becomes what is sent.
enum class SendPlan { whole, trimmed, split, too_short };

struct FileEstimate {
  std::string path;
  std::string error;                      // non-empty: the file could not be read (nothing priced)
  ErrorKind error_kind = ErrorKind::internal;
  double duration = 0;                    // the source's
  double sent_seconds = 0;                // after prep, all segments together
  int segments = 1;
  double segment_seconds = 0;
  SendPlan plan = SendPlan::whole;
  bool has_audio = false;                 // the source's (turn 1 input)
  double input_tokens_per_s = 0;          // turn 1: video + audio (text aside); 0 when billed per second
  double output_tokens_per_s = 0;
  std::string resolution;                 // the output resolution priced
  double usd_per_output_second = 0;       // endpoints billed per output second, else 0
  TurnCost first_turn;                    // all segments, turn 1
  SessionCost turns;                      // all segments, per turn
  std::string note;                       // "split into 4 segments of 8.55 s", "trimmed to 10 s"...
  bool ok() const { return error.empty(); }
};

struct BatchEstimate {
  std::vector<FileEstimate> files;
  int turns = 1;
  double sent_seconds() const;
  double usd() const;
  int failed() const;
};

EstimateRequest default_estimate_request(int turns, const std::string& prompt);
// One prompt per turn for `turns` turns (at least one per prompt given): the prompts in order, the
// last repeated; empty texts when none was given. Throws Error(usage, turns_subject) below 1 turn.
std::vector<std::string> prompts_per_turn(int turns, const std::vector<std::string>& prompts,
                                          const std::string& turns_subject);

FileEstimate estimate_media(const MediaInfo& info, const EstimateRequest& request);
FileEstimate estimate_file(const std::string& path, const EstimateRequest& request);
// Files as given, and the media files found (recursively, sorted) in any folder among them.
std::vector<std::string> expand_media_paths(const std::vector<std::string>& args);
BatchEstimate estimate_paths(const std::vector<std::string>& args, const EstimateRequest& request);

// The assumptions behind the figures, in words (printed with every estimate).
std::vector<std::string> estimate_assumptions(const EstimateRequest& request);

// The same job priced on every endpoint and output resolution of the table (--compare): one row
// per (endpoint, resolution), and for endpoints that take a resolution one per draft -> final
// (the chain at the lowest resolution, then again at a higher one: `edit --draft`/`--final`),
// cheapest first. `request`'s own endpoint keeps its billing (a
// --pricing override); the others use the table's.
struct CompareRow {
  std::string endpoint;
  std::string resolution;
  double usd_per_turn = 0;                // every file, turn 1
  double usd = 0;                         // every file, every turn
  bool chosen = false;                    // the request's own endpoint and resolution
};
std::vector<CompareRow> compare_endpoints(const std::vector<std::string>& args, const EstimateRequest& request);
nlohmann::json to_json(const CompareRow& row);
const char* send_plan_name(SendPlan plan);  // "whole", "trimmed", "split", "too_short"

nlohmann::json to_json(const FileEstimate& e);
nlohmann::json to_json(const BatchEstimate& b, const EstimateRequest& request);

}  // namespace omnicut
