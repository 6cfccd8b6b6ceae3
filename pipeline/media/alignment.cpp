#include "pipeline/media/alignment.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <future>
#include <numeric>

#include <nlohmann/json.hpp>

namespace omnicut {

namespace {

constexpr double kStep = 0.01;       // the signals' common grid, seconds
constexpr double kMaxOffset = 1.5;   // seconds either way
constexpr double kMinMotion = 0.4;   // mean activity (0..255 a pixel) below which a clip is a still
constexpr double kScaleGain = 0.03;  // how much better a fit with a time scale must be than one without
// Lengths (edited / source) beyond the scales searched: a clip the model made longer or shorter.
constexpr double kMinLength = 0.8, kMaxLength = 1.25;

// Impulses at the frames' times (from the signal's start), blurred by a 20 ms Gaussian, then
// z-scored: the shape of the motion, not its strength (a restyle changes contrast).
std::vector<double> on_grid(const ActivitySignal& s, double length) {
  std::vector<double> g(static_cast<size_t>(length / kStep) + 1, 0.0);
  for (size_t i = 1; i < s.times.size(); ++i) {
    double t = (s.times[i] - s.start) / kStep;
    for (int k = static_cast<int>(t) - 6; k <= static_cast<int>(t) + 6; ++k)
      if (k >= 0 && k < static_cast<int>(g.size())) g[k] += s.activity[i] * std::exp(-0.5 * std::pow((k - t) * kStep / 0.02, 2));
  }
  double mean = std::accumulate(g.begin(), g.end(), 0.0) / g.size();
  double var = 0;
  for (double v : g) var += (v - mean) * (v - mean);
  double sd = std::sqrt(var / g.size());
  for (double& v : g) v = sd > 0 ? (v - mean) / sd : 0;
  return g;
}

double sample(const std::vector<double>& g, double t) {
  double x = t / kStep;
  if (x < 0 || x >= g.size() - 1) return NAN;
  size_t i = static_cast<size_t>(x);
  return g[i] + (g[i + 1] - g[i]) * (x - i);
}

// Pearson correlation of source(t) with edited(offset + scale t) where both exist.
double correlation(const std::vector<double>& src, const std::vector<double>& ed, double offset, double scale) {
  double sab = 0, saa = 0, sbb = 0, sa = 0, sb = 0;
  int n = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    double b = sample(ed, offset + scale * i * kStep);
    if (std::isnan(b)) continue;
    double a = src[i];
    sab += a * b, saa += a * a, sbb += b * b, sa += a, sb += b, ++n;
  }
  if (n < 50) return -1;
  double cov = sab / n - sa / n * sb / n, va = saa / n - sa / n * sa / n, vb = sbb / n - sb / n * sb / n;
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : -1;
}

struct Fit {
  double offset = 0, scale = 1, r = -1;
};

Fit search(const std::vector<double>& src, const std::vector<double>& ed, double s0, double s1, double ds, double o0,
           double o1, double dof) {
  Fit best;
  for (double sc = s0; sc <= s1 + 1e-9; sc += ds)
    for (double off = o0; off <= o1 + 1e-9; off += dof)
      if (double r = correlation(src, ed, off, sc); r > best.r) best = {off, sc, r};
  return best;
}

double mean_motion(const ActivitySignal& s) {
  return s.activity.size() > 1 ? std::accumulate(s.activity.begin() + 1, s.activity.end(), 0.0) / (s.activity.size() - 1) : 0;
}

std::string verdict_of(const Alignment& a) {
  if (!a.confident) return a.verdict;
  if (a.in_sync) return "in sync";
  char buf[160];
  std::string v;
  if (std::fabs(a.offset_s) > a.tolerance_s) {
    std::snprintf(buf, sizeof buf, "picture %s by %.0f ms", a.offset_s > 0 ? "late" : "early", std::fabs(a.offset_s) * 1000);
    v = buf;
  }
  if (std::fabs(a.scale - 1) * a.source_seconds > a.tolerance_s) {
    std::snprintf(buf, sizeof buf, "picture runs %.1f %% %s", std::fabs(a.scale - 1) * 100, a.scale > 1 ? "slow" : "fast");
    v += (v.empty() ? "" : ", ") + std::string(buf);
  }
  return v;
}

}  // namespace

