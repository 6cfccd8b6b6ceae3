// `omnicut prep DIR|FILE... -o OUTDIR [-j N]`: prep of many files, for users who only preprocess
// (no key, nothing sent). The same inputs and output layout as an edit batch
// (pipeline/batch/batch_jobs.h: OUTDIR mirrors the inputs' relative paths), `jobs` files at once;
// one file's failure is recorded and the rest go on. An output already there is left as it is.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "pipeline/batch/batch_jobs.h"
#include "pipeline/media/prep_stage.h"

namespace omnicut {

struct BatchPrepItem {
  BatchJob job;
  std::string status;            // "done", "kept" (OUT was already there), "failed"
  std::string error;
  std::optional<PrepOutcome> outcome;  // done
  double seconds = 0;
};

// `on_done` is called (from the worker threads, one at a time) as each file ends.
std::vector<BatchPrepItem> run_batch_prep(const std::vector<std::string>& inputs, const std::string& outdir,
                                          const PrepRequest& request, const Endpoint& endpoint, int jobs,
                                          const std::function<void(const BatchPrepItem&)>& on_done);

}  // namespace omnicut
