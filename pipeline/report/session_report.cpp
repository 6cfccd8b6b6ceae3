#include "pipeline/report/session_report.h"

#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "pipeline/report/html.h"
#include "pipeline/report/pictures.h"
#include "pipeline/support/format.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

using html::escape;

struct Page {
  const Session& s;
  const SessionReportRequest& r;
  std::string folder;

  std::string link(const std::string& path) const { return html::href(path, r.html); }

  std::string row(const std::string& name, const std::string& value_html) const {
    return "<dt>" + escape(name) + "</dt><dd>" + value_html + "</dd>";
  }

  std::string header() const {
    std::string dl = row("source", escape(s.source.path) + " (" + escape(format_seconds(s.source.duration)) +
                                       (s.source.has_audio ? ", with audio" : ", no audio") + ")");
    std::string prep = std::to_string(s.prep.width) + "x" + std::to_string(s.prep.height) + ", " +
                       format_seconds(s.prep.duration) + " from " + format_seconds(s.prep.start) +
                       (s.prep.path.empty() ? "" : ", " + s.prep.path + ": " + s.prep.reason);
    for (const auto& a : s.prep.actions) prep += "; " + a;
    dl += row("prepped", escape(prep));
    dl += row("endpoint", escape(s.endpoint) + (s.options.resolution.empty() ? "" : " at " + escape(s.options.resolution)));
    dl += row("server", escape(s.server) + (s.local ? " (local emulator: simulated, nothing billed)" : ""));
    dl += row("total", escape(total_cost_text(s)) + (s.local ? " (simulated)" : ""));
    if (s.final_output)
      dl += row("final", escape(s.final_output->path) + "<br>" + escape(av_check(s.final_output->remux)) +
                           (s.final_output->sync ? "<br>" + escape(sync_text(*s.final_output)) : ""));
    dl += row("ledger", escape(r.ledger));
    return "<header><h1>" + escape(fs::path(s.output).filename().string()) + "</h1><dl>" + dl + "</dl></header>";
  }

  static std::string sync_text(const FinalRecord& f) {
    return "picture against the source: " + describe(*f.sync) +
           (f.remux.audio_timing.identity() ? "" : "; the source's audio was laid to the picture");
  }

  static std::string av_check(const RemuxResult& m) {
    std::string text = "audio " + m.audio_mode + (m.audio_reason.empty() ? "" : " (" + m.audio_reason + ")") +
                       "; the edited video is " + format_seconds(m.video_duration) + " for a range of " +
                       format_seconds(m.range_duration);
    char buf[96];
    std::snprintf(buf, sizeof buf, " (%+.0f ms)", m.duration_difference * 1000);
    text += buf;
    if (m.audio_padded > 0) text += "; " + format_seconds(m.audio_padded) + " of silence added";
    if (m.audio_trimmed > 0) text += "; " + format_seconds(m.audio_trimmed) + " of audio dropped";
    for (const auto& n : m.notices) text += "; " + n;
    return text;
  }

  // Both chains' turns, in order: the draft's ("D1"...) then the final's ("T1"...).
  std::vector<std::pair<std::string, const TurnRecord*>> all_turns() const {
    std::vector<std::pair<std::string, const TurnRecord*>> all;
    if (s.draft)
      for (const auto& t : s.draft->turns) all.push_back({"D" + std::to_string(t.turn), &t});
    for (const auto& t : s.turns) all.push_back({"T" + std::to_string(t.turn), &t});
    return all;
  }

  static std::string usd(double v) { return format_usd(v); }
  static std::string secs(double v) { return format_seconds(v); }

  std::string plots() const {
    std::vector<std::string> labels;
    html::Series est{"estimated", "#9ab", {}}, billed{"billed", "#36c", {}};
    html::Series queue{"queue", "#cb3", {}}, run{"run", "#4a7", {}}, down{"download", "#36c", {}};
    for (const auto& [label, t] : all_turns()) {
      labels.push_back(label);
      est.values.push_back(t->estimated_usd);
      billed.values.push_back(t->cost_source.empty() || !t->cost_usd ? NAN : *t->cost_usd);
      queue.values.push_back(t->timings.queue_s);
      run.values.push_back(std::max(0.0, t->timings.run_s - t->timings.queue_s));
      down.values.push_back(t->timings.download_s);
    }
    return "<section class=\"plots\">" + html::bar_chart("cost per turn", labels, {est, billed}, &usd) +
           html::bar_chart("time per turn", labels, {queue, run, down}, &secs) + "</section>";
  }

