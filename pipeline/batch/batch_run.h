// `omnicut edit DIR|FILE... -o OUTDIR`: many clips as one resumable batch. One plan and estimate
// for all of them, one confirmation, then each clip runs the same edit session as a single
// `edit` (its own ledger: the lock, never billing twice and lost answers hold per clip), up to
// `remote_jobs` clips at fal at once while prep and remux of the others run on `local_jobs`
// cores. Unusable inputs are listed with their reason and skipped; one clip's failure does not
// stop the rest. The batch ledger (pipeline/batch/batch_ledger.h) makes `--resume OUTDIR` finish
// what is left without redoing what is done.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pipeline/batch/batch_events.h"
#include "pipeline/edit/edit_session.h"

namespace omnicut {

struct BatchOptions {
  std::vector<std::string> inputs;     // files and folders (a new batch)
  std::string jobs_file;               // or a jobs file
  std::string outdir;                  // -o OUTDIR (a new batch), or --resume OUTDIR
  bool resume = false;
  std::vector<std::string> prompts;    // a new batch's, or with resume: turns added to every clip
  Shard shard;
  bool no_split = false;               // a clip longer than the endpoint takes is skipped, not split
  int remote_jobs = 2;                 // clips (or --split segments) at fal at once
  int local_jobs = 0;                  // prep and remux at once; 0: the machine's cores
  std::optional<double> max_cost;      // USD for the whole batch
  bool dry_run = false;
  EditOptions edit;                    // what every clip's session shares (endpoint, resolution, timeouts...)
};

struct BatchOutcome {
  std::string ledger_path;
  BatchLedger ledger;
  double estimate_usd = 0;
  bool dry_run = false;
  bool all_done() const;               // every clip done (none failed or skipped)
};

// Throws Error(refused) for --max-cost or a refused confirmation (nothing sent), Error(usage)
// for bad options, Error(interrupted) after Ctrl-C (the ledgers saved), Error(auth) when fal
// refuses the key; a clip's own failure is recorded in the outcome instead.
BatchOutcome run_batch(const BatchOptions& options, EditContext& context, BatchEvents& events);

// `history OUTDIR`: every clip of every batch ledger there (the shards that ran into it
// included), each clip's cost read again from its own session ledger.
BatchSummaryView summarize_batch_dir(const std::string& outdir);

// Whether `path` names a batch (an OUTDIR with a batch ledger) rather than a session ledger.
bool is_batch_dir(const std::string& path);

}  // namespace omnicut
