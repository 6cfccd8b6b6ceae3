// Whether a cut can be a stream copy: does the range start on a video keyframe, end on the next
// GOP (or the stream's end), and do audio packets begin at both ends? Read from packet headers
// only, never decoded, so prep can choose copy or encode before doing either.
#pragma once
#include <optional>
#include <string>

namespace omnicut {

struct CutPoints {
  bool start_on_keyframe = false;  // a video keyframe sits at the start (within half a frame)
  bool end_on_keyframe = false;    // a keyframe sits at the end, or the end is the stream's end
  double keyframe_before = 0;      // the last keyframe at or before the start, seconds
  std::optional<double> keyframe_after;  // the first keyframe after the start, when one was read
  bool audio_start_aligned = true; // an audio packet begins at the start (true without audio)
  bool audio_end_aligned = true;   // an audio packet begins at the end, or the end is the stream's
};

// Times are seconds after the file's origin (codecs/input.h), as in TranscodeSpec. `video_stream` and
// `audio_stream` are container indexes (-1: none). Throws omnicut::Error naming the file.
CutPoints find_cut_points(const std::string& path, int video_stream, int audio_stream, double start,
                          std::optional<double> end);

}  // namespace omnicut
