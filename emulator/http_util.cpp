#include "emulator/http_util.h"

#include <arpa/inet.h>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <regex>
#include <sys/socket.h>

namespace omnicut::emulator {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  // Answers quote the request's path and fields, which need not be UTF-8: json's dump would throw
  // from httplib's error handler (outside its exception handler) and end the whole emulator.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void send_detail(httplib::Response& res, int status, const std::string& detail) {
  send_json(res, status, {{"detail", detail}});
}

nlohmann::json validation_detail(const std::string& field, const std::string& msg, const std::string& type) {
  nlohmann::json loc = nlohmann::json::array({"body"});
  if (!field.empty()) loc.push_back(field);
  return {{"detail", nlohmann::json::array({{{"loc", loc}, {"msg", msg}, {"type", type}}})}};
}

std::string random_hex(int bytes) {
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::lock_guard lock(mutex);
  std::string out;
  for (int i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xff);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string new_request_id() {
  std::string h = random_hex(16);
  h[12] = '4';
  h[16] = "89ab"[h[16] % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

std::string iso_timestamp_now() {
  auto now = std::chrono::system_clock::now();
  auto t = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%06lld+00:00", buf, static_cast<long long>(us));
  return out;
}

std::optional<UrlParts> parse_url(const std::string& url) {
  static const std::regex re(R"(^(https?)://(\[[^\]]+\]|[^/:?#]+)(?::(\d{1,5}))?([/?].*)?$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, re)) return std::nullopt;
  UrlParts p;
  p.scheme = m[1].str();
  for (auto& c : p.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  p.host = m[2].str();
  p.port = m[3].matched ? std::stoi(m[3].str()) : (p.scheme == "https" ? 443 : 80);
  p.path_and_query = m[4].matched ? m[4].str() : "/";
  if (p.path_and_query[0] == '?') p.path_and_query = "/" + p.path_and_query;
  return p;
}

bool is_loopback_host(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

namespace {

int port_of(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
  if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
  return -1;
}

bool socket_matches(int fd, int remote_port, int local_port) {
  sockaddr_storage peer{}, local{};
  socklen_t peer_len = sizeof peer, local_len = sizeof local;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return false;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return false;
  return port_of(peer) == remote_port && port_of(local) == local_port;
}

}  // namespace

bool drop_connection(const httplib::Request& req) {
  // httplib does not hand the socket to handlers; the (remote, local) port pair names it, and
  // shutdown() (not close) leaves the descriptor to httplib, so nothing else can reuse it.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    try {
      fd = std::stoi(entry.path().filename().string());
    } catch (const std::exception&) {
      continue;
    }
    if (socket_matches(fd, req.remote_port, req.local_port)) {
      ::shutdown(fd, SHUT_RDWR);
      return true;
    }
  }
  return false;
}

bool logs_requested(const httplib::Request& req) {
  if (!req.has_param("logs")) return false;
  auto v = req.get_param_value("logs");
  return v == "1" || v == "true" || v == "True";
}

}  // namespace omnicut::emulator
