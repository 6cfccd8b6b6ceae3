#include "emulator/webhook.h"

#include <chrono>
#include <thread>

#include <httplib.h>

#include "emulator/http_util.h"

namespace omnicut::emulator {

void deliver_webhook(const std::string& url, const nlohmann::json& body) {
  auto parts = parse_url(url);
  if (!parts || parts->scheme != "http" || !is_loopback_host(parts->host)) return;
  httplib::Client client(parts->host == "[::1]" ? "::1" : parts->host, parts->port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto res = client.Post(parts->path_and_query, body.dump(), "application/json");
    if (res && res->status >= 200 && res->status < 300) return;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace omnicut::emulator
