// `omnicut report SESSION`, and what `edit` writes beside OUT (OUT.report.html): one page per
// session, made from its ledger. A header with the source's probe and what prep did, the total
// cost and the final's A/V check; plots of cost per turn (estimated vs billed) and time per turn
// (queue, run, download); then a strip per step aligned in time (the source as prepped, each
// turn, the final: contact sheet, poster, and a <video> of the source and the final), the draft
// chain and the final chain labelled. Pictures go in a folder beside the page (OUT.report/),
// links are relative, nothing is fetched and no script runs.
#pragma once
#include <map>
#include <string>

#include "pipeline/edit/ledger.h"

namespace omnicut {

struct SessionReportRequest {
  std::string ledger;                   // the ledger's path, shown on the page
  std::string html;                     // where the page goes
  std::map<int, std::string> turn_media;  // final chain: turn -> a local copy of its result, where there is one
};

// OUT.report.html
std::string default_report_path(const std::string& out);
// The pictures' folder beside the page: "x.report.html" -> "x.report/".
std::string report_folder(const std::string& html);

// Throws Error(output) when the page cannot be written; pictures that cannot be made are said
// so on the page instead.
void write_session_report(const Session& session, const SessionReportRequest& request);

}  // namespace omnicut
