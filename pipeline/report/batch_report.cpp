#include "pipeline/report/batch_report.h"

#include <cmath>
#include <filesystem>

#include "pipeline/batch/batch_run.h"
#include "pipeline/report/html.h"
#include "pipeline/report/pictures.h"
#include "pipeline/report/session_report.h"
#include "pipeline/support/format.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

using html::escape;

bool exists(const std::string& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// A poster of `media`: the clip's own page's where it has one, else made into the batch's folder.
std::string poster(const std::string& media, std::optional<double> start, std::optional<double> end,
                   const std::string& session_folder, const std::string& step, const std::string& folder,
                   const std::string& name, const std::string& page) {
  std::string own = (fs::path(session_folder) / (step + "-poster.png")).string();
  if (exists(own)) return "<img class=\"thumb\" src=\"" + html::href(own, page) + "\" alt=\"" + escape(step) + "\">";
  std::string why;
  auto p = step_pictures(media, start, end, folder, name + "-" + step, why);
  if (!p) return html::element("span", why, "class=\"none\"");
  return "<img class=\"thumb\" src=\"" + html::href(p->poster, page) + "\" alt=\"" + escape(step) + "\">";
}

std::string clip_row(size_t i, const BatchClip& c, const std::string& folder, const std::string& page) {
  std::string src, out, name = escape(c.job.rel), segments = "-", turns = "-";
  const std::string session_page = default_report_path(c.job.output);
  const std::string session_folder = report_folder(session_page);
  const std::string tag = "clip" + std::to_string(i);
  if (exists(c.ledger)) {
    Session s = load_session(c.ledger);
    src = poster(s.source.path, s.prep.start, s.prep.end, session_folder, "source", folder, tag, page);
    if (s.final_output) out = poster(s.final_output->path, std::nullopt, std::nullopt, session_folder, "final", folder, tag, page);
    segments = s.split ? std::to_string(s.split->segments.size()) : "1";
    turns = std::to_string(s.completed_turns()) + "/" + std::to_string(s.turns.size());
  } else if (c.status != clip_status::skipped) {
    src = poster(c.job.input, c.job.start, c.job.end, session_folder, "source", folder, tag, page);
  }
  if (exists(session_page)) name = "<a href=\"" + html::href(session_page, page) + "\">" + name + "</a>";
  std::string note = c.status == clip_status::done ? escape(c.job.output) : html::element("span", c.reason, "class=\"err\"");
  return "<tr class=\"" + escape(c.status) + "\"><td>" + src + "</td><td>" + out + "</td><td>" + name + "<br>" + note +
         "</td><td>" + escape(c.status) + "</td><td class=\"n\">" + segments + "</td><td class=\"n\">" + turns +
         "</td><td class=\"n\">" + escape(c.status == clip_status::skipped ? "-" : format_usd(c.estimate_usd)) +
         "</td><td class=\"n\">" + escape(c.cost_usd ? format_usd(*c.cost_usd) : "-") + "</td></tr>";
}

}  // namespace

std::string default_batch_report_path(const std::string& outdir) { return (fs::path(outdir) / "report.html").string(); }

void write_batch_report(const std::string& outdir, const std::string& page) {
  BatchSummaryView v = summarize_batch_dir(outdir);
  const std::string folder = report_folder(page);
  std::string rows;
  int done = 0, failed = 0, skipped = 0;
  double estimated = 0;
  std::vector<std::string> labels;
  html::Series est{"estimated", "#9ab", {}}, spent{"spent", "#36c", {}};
  for (size_t i = 0; i < v.clips.size(); ++i) {
    const BatchClip& c = v.clips[i];
    rows += clip_row(i, c, folder, page);
    done += c.status == clip_status::done, failed += c.status == clip_status::failed, skipped += c.status == clip_status::skipped;
    estimated += c.estimate_usd;
    if (c.status == clip_status::skipped) continue;
    labels.push_back(std::to_string(i + 1));
    est.values.push_back(c.estimate_usd);
    spent.values.push_back(c.cost_usd.value_or(NAN));
  }
  auto usd = [](double x) { return format_usd(x); };
  std::string totals = std::to_string(done) + " done, " + std::to_string(failed) + " failed, " + std::to_string(skipped) +
                       " skipped of " + std::to_string(v.clips.size()) + "; estimated " + format_usd(estimated) + ", " +
                       (v.simulated ? "simulated " : "spent ") + format_usd(v.cost_usd) +
                       (v.unknown_cost_clips ? " + " + std::to_string(v.unknown_cost_clips) + " clip(s) of unknown cost" : "");
  std::string body = "<header><h1>" + escape("Batch " + fs::path(outdir).filename().string()) + "</h1><dl><dt>folder</dt><dd>" +
                     escape(fs::absolute(outdir).string()) + "</dd><dt>ledgers</dt><dd>" + escape(v.ledger) +
                     "</dd><dt>total</dt><dd>" + escape(totals) + "</dd></dl></header>" + "<section class=\"plots\">" +
                     html::bar_chart("cost per clip", labels, {est, spent}, +usd) + "</section>" +
                     "<table><tr><th>source</th><th>result</th><th>clip</th><th>status</th><th>segments</th><th>turns</th>"
                     "<th>estimated</th><th>cost</th></tr>" + rows + "</table>";
  write_text_file(page, html::page("omnicut batch: " + fs::path(outdir).filename().string(), body), "report");
}

}  // namespace omnicut
