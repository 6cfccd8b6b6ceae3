#include "pipeline/batch/batch_ledger.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

nlohmann::json clip_json(const BatchClip& c) {
  return {{"job", to_json(c.job)},
          {"ledger", c.ledger},
          {"status", c.status},
          {"reason", c.reason},
          {"split", c.split},
          {"estimate_usd", c.estimate_usd},
          {"cost_usd", c.cost_usd ? nlohmann::json(*c.cost_usd) : nlohmann::json()}};
}

BatchClip clip_from(const nlohmann::json& j) {
  BatchClip c;
  c.job = batch_job_from_json(j.at("job"));
  c.ledger = j.at("ledger").get<std::string>();
  c.status = j.value("status", clip_status::pending);
  c.reason = j.value("reason", "");
  c.split = j.value("split", false);
  c.estimate_usd = j.value("estimate_usd", 0.0);
  if (auto it = j.find("cost_usd"); it != j.end() && it->is_number()) c.cost_usd = it->get<double>();
  return c;
}

}  // namespace

std::string batch_ledger_path(const std::string& outdir, const Shard& shard) {
  std::string name = shard.all() ? "omnicut-batch.json"
                                 : "omnicut-batch.shard-" + std::to_string(shard.index) + "-of-" +
                                       std::to_string(shard.count) + ".json";
  return (fs::path(outdir) / name).string();
}

std::vector<std::string> find_batch_ledgers(const std::string& outdir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(outdir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("omnicut-batch", 0) == 0 && e.path().extension() == ".json") found.push_back(e.path().string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

nlohmann::json to_json(const BatchLedger& b) {
  nlohmann::json clips = nlohmann::json::array();
  for (const auto& c : b.clips) clips.push_back(clip_json(c));
  return {{"omnicut_batch", kBatchLedgerVersion},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at},
          {"shard", b.shard.text()},
          {"endpoint", b.endpoint},
          {"resolution", b.resolution ? nlohmann::json(*b.resolution) : nlohmann::json()},
          {"keep_rest", b.keep_rest},
          {"no_split", b.no_split},
          {"local", b.local},
          {"clips", clips}};
}

BatchLedger batch_ledger_from_json(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object() || !j.contains("omnicut_batch")) throw Error(ErrorKind::usage, path, "not an omnicut batch ledger");
  if (j["omnicut_batch"] != kBatchLedgerVersion)
    throw Error(ErrorKind::usage, path, "batch ledger format " + j["omnicut_batch"].dump() + " is not one this omnicut reads (1)");
  try {
    BatchLedger b;
    b.created_at = j.value("created_at", "");
    b.updated_at = j.value("updated_at", "");
    b.shard = parse_shard(j.value("shard", "1/1"));
    b.endpoint = j.value("endpoint", "");
    if (auto it = j.find("resolution"); it != j.end() && it->is_string()) b.resolution = it->get<std::string>();
    b.keep_rest = j.value("keep_rest", false);
    b.no_split = j.value("no_split", false);
    b.local = j.value("local", false);
    for (const auto& c : j.at("clips")) b.clips.push_back(clip_from(c));
    return b;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::usage, path, std::string("a malformed batch ledger: ") + e.what());
  }
}

void save_batch_ledger(BatchLedger& b, const std::string& path) {
  b.updated_at = now_iso8601();
  if (b.created_at.empty()) b.created_at = b.updated_at;
  write_json_file(path, to_json(b), "batch ledger");
}

BatchLedger load_batch_ledger(const std::string& path) {
  auto j = read_json_object(path, "no such batch ledger", ErrorKind::usage, "the batch ledger is not valid JSON");
  return batch_ledger_from_json(j, path);
}

}  // namespace omnicut
