// fal's request history (a Platform API route, ../shared/docs/fal-platform-apis.md §8.2):
// GET {api}/v1/models/requests/by-endpoint, paged with its cursor. An ordinary API key may call
// it. It is how a submit whose answer was lost is found again (pipeline/edit/turn_recovery.h): fal has
// no idempotency key on queue submit. Not being listed proves nothing: rows appear late, and a
// request still waiting in the queue may not be listed before it starts.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/fal.h"

namespace omnicut::client {

struct HistoryItem {
  std::string request_id;
  std::string endpoint_id;
  std::string sent_at;              // ISO 8601, as fal wrote it
  std::string started_at;
  std::string ended_at;             // "" while running
  std::optional<int> status_code;   // none while running
  nlohmann::json json_input;        // null unless payloads were asked for (and stored by fal)
  nlohmann::json json_output;
};

struct ListOptions {
  std::string request_id;           // only this request (fal then looks back 90 days by default)
  bool payloads = true;             // expand=payloads: json_input and json_output
  int page_size = 100;              // fal's maximum
  int max_pages = 50;               // stop paging after this many (the listing says so)
};

struct Listing {
  std::vector<HistoryItem> items;
  int pages = 0;
  bool truncated = false;           // max_pages reached with more to come
};

// Every request to `endpoint_id` sent since `since`, page after page. Throws Error(auth) naming
// fal's request history for 401/403 (the key may not list), else the usual client errors
// (client/errors.h), with the Platform API's {"error":{"type","message"}} in one line.
Listing list_requests(const Fal& fal, const std::string& endpoint_id, std::chrono::system_clock::time_point since,
                      const ListOptions& options = {});

}  // namespace omnicut::client
