// What survives a restyle of a clip: its motion. One decode of the video (or a range of it) at
// 64x36 grey gives, per frame, its time and its activity (the mean absolute difference from the
// previous small frame, 0..255): a flash, a cut or a moving thing shows in it whatever colours a
// model paints over them. pipeline/media/alignment.h lines two such signals up.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace omnicut {

struct ActivitySignal {
  std::vector<double> times;     // seconds after the origin (codecs/input.h), one per frame
  std::vector<double> activity;  // same length; the first frame's is 0
  double start = 0, end = 0;     // the range read
};

// Frames presented in [start, end) (default: the whole video). Throws Error (not_found,
// not_media, unsupported: no decodable video, interrupted).
ActivitySignal activity_signal(const std::string& path, std::optional<double> start = std::nullopt,
                               std::optional<double> end = std::nullopt);

}  // namespace omnicut
