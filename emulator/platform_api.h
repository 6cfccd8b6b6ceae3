// What the emulator's Platform API routes (api.fal.ai/v1/...: the request history, pricing)
// share, as fal's Platform API answers (../shared/docs/fal-platform-apis.md §8.1): its own error
// shape {"error":{"type","message"}} (not the queue's {"detail":…}), its own key check, and
// endpoint_id lists.
#pragma once
#include <set>
#include <string>

#include <httplib.h>

#include "emulator/context.h"

namespace omnicut::emulator {

// A request the route refuses, thrown by the parameter readers: 400 validation_error unless said.
struct PlatformError {
  std::string message;
  int status = 400;
  std::string type = "validation_error";
};

void send_platform_error(httplib::Response& res, const PlatformError& error);

// Answers 401 authorization_error and returns true when the emulator wants a key and the
// request has no `Authorization: Key …`.
bool refuse_without_key(const Context& ctx, const httplib::Request& req, httplib::Response& res);

// endpoint_id: required, 1-50 ids, comma-separated or repeated. Throws PlatformError.
std::set<std::string> endpoint_ids(const httplib::Request& req);

// Adds one to `counter` (a member of ctx.stats) under the stats lock.
void count(Context& ctx, int Stats::*counter);

}  // namespace omnicut::emulator
