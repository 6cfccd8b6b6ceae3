#include "pipeline/cli/estimate_text.h"

#include <cstdio>

#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

std::string per_mtok(double usd) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%g per 1M tokens", usd);
  return buf;
}

std::string heading(const EstimateView& v) {
  std::string at = v.endpoint + (v.resolution.empty() ? "" : ", " + v.resolution);
  std::string text = "estimate: " + format_seconds(v.seconds) +
                     (v.segments ? " in " + std::to_string(v.segments) + " segments" : "") + " per turn at " + at + "\n";
  if (v.draft)
    text += "  the draft: " + std::to_string(v.draft->turns) + " turn(s) at " + v.draft->resolution + ", " +
            format_usd(v.draft->usd) + (v.simulated ? " (simulated)" : " spent") + "; the final chain at " +
            v.resolution + ":\n";
  return text;
}

std::string row_text(const EstimateView& v, const EstimateRow& r) {
  char line[512];
  if (v.segments)
    std::snprintf(line, sizeof line, "  turn %d  %d of %zu segments to submit  %s  %s\n", r.turn, r.segments_to_submit,
                  v.segments, format_usd(r.usd).c_str(), r.prompt.c_str());
  else if (!r.cost.resolution.empty())  // billed per second of output
    std::snprintf(line, sizeof line, "  turn %d  %-9s out %5.1f s at %-5s  %s  %s\n", r.turn, r.status.c_str(),
                  r.cost.output_seconds, r.cost.resolution.c_str(), format_usd(r.cost.usd()).c_str(), r.prompt.c_str());
  else
    std::snprintf(line, sizeof line, "  turn %d  %-9s in %6.0f tok  out %6.0f tok  %s  %s\n", r.turn, r.status.c_str(),
                  r.cost.tokens.input(), r.cost.tokens.output(), format_usd(r.cost.usd()).c_str(), r.prompt.c_str());
  return line;
}

}  // namespace

std::string rates_text(const Billing& b, const std::string& resolution) {
  if (b.kind == BillingKind::output_seconds) {
    auto price = b.usd_per_output_second.find(resolution.empty() ? b.default_resolution : resolution);
    char buf[160];
    std::snprintf(buf, sizeof buf, "$%.2f per second of output at %s, billed on the output file's length",
                  price == b.usd_per_output_second.end() ? 0.0 : price->second, price == b.usd_per_output_second.end() ? "?" : price->first.c_str());
    return buf;
  }
  return format_count(b.input_video_tokens_per_s) + " input tokens/s of video + " +
         format_count(b.input_audio_tokens_per_s) + "/s of audio at " + per_mtok(b.input_usd_per_mtok) + ", " +
         format_count(b.output_video_tokens_per_s) + " output tokens/s at " + per_mtok(b.output_usd_per_mtok);
}

std::string estimate_text(const EstimateView& v) {
  std::string text = heading(v);
  for (const auto& r : v.turns) text += row_text(v, r);
  text += "  to submit now: " + format_usd(v.usd) + (v.spent_usd > 0 ? ", already spent: " + format_usd(v.spent_usd) : "") +
          (v.simulated ? "  (local emulator: simulated, nothing billed)" : "") + "\n";
  text += "  (" + rates_text(v.billing, v.resolution) + "; turn k reads turn k-1's output)\n";
  return text;
}

}  // namespace omnicut::cli
