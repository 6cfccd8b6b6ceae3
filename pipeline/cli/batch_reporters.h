// The printers of a batch's events (pipeline/batch/batch_events.h). On a terminal: the plan as a
// table, then one line per clip in flight (its stage, progress or place in fal's queue) under a
// batch bar (clips done, failed, spent), redrawn in place on stderr, and a summary table. Piped or
// with --json: JSON lines ("batch_plan", every clip's session events carrying "clip" and "input",
// "clip_done", "batch_result"). A plain log: the plan, one line per finished clip, the summary.
#pragma once
#include <memory>

#include "pipeline/batch/batch_events.h"
#include "pipeline/cli/reporters.h"

namespace omnicut::cli {

std::unique_ptr<BatchEvents> make_batch_reporter(ReportMode mode, bool assume_yes);

// The summary as a table: one row per clip with its status, cost and output (or reason), and totals.
std::string batch_summary_text(const BatchSummaryView& summary);
nlohmann::json batch_clip_json(size_t index, const BatchClip& clip);

}  // namespace omnicut::cli
