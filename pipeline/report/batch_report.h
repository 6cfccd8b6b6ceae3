// `omnicut report OUTDIR`, and what a batch writes at its end (OUTDIR/report.html): one row per
// input (the source's and the result's poster frames, status, segments, turns, estimated and
// spent, a link to the clip's own page), skipped inputs with their reason, totals. Every batch
// ledger in OUTDIR is included (the shards that ran into it).
#pragma once
#include <string>

namespace omnicut {

std::string default_batch_report_path(const std::string& outdir);  // OUTDIR/report.html
void write_batch_report(const std::string& outdir, const std::string& html);

}  // namespace omnicut
