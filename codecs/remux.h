// Puts the source's own audio back under an edited clip: the edited video stream is copied
// untouched, the audio is the source's over exactly the range prep cut (its AAC packets copied and
// cut to the sample by the edit list, other codecs re-encoded: codecs/audio_range.h), made to last
// exactly as long as the video (trimmed or padded with silence, never the video shortened), MP4
// with the index in front, written through av::Mp4Writer. Times are seconds after each file's
// origin (codecs/input.h).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace omnicut {

// Where the range's audio goes when the edited picture moved: the range's time t (seconds from
// its start) is laid at offset + scale * t in the edited clip. The identity lays it by the clock.
struct AudioTiming {
  double offset = 0;  // > 0: the picture is late, so the audio starts after this much silence
  double scale = 1;   // > 1: the picture runs slow, so the audio is stretched (pitch kept)
  bool identity() const { return offset == 0 && scale == 1; }
};

struct RemuxSpec {
  std::string video;              // the edited clip: its video stream is copied
  std::string audio;              // the source: its first decodable audio stream is used
  std::string output;
  double start = 0;               // the range prep cut, seconds from the source's first frame
  std::optional<double> end;      // exclusive; nullopt: start + the edited video's duration
  bool keep_edit_audio = false;   // the edited clip's own audio as a second, non-default track
  bool require_audio = false;     // a source without audio is an error instead of a notice
  AudioTiming timing;             // the identity unless the picture was measured to have moved
  // The clip is known to be an edit of this range (an edit session's own result): a length far
  // from the range's is the model's doing, said in a notice, not a range that does not belong.
  bool length_from_model = false;
};

struct RemuxResult {
  std::string output;
  // The edited video as copied.
  int64_t video_frames = 0;
  double video_fps = 0;
  double video_duration = 0;      // seconds
  // The source range and how far the edited clip strays from it.
  double range_start = 0, range_end = 0;
  double range_duration = 0;
  double duration_difference = 0; // video - range, seconds (a frame or two is normal)
  // The source's audio as written.
  std::string audio_mode = "none"; // "copied", "encoded" or "none"
  std::string audio_reason;        // why that path was taken, for the user
  int source_audio_stream = -1;
  std::string source_audio_codec;
  double audio_duration = 0;
  double audio_padded = 0;        // seconds of silence added
  double audio_trimmed = 0;       // seconds of the range dropped because the video is shorter
  AudioTiming audio_timing;       // as laid (the spec's)
  bool edit_audio_kept = false;
  std::vector<std::string> notices;
};

// Throws omnicut::Error: unsupported (edited file without video; source without audio when
// required), usage (a range outside the source or far from the edited clip's length),
// not_found/not_media (unreadable inputs), output, interrupted.
RemuxResult remux(const RemuxSpec& spec);

// Two durations count as the same clip when they differ by at most this much; beyond it the
// range and the edited clip do not belong together.
double remux_range_tolerance(double range_duration);

}  // namespace omnicut
