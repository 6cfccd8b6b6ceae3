// estimate(): the public face of pipeline/money/estimate.h, the request built as `omnicut estimate` builds it.
#include "omnicut/estimate.h"

#include "api/endpoint_choice.h"
#include "pipeline/money/estimate.h"

namespace omnicut::api {
namespace {

EstimateRequest request_of(const EstimateOptions& o) {
  EstimateRequest r;
  r.prompts = prompts_per_turn(o.turns, o.prompts, "turns");
  r.endpoint = &endpoint_named(o.endpoint);
  r.billing = r.endpoint->billing;
  r.resolution = resolve_resolution(*r.endpoint, o.resolution.empty() ? std::nullopt : std::optional(o.resolution));
  r.start = o.start, r.end = o.end;
  r.split = o.split;
  return r;
}

FileEstimate file_of(const omnicut::FileEstimate& f) {
  FileEstimate e;
  e.path = f.path;
  e.error = f.error;
  e.error_kind = f.error_kind;
  e.duration = f.duration;
  e.sent_seconds = f.sent_seconds;
  e.segments = f.segments;
  e.usd_first_turn = f.first_turn.usd();
  e.usd = f.turns.usd();
  e.note = f.note;
  return e;
}

}  // namespace

Estimate estimate(const std::vector<std::string>& paths, const EstimateOptions& options) {
  const EstimateRequest request = request_of(options);
  BatchEstimate b = estimate_paths(paths, request);
  if (b.files.empty()) throw Error(ErrorKind::not_found, paths.empty() ? "estimate" : paths.front(), "no media files found");
  Estimate e;
  for (const auto& f : b.files) e.files.push_back(file_of(f));
  e.turns = b.turns;
  e.usd = b.usd();
  e.sent_seconds = b.sent_seconds();
  e.assumptions = estimate_assumptions(request);
  return e;
}

}  // namespace omnicut::api
