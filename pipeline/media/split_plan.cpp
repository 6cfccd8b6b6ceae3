#include "pipeline/media/split_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/error.h"

namespace omnicut {
namespace {

constexpr double kEps = 1e-6;

std::string secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

// The frame start nearest `t` within [lo, hi]; -1 when no frame starts there.
double frame_near(const std::vector<double>& frames, double t, double lo, double hi) {
  double best = -1;
  for (auto it = std::lower_bound(frames.begin(), frames.end(), lo - kEps); it != frames.end() && *it <= hi + kEps; ++it)
    if (best < 0 || std::abs(*it - t) < std::abs(best - t)) best = *it;
  return best;
}

}  // namespace

std::vector<SplitSegment> plan_split(const std::vector<double>& frames, const std::vector<double>& scenes, double end,
                                     double min_d, double max_d, const std::string& subject) {
  if (min_d < 0 || max_d <= 0 || min_d > max_d)
    throw Error(ErrorKind::usage, subject, "--min must not exceed --max (got " + secs(min_d) + " and " + secs(max_d) + ")");
  if (frames.empty()) throw Error(ErrorKind::unsupported, subject, "no video frames to split");
  const double first = frames.front();
  if (end - first < min_d - kEps)
    throw Error(ErrorKind::unsupported, subject,
                "lasts " + secs(end - first) + ", shorter than the endpoint's minimum " + secs(min_d));
  std::vector<SplitSegment> out;
  double pos = first;
  while (end - pos > max_d + kEps) {
    // A cut must leave this segment and the rest at least min long.
    const double lo = pos + min_d, hi = std::min(pos + max_d, end - min_d);
    double cut = -1;
    for (double s : scenes)
      if (s >= lo - kEps && s <= hi + kEps) cut = s;  // the latest scene change that fits
    std::string how = "scene";
    if (cut < 0) {
      double remaining = end - pos;
      double even = pos + remaining / std::ceil(remaining / max_d - kEps);
      cut = frame_near(frames, even, lo, hi);
      how = "even";
    }
    if (cut < 0 || cut <= pos)
      throw Error(ErrorKind::unsupported, subject,
                  "cannot cut " + secs(end - pos) + " from " + secs(pos) + " into segments of " + secs(min_d) +
                      " to " + secs(max_d) + ": widen --min/--max");
    out.push_back({pos, cut, how});
    pos = cut;
  }
  out.push_back({pos, end, "end"});
  return out;
}

}  // namespace omnicut
