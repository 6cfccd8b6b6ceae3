#include "emulator/platform_api.h"

#include <algorithm>

#include "emulator/http_util.h"

namespace omnicut::emulator {

void send_platform_error(httplib::Response& res, const PlatformError& error) {
  send_json(res, error.status, {{"error", {{"type", error.type}, {"message", error.message}}}});
}

bool refuse_without_key(const Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto auth = req.get_header_value("Authorization");
  if (!ctx.options.require_key || (auth.rfind("Key ", 0) == 0 && auth.size() > 4)) return false;
  send_platform_error(res, {"Missing or invalid API key: expected 'Key <key>'", 401, "authorization_error"});
  return true;
}

std::set<std::string> endpoint_ids(const httplib::Request& req) {
  std::set<std::string> ids;
  for (size_t i = 0; i < req.get_param_value_count("endpoint_id"); ++i) {
    std::string list = req.get_param_value("endpoint_id", i);
    for (size_t begin = 0; begin <= list.size();) {
      size_t end = std::min(list.find(',', begin), list.size());
      if (end > begin) ids.insert(list.substr(begin, end - begin));
      begin = end + 1;
    }
  }
  if (ids.empty()) throw PlatformError{"endpoint_id: field required"};
  if (ids.size() > 50) throw PlatformError{"endpoint_id: at most 50 endpoint ids"};
  return ids;
}

void count(Context& ctx, int Stats::*counter) {
  std::lock_guard lock(ctx.stats_mutex);
  ++(ctx.stats.*counter);
}

}  // namespace omnicut::emulator
