// Edited parts' video streams one after another in one MP4 (no audio), timestamps continuous:
// packets copied when every part has the same stream parameters (codec, size, pixel format,
// codec headers, frame rate), else every part re-encoded first with identical parameters (the
// first part's size and frame rate, prep's encoder settings) and then copied.
#pragma once
#include <string>
#include <vector>

namespace omnicut {

struct ConcatResult {
  std::string output;
  bool copied = false;               // no re-encode was needed
  std::string reason;                // why the parts were re-encoded; "" when copied
  int64_t frames = 0;
  double duration = 0;               // seconds
  std::vector<double> part_durations;
};

// Throws omnicut::Error naming the part and the cause (a part without video: unsupported).
ConcatResult concat_videos(const std::vector<std::string>& parts, const std::string& output, int crf = 20,
                           const std::string& preset = "veryfast");

}  // namespace omnicut
