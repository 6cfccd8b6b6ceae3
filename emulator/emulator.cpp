// The server around the routes: binding to loopback, the checks every request goes through
// (slow, key, rate limit), fal's 404 body, the access log, the count of accepted connections, and
// an orderly stop.
#include "emulator/emulator.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/socket.h>
#include <thread>

#include "common/error.h"
#include "emulator/context.h"
#include "emulator/http_util.h"

namespace omnicut::emulator {

namespace fs = std::filesystem;

namespace {

// Presigned upload URLs and public file URLs need no key, like fal's CDN. The Platform API
// (/v1/...) checks its own key, to answer in its own error shape (routes_history.cpp).
bool needs_key(const std::string& path) {
  return path.rfind("/upload/", 0) != 0 && path.rfind("/files/", 0) != 0 && path.rfind("/v1/", 0) != 0;
}

bool has_key(const httplib::Request& req) {
  auto auth = req.get_header_value("Authorization");
  auto after = [&](const std::string& scheme) { return auth.rfind(scheme, 0) == 0 && auth.size() > scheme.size(); };
  return after("Key ") || after("Bearer ");
}

fs::path make_private_dir() {
  std::string tmpl = (fs::temp_directory_path() / "omnicut-emulator-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw Error(ErrorKind::output, tmpl, "cannot create the emulator's folder");
  return tmpl;
}

// httplib runs every accepted connection as one task of its queue, so counting the tasks counts
// the connections (the figure a client's connection reuse is measured by).
class CountingPool : public httplib::ThreadPool {
 public:
  CountingPool(size_t threads, std::atomic<int>& accepted) : ThreadPool(threads), accepted_(accepted) {}
  void enqueue(std::function<void()> fn) override {
    ++accepted_;
    ThreadPool::enqueue(std::move(fn));
  }

 private:
  std::atomic<int>& accepted_;
};

}  // namespace

struct Emulator::Impl {
  Options options;
  fs::path work_dir;
  bool own_work_dir = false;
  httplib::Server server;
  std::thread listener;
  int port = 0;
  std::unique_ptr<Context> ctx;
  std::mutex log_mutex;
  std::atomic<int> connections{0};

  void bind();
  void install_checks();
  void install_access_log();
};

void Emulator::Impl::bind() {
  // httplib's default adds SO_REUSEPORT, which lets a second emulator share a busy port
  // silently; SO_REUSEADDR alone still allows a quick restart on the same port.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  if (options.port == 0) {
    port = server.bind_to_any_port(options.host);
  } else {
    port = server.bind_to_port(options.host, options.port) ? options.port : -1;
  }
  if (port <= 0)
    throw Error(ErrorKind::network, options.host + ":" + std::to_string(options.port),
                "cannot listen (is the port in use?)");
}

void Emulator::Impl::install_checks() {
  Context& c = *ctx;
  server.set_pre_routing_handler([&c](const httplib::Request& req, httplib::Response& res) {
    if (int ms = c.faults.slow_ms()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (!needs_key(req.path)) return httplib::Server::HandlerResponse::Unhandled;
    if (c.options.require_key && !has_key(req)) {
      send_detail(res, 401, req.has_header("Authorization") ? "Invalid authorization header: expected 'Key <key>'"
                                                            : "Authorization header is required");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (c.faults.take_rate_limit()) {
      {
        std::lock_guard lock(c.stats_mutex);
        ++c.stats.rate_limited;
      }
      res.set_header("Retry-After", "1");
      send_detail(res, 429, "Rate limit exceeded: retry after 1 second");
      return httplib::Server::HandlerResponse::Handled;
    }
    return answer_bodiless(c, req, res) ? httplib::Server::HandlerResponse::Handled
                                        : httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib calls this for every answer >= 400; only the ones without a body need fal's.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) send_detail(res, 404, "Path " + req.path + " not found");
        else send_detail(res, res.status, "HTTP " + std::to_string(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_detail(res, 500, "Internal Server Error");
  });
}

void Emulator::Impl::install_access_log() {
  if (!options.access_log) return;
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    std::lock_guard lock(log_mutex);
    std::printf("%s %s %d\n", req.method.c_str(), req.path.c_str(), res.status);
    std::fflush(stdout);
  });
}

Emulator::Emulator(Options options) : impl_(std::make_unique<Impl>()) { impl_->options = std::move(options); }

Emulator::~Emulator() {
  try {
    stop();
  } catch (...) {
  }
}

void Emulator::start() {
  if (impl_->ctx) return;
  Impl& m = *impl_;
  m.own_work_dir = m.options.storage_dir.empty();
  m.work_dir = m.own_work_dir ? make_private_dir() : fs::path(m.options.storage_dir);
  m.bind();
  m.ctx = std::make_unique<Context>(m.options, m.work_dir, "http://" + m.options.host + ":" + std::to_string(m.port));
  Context& c = *m.ctx;
  c.faults.set(m.options.faults);
  c.jobs = std::make_unique<JobQueue>([&c](const JobInput& job, const LogFn& log) { return run_edit(c, job, log); },
                                      c.faults, c.base_url);
  // Status streams hold a thread each; leave room for them beside uploads and polls.
  m.server.new_task_queue = [&m] { return new CountingPool(32, m.connections); };
  // nginx's default, as in front of fal: httplib's own (5) would cut a polling client's
  // connection every fifth request.
  m.server.set_keep_alive_max_count(1000);
  m.install_checks();
  m.install_access_log();
  add_storage_routes(m.server, c);
  add_file_routes(m.server, c);
  add_history_routes(m.server, c);
  add_pricing_routes(m.server, c);
  add_queue_routes(m.server, c);
  m.listener = std::thread([&m] { m.server.listen_after_bind(); });
  while (!m.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Emulator::stop() {
  Impl& m = *impl_;
  if (!m.ctx) return;
  m.ctx->stopping = true;
  m.server.stop();
  if (m.listener.joinable()) m.listener.join();
  m.ctx->jobs->stop();
  m.ctx.reset();
  if (m.own_work_dir) {
    std::error_code ec;
    fs::remove_all(m.work_dir, ec);
  }
}

int Emulator::port() const { return impl_->port; }

std::string Emulator::url() const { return "http://" + impl_->options.host + ":" + std::to_string(impl_->port); }

Stats Emulator::stats() const {
  if (!impl_->ctx) return {};
  std::lock_guard lock(impl_->ctx->stats_mutex);
  Stats s = impl_->ctx->stats;
  s.uploads = impl_->ctx->storage.completed_uploads();
  s.connections = impl_->connections;
  return s;
}

void Emulator::set_faults(const Faults& faults) {
  impl_->options.faults = faults;
  if (impl_->ctx) impl_->ctx->faults.set(faults);
}

}  // namespace omnicut::emulator
