#include "pipeline/media/probe_report.h"

#include <cmath>
#include <cstdio>

#include "pipeline/support/format.h"

namespace omnicut {
namespace {

using nlohmann::json;

// Three decimals: timestamps are rounded to the millisecond anyway, and the JSON stays stable.
double rounded(double v) { return std::round(v * 1000) / 1000; }

std::string sar_text(const Rational& r) { return std::to_string(r.num) + ":" + std::to_string(r.den); }

json video_json(const VideoInfo& v) {
  return {{"index", v.index},
          {"codec", v.codec},
          {"profile", v.profile},
          {"decodable", v.decodable},
          {"width", v.width},
          {"height", v.height},
          {"sar", sar_text(v.sar)},
          {"rotation", v.rotation},
          {"mirrored", v.mirrored},
          {"display_width", v.display_width},
          {"display_height", v.display_height},
          {"fps", rounded(v.fps)},
          {"vfr", v.vfr},
          {"pix_fmt", v.pix_fmt},
          {"bit_depth", v.bit_depth},
          {"color_range", v.color_range},
          {"color_transfer", v.color_transfer},
          {"hdr", v.hdr},
          {"duration", rounded(v.duration)},
          {"start", rounded(v.start)}};
}

json audio_json(const AudioInfo& a) {
  return {{"index", a.index},         {"codec", a.codec},       {"decodable", a.decodable},
          {"sample_rate", a.sample_rate}, {"channels", a.channels}, {"layout", a.layout},
          {"language", a.language},   {"start", rounded(a.start)}, {"duration", rounded(a.duration)}};
}

template <typename... Args>
std::string line(const char* fmt, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return std::string(buf) + "\n";
}

std::string video_line(const VideoInfo& v) {
  std::string out = "  video  #" + std::to_string(v.index) + " " + v.codec;
  if (!v.profile.empty()) out += " (" + v.profile + ")";
  if (!v.decodable) out += " [no decoder]";
  out += line("  %dx%d", v.width, v.height);
  out.pop_back();
  if (!(v.sar == Rational{1, 1})) out += "  SAR " + sar_text(v.sar);
  if (v.rotation) out += "  rotated " + std::to_string(v.rotation) + "°";
  if (v.mirrored) out += "  mirrored";
  if (v.display_width != v.width || v.display_height != v.height)
    out += "  display " + std::to_string(v.display_width) + "x" + std::to_string(v.display_height);
  out += v.fps > 0 ? line("  %.4g fps%s", v.fps, v.vfr ? " VFR" : "") : std::string("  fps unknown\n");
  out.pop_back();
  out += "  " + v.pix_fmt + " " + std::to_string(v.bit_depth) + "-bit";
  if (v.color_range == "pc") out += " full range";
  if (v.color_transfer != "unknown" && !v.color_transfer.empty()) out += " " + v.color_transfer;
  if (v.hdr) out += " HDR";
  return out + "\n";
}

std::string audio_line(const AudioInfo& a) {
  std::string lang = a.language.empty() ? "" : "  [" + a.language + "]";
  return line("  audio  #%d %s%s  %d Hz %s  start %.3f s%s", a.index, a.codec.c_str(), a.decodable ? "" : " [no decoder]",
              a.sample_rate, a.layout.empty() ? (std::to_string(a.channels) + " ch").c_str() : a.layout.c_str(), a.start,
              lang.c_str());
}

}  // namespace

json probe_json(const MediaInfo& info, const PrepPlan& plan) {
  json audio = json::array();
  for (const auto& a : info.audio) audio.push_back(audio_json(a));
  return {{"path", info.path},
          {"container", info.container},
          {"size", info.size},
          {"duration", rounded(info.duration)},
          {"start", rounded(info.start)},
          {"origin", rounded(info.origin)},
          {"length", rounded(info.length)},
          {"duration_from_packets", info.duration_from_packets},
          {"video", info.video ? video_json(*info.video) : json(nullptr)},
          {"audio", audio},
          {"verdict", verdict_name(plan.verdict)},
          {"reason", plan.unusable_reason.empty() ? json(nullptr) : json(plan.unusable_reason)},
          {"actions", plan.actions}};
}

json probe_error_json(const std::string& path, const std::string& error) { return {{"path", path}, {"error", error}}; }

std::string probe_table(const MediaInfo& info, const PrepPlan& plan) {
  std::string out = info.path + "\n";
  out += line("  format %s  %s  %s%s  start %.3f s", info.container.c_str(), format_bytes(info.size).c_str(),
              format_seconds(info.duration).c_str(), info.duration_from_packets ? " (no duration in the header: measured)" : "",
              info.start);
  if (std::abs(info.origin - info.start) > 5e-4)
    out += line("  origin %.3f s (the first %s frame: time zero of every range)", info.origin, info.video ? "video" : "audio");
  out += info.video ? video_line(*info.video) : "  video  none\n";
  for (const auto& a : info.audio) out += audio_line(a);
  if (info.audio.empty()) out += "  audio  none\n";
  out += "  verdict " + verdict_name(plan.verdict) + (plan.unusable_reason.empty() ? "" : ": " + plan.unusable_reason) + "\n";
  for (const auto& a : plan.actions) out += "    - " + a + "\n";
  return out;
}

std::string probe_error_table(const std::string& path, const std::string& error) {
  return path + "\n  error  " + error + "\n";
}

}  // namespace omnicut
