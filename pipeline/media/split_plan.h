// Where `split` cuts: segments no longer than the endpoint's maximum and no shorter than its
// minimum, at scene changes where there are any (the latest that fits), else evenly; every cut
// on a source frame, so the segments add up to the source with no gap and no overlap.
#pragma once
#include <string>
#include <vector>

namespace omnicut {

struct SplitSegment {
  double start = 0, end = 0;  // seconds from the source's first frame; end = the next start
  std::string cut;            // how this segment ends: "scene", "even" or "end"
};

// `frame_times` ascending (seconds from the first frame), `end` = the end of the last frame.
// Throws Error(usage) for min/max that cannot work, Error(unsupported) when the whole source is
// shorter than `min_duration`.
std::vector<SplitSegment> plan_split(const std::vector<double>& frame_times, const std::vector<double>& scene_changes,
                                     double end, double min_duration, double max_duration,
                                     const std::string& subject);

}  // namespace omnicut
