// One decoding pass over a clip's video that returns every frame's time (so that cuts can fall
// exactly on frames) and the scene changes libavfilter's `select='gt(scene,T)'` finds on
// downscaled pictures (the deblocking filter is skipped: it does not move a scene score). Only
// reference pictures are decoded at first; a possible change across skipped pictures is decoded
// again in full around it, so the change lands on its exact frame.
#pragma once
#include <string>
#include <vector>

namespace omnicut {

struct SceneScan {
  std::vector<double> frame_times;    // presentation times, seconds after the origin (codecs/input.h), ascending
  std::vector<double> scene_changes;  // the times (among frame_times) where a new scene starts
  double end = 0;                     // the end of the last frame, seconds after the origin
};

// Throws omnicut::Error: not_found/not_media, unsupported (no decodable video), interrupted.
SceneScan scan_scenes(const std::string& path, double threshold = 0.3);

}  // namespace omnicut