  std::string pictures(const std::string& media, std::optional<double> start, std::optional<double> end,
                       const std::string& name, bool video, const std::string& fragment = "") const {
    std::string why;
    auto p = step_pictures(media, start, end, folder, name, why);
    std::string out = "<div class=\"pics\">";
    if (p)
      out += "<img class=\"poster\" src=\"" + link(p->poster) + "\" alt=\"" + escape(name) + ": poster frame\">" +
             "<img class=\"sheet\" src=\"" + link(p->sheet) + "\" alt=\"" + escape(name) + ": frames across the clip\">";
    else
      out += html::element("p", "pictures: " + why, "class=\"none\"");
    std::error_code ec;
    if (video && fs::is_regular_file(media, ec))
      out += "<video controls preload=\"metadata\" src=\"" + link(media) + fragment + "\"></video>";
    return out + "</div>";
  }

  std::string source_step() const {
    char range[64];
    std::snprintf(range, sizeof range, "#t=%.3f,%.3f", s.prep.start, s.prep.end);
    return "<article class=\"step completed\"><h3>Source, as prepped (what the model saw)</h3>" +
           pictures(s.source.path, s.prep.start, s.prep.end, "source", true, range) + "</article>";
  }

  std::string turn_step(const TurnRecord& t, const std::string& name, const std::string& media) const {
    std::string rows;
    auto add = [&](const std::string& k, const std::string& v) {
      if (!v.empty()) rows += "<tr><th>" + escape(k) + "</th><td>" + escape(v) + "</td></tr>";
    };
    add("endpoint", t.endpoint + (t.resolution.empty() ? "" : " at " + t.resolution));
    add("request", t.request_id);
    add("status", t.status + (t.inherited_from.empty() ? "" : " (inherited from " + t.inherited_from + ")"));
    add("estimated", format_usd(t.estimated_usd));
    add("cost", t.cost_source.empty() ? "" : cost_text(t));
    add("sync", t.sync ? describe(*t.sync) : "");
    if (t.timings.run_s > 0)
      add("times", "queue " + format_seconds(t.timings.queue_s) + ", run " + format_seconds(t.timings.run_s) + ", download " +
                       format_seconds(t.timings.download_s));
    std::string body = "<p class=\"prompt\">" + escape(t.prompt) + "</p>";
    if (!t.error.empty()) body += html::element("p", t.error, "class=\"err\"");
    if (t.status == turn_status::completed) body += pictures(media, std::nullopt, std::nullopt, name, false);
    return "<article class=\"step " + escape(t.status) + "\"><h3>" + escape("Turn " + std::to_string(t.turn) + " · " + t.status) +
           "</h3>" + body + "<table>" + rows + "</table></article>";
  }

  std::string final_step(const FinalRecord& f, const std::string& name, const std::string& title) const {
    return "<article class=\"step completed\"><h3>" + escape(title) + "</h3>" + html::element("p", f.path) +
           pictures(f.path, std::nullopt, std::nullopt, name, true) + "</article>";
  }

  std::string chain(const std::vector<TurnRecord>& turns, const std::optional<FinalRecord>& final, const std::string& title,
                    const std::string& prefix, bool current) const {
    std::string out = html::element("h2", title);
    for (const auto& t : turns) {
      std::string media = t.local_path;
      if (current)
        if (auto it = r.turn_media.find(t.turn); it != r.turn_media.end()) media = it->second;
      out += turn_step(t, prefix + "turn" + std::to_string(t.turn), media);
    }
    if (final) out += final_step(*final, prefix + "final", "Final: the last turn with the source's audio");
    return out;
  }

  std::string body() const {
    std::string b = header() + plots() + "<section>" + html::element("h2", "Source") + source_step() + "</section>";
    if (s.draft)
      b += "<section>" + chain(s.draft->turns, s.draft->final_output, "Draft chain (" + s.draft->resolution + ")", "draft-", false) +
           "</section>";
    std::string title = s.draft ? "Final chain (" + s.options.resolution + ")" : "Turns";
    return b + "<section>" + chain(s.turns, s.final_output, title, "", true) + "</section>";
  }
};

}  // namespace

std::string default_report_path(const std::string& out) { return out + ".report.html"; }

std::string report_folder(const std::string& html) {
  std::string p = html;
  if (p.size() > 5 && p.compare(p.size() - 5, 5, ".html") == 0) p.erase(p.size() - 5);
  return p + (fs::path(html).extension() == ".html" ? "" : ".files");
}

void write_session_report(const Session& s, const SessionReportRequest& r) {
  Page page{s, r, report_folder(r.html)};
  write_text_file(r.html, html::page("omnicut: " + fs::path(s.output).filename().string(), page.body()), "report");
}

}  // namespace omnicut
