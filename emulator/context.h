// The state one running emulator shares between its routes and its worker.
#pragma once
#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <httplib.h>

#include "emulator/emulator.h"
#include "emulator/faults.h"
#include "emulator/jobs.h"
#include "emulator/storage.h"

namespace omnicut::emulator {

struct Context {
  Context(Options opts, std::filesystem::path work, std::string base)
      : options(std::move(opts)), work_dir(std::move(work)), base_url(std::move(base)), storage(work_dir / "storage") {}

  Options options;
  std::filesystem::path work_dir;  // storage/ and jobs/ live here
  std::string base_url;            // "http://127.0.0.1:PORT"
  Storage storage;
  FaultState faults;
  std::unique_ptr<JobQueue> jobs;
  std::atomic<bool> stopping{false};

  mutable std::mutex stats_mutex;
  Stats stats;                     // submissions and video_urls; uploads comes from storage
};

// Each adds its routes to the server; see the files of the same names.
void add_storage_routes(httplib::Server& server, Context& ctx);
void add_file_routes(httplib::Server& server, Context& ctx);
void add_queue_routes(httplib::Server& server, Context& ctx);
// Before the queue routes: /v1/models/requests/by-endpoint would otherwise match a result GET.
void add_history_routes(httplib::Server& server, Context& ctx);
void add_pricing_routes(httplib::Server& server, Context& ctx);
// httplib refuses a PUT or POST that has neither Content-Length nor chunked encoding before any
// route sees it, but clients (libcurl's custom PUT) send a cancel that way; answered up front.
bool answer_bodiless(Context& ctx, const httplib::Request& req, httplib::Response& res);

// The model behind every endpoint of the table: fetch video_url, edit it, store the result.
JobOutput run_edit(Context& ctx, const JobInput& job, const LogFn& log);

}  // namespace omnicut::emulator
