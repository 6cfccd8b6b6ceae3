// The batch ledger: an index in OUTDIR of the clips one `edit` batch (or one --shard of it) runs,
// each with its job, its own session ledger (which holds the money path: lock, never twice, lost
// answers recovered) and how it ended. `edit --resume OUTDIR` reads it; `history OUTDIR` sums
// every batch ledger there (shards run on other machines into the same OUTDIR included).
// JSON: {"omnicut_batch": 1, "created_at", "updated_at", "shard": "i/n", "endpoint", "resolution" |
// null, "keep_rest", "no_split", "local", "clips": [{"job": {...}, "ledger", "status", "reason",
// "split", "estimate_usd", "cost_usd" | null}]}.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "pipeline/batch/batch_jobs.h"

namespace omnicut {

inline constexpr int kBatchLedgerVersion = 1;

namespace clip_status {
inline constexpr const char* pending = "pending";  // to run (or to finish)
inline constexpr const char* done = "done";        // OUT written
inline constexpr const char* failed = "failed";    // its run stopped with an error (its ledger says where)
inline constexpr const char* skipped = "skipped";  // unusable input, never sent
}  // namespace clip_status

struct BatchClip {
  BatchJob job;
  std::string ledger;                // the clip's session ledger
  std::string status = clip_status::pending;
  std::string reason;                // why it failed or was skipped
  bool split = false;                // longer than the endpoint takes: edited as --split
  double estimate_usd = 0;           // what the last run estimated it would send
  std::optional<double> cost_usd;    // its session's, once it ran (nullopt: unknown)
};

struct BatchLedger {
  std::string created_at, updated_at;
  Shard shard;
  std::string endpoint;
  std::optional<std::string> resolution;
  bool keep_rest = false;
  bool no_split = false;
  bool local = false;
  std::vector<BatchClip> clips;
};

// OUTDIR/omnicut-batch.json, or OUTDIR/omnicut-batch.shard-2-of-4.json for --shard 2/4.
std::string batch_ledger_path(const std::string& outdir, const Shard& shard);
// Every batch ledger in OUTDIR, sorted.
std::vector<std::string> find_batch_ledgers(const std::string& outdir);

nlohmann::json to_json(const BatchLedger& ledger);
// Throws Error(usage) naming `path` when it is not a batch ledger this omnicut reads.
BatchLedger batch_ledger_from_json(const nlohmann::json& j, const std::string& path);
void save_batch_ledger(BatchLedger& ledger, const std::string& path);  // atomic; stamps updated_at
BatchLedger load_batch_ledger(const std::string& path);

}  // namespace omnicut