Alignment align_signals(const ActivitySignal& source, const ActivitySignal& edited) {
  Alignment a;
  a.source_seconds = source.end - source.start;
  a.edited_seconds = edited.times.back() - edited.start + (edited.times.back() - edited.times.front()) / (edited.times.size() - 1);
  a.frame_s = (edited.times.back() - edited.times.front()) / std::max<size_t>(1, edited.times.size() - 1);
  a.frames_compared = static_cast<int>(std::min(source.times.size(), edited.times.size()));
  if (const double ratio = a.edited_seconds / a.source_seconds; ratio < kMinLength || ratio > kMaxLength) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "not compared: the edited clip lasts %.1fx the source range (the model changed its length)", ratio);
    a.verdict = buf;
    return a;
  }
  if (mean_motion(source) < kMinMotion || mean_motion(edited) < kMinMotion) {
    a.verdict = "low confidence: too little motion to compare";
    return a;
  }
  auto src = on_grid(source, a.source_seconds);
  auto ed = on_grid(edited, std::max(a.edited_seconds, a.source_seconds * 1.12 + kMaxOffset));
  Fit coarse = search(src, ed, 0.90, 1.10, 0.005, -kMaxOffset, kMaxOffset, 0.02);
  Fit fine = search(src, ed, coarse.scale - 0.005, coarse.scale + 0.005, 0.0005, coarse.offset - 0.02, coarse.offset + 0.02, 0.002);
  // A scale is only believed when it explains the motion clearly better than none: one event (a
  // single flash in a still shot) fixes an offset, not a speed.
  Fit same = search(src, ed, 1, 1, 1, -kMaxOffset, kMaxOffset, 0.02);
  same = search(src, ed, 1, 1, 1, same.offset - 0.02, same.offset + 0.02, 0.002);
  if (fine.r - same.r < kScaleGain) fine = same;
  // The runner-up: the best fit at that scale at least 0.2 s away.
  double second = -1;
  for (double off = -kMaxOffset; off <= kMaxOffset; off += 0.02)
    if (std::fabs(off - fine.offset) >= 0.2) second = std::max(second, correlation(src, ed, off, fine.scale));
  a.offset_s = fine.offset, a.scale = fine.scale, a.confidence = std::max(0.0, fine.r);
  a.confident = fine.r >= 0.5 && fine.r - second >= 0.1;
  if (!a.confident) {
    a.verdict = "low confidence: no clear match between the two pictures' motion";
    return a;
  }
  // Each clip's events are only known to within half of its own frame (the model resamples to
  // 24 fps): a drift within that is the frames' grid, not the picture moving.
  const double source_frame = (source.times.back() - source.times.front()) / std::max<size_t>(1, source.times.size() - 1);
  a.tolerance_s = (a.frame_s + source_frame) / 2;
  a.in_sync = std::fabs(a.offset_s) <= a.tolerance_s && std::fabs(a.offset_s + (a.scale - 1) * a.source_seconds) <= a.tolerance_s;
  a.verdict = verdict_of(a);
  return a;
}

SyncMeter::SyncMeter(std::string source, std::optional<double> start, std::optional<double> end)
    : source_(std::move(source)), start_(start), end_(end) {}

Alignment SyncMeter::measure(const std::string& edited) {
  if (motion_) return align_signals(*motion_, activity_signal(edited));
  auto source = std::async(std::launch::async, [this] { return activity_signal(source_, start_, end_); });
  ActivitySignal edited_motion = activity_signal(edited);  // on a throw, the future waits for the source's decode
  motion_ = source.get();
  return align_signals(*motion_, edited_motion);
}

Alignment measure_alignment(const std::string& edited, const std::string& source, std::optional<double> start,
                            std::optional<double> end) {
  return SyncMeter(source, start, end).measure(edited);
}

std::string describe(const Alignment& a) {
  char buf[96];
  std::snprintf(buf, sizeof buf, " (offset %+.0f ms, scale %.2f %%, confidence %.2f)", a.offset_s * 1000, a.scale * 100,
                a.confidence);
  return a.verdict + buf;
}

nlohmann::json to_json(const Alignment& a) {
  return {{"offset_ms", std::round(a.offset_s * 10000) / 10}, {"scale", a.scale},     {"confidence", a.confidence},
          {"confident", a.confident},                          {"in_sync", a.in_sync}, {"verdict", a.verdict},
          {"frame_ms", a.frame_s * 1000},                      {"tolerance_ms", a.tolerance_s * 1000},
          {"source_seconds", a.source_seconds},
          {"edited_seconds", a.edited_seconds},                {"frames_compared", a.frames_compared}};
}

Alignment alignment_from_json(const nlohmann::json& j) {
  Alignment a;
  a.offset_s = j.value("offset_ms", 0.0) / 1000;
  a.scale = j.value("scale", 1.0);
  a.confidence = j.value("confidence", 0.0);
  a.confident = j.value("confident", false);
  a.in_sync = j.value("in_sync", true);
  a.verdict = j.value("verdict", "");
  a.frame_s = j.value("frame_ms", 0.0) / 1000;
  a.tolerance_s = j.value("tolerance_ms", 0.0) / 1000;
  a.source_seconds = j.value("source_seconds", 0.0);
  a.edited_seconds = j.value("edited_seconds", 0.0);
  a.frames_compared = j.value("frames_compared", 0);
  return a;
}

}  // namespace omnicut
