// What a batch tells whoever runs it. The plan (every clip, what it would cost or why it is
// skipped) comes first, with the one question before money is spent; then each clip's session
// reports through its own EditEvents (clips run on several threads: whatever prints them
// serialises them); each clip's end; the summary.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "pipeline/batch/batch_ledger.h"
#include "pipeline/edit/events.h"

namespace omnicut {

struct BatchPlanView {
  std::string ledger;
  std::vector<BatchClip> clips;   // status pending (to run), done (nothing to do) or skipped (reason)
  double usd = 0;                 // what this run would submit
  double spent_usd = 0;           // what the clips' sessions have cost so far
  bool simulated = false;
  int remote_jobs = 0, local_jobs = 0;
};

struct BatchSummaryView {
  std::string ledger;
  std::vector<BatchClip> clips;
  double cost_usd = 0;            // every clip's session, where known
  int unknown_cost_clips = 0;
  bool simulated = false;
  double seconds = 0;             // wall time of this run
  std::string report;             // OUTDIR/report.html, when written
  std::string report_error;       // why it was not
};

class BatchEvents {
 public:
  virtual ~BatchEvents() = default;
  virtual void plan(const BatchPlanView& plan) = 0;
  virtual Consent confirm(const std::string& question) = 0;
  // The events of clip `index` (`name`: its path under OUTDIR). Its session asks nothing: the
  // batch asked once.
  virtual std::unique_ptr<EditEvents> clip(size_t index, const std::string& name) = 0;
  virtual void clip_done(size_t index, const BatchClip& clip) = 0;
  virtual void summary(const BatchSummaryView& summary) = 0;
};

}  // namespace omnicut
