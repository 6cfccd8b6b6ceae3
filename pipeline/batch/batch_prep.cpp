#include "pipeline/batch/batch_prep.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/error.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

void prep_one(BatchPrepItem& item, const PrepRequest& request, const Endpoint& endpoint) {
  const auto began = std::chrono::steady_clock::now();
  std::error_code ec;
  if (fs::exists(item.job.output, ec)) {
    item.status = "kept";
    return;
  }
  try {
    fs::create_directories(fs::path(item.job.output).parent_path());
    item.outcome = run_prep(item.job.input, item.job.output, request, endpoint);
    item.status = "done";
  } catch (const Error& e) {
    item.status = "failed";
    item.error = e.what();
  }
  item.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
}

}  // namespace

std::vector<BatchPrepItem> run_batch_prep(const std::vector<std::string>& inputs, const std::string& outdir,
                                          const PrepRequest& request, const Endpoint& endpoint, int jobs,
                                          const std::function<void(const BatchPrepItem&)>& on_done) {
  std::vector<BatchPrepItem> items;
  for (auto& job : jobs_from_inputs(inputs, outdir, {})) items.push_back({job, "", "", std::nullopt, 0});
  if (items.empty()) throw Error(ErrorKind::not_found, inputs.front(), "no media files found");
  std::atomic<size_t> next{0};
  std::mutex report;
  auto worker = [&] {
    for (size_t i; (i = next++) < items.size();) {
      prep_one(items[i], request, endpoint);
      std::lock_guard lock(report);
      if (on_done) on_done(items[i]);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min<int>(jobs, static_cast<int>(items.size())); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return items;
}

}  // namespace omnicut
