// Sources the prep, probe, estimate and media-core suites synthesize (codecs/testing/synth.h)
// before grading what comes out.
#pragma once
#include <filesystem>

#include "codecs/testing/synth.h"

namespace omnicut::test {

// `duration` seconds of `width` x `height` video at 25 fps with one default audio track; a test
// changes the fields it is about before synthesizing.
SynthSpec clip(double duration, int width, int height);

// What OBS-style recorders leave: Matroska (H.264 + AAC) written live, no Duration element, no
// cues. Write it to a .mkv path.
SynthSpec live_mkv(double duration);
// What a browser's MediaRecorder leaves: WebM (VP8 + Opus) written live, the audio starting
// 0.244 s after the video. Write it to a .webm path.
SynthSpec live_webm(double duration);
// Three different starts at 30 fps: the container's (a second audio track at 0), the video's
// (0.0833 s: the origin) and the first audio track's (0.5 s). A flash and a beep at 1.5 s on the
// file's clock mark sync: both land 1.5 - 0.0833 s after the origin.
SynthSpec three_starts(double duration);
constexpr double kThreeStartsVideo = 5.0 / 60, kThreeStartsAudio = 0.5, kThreeStartsMark = 1.5;
// Audio before video: the audio at 0, the video at 0.3 s (the origin); the audio's first 0.3 s
// lies before zero and is cut.
SynthSpec audio_first(double duration);

// The edit suites' source: silent audio but for a 50 ms beep, and a one-frame flash, both at
// `mark` seconds, so where the beep lands in OUT says where the source's audio went. Written to
// `path` (its folder made).
void beep_clip(const std::filesystem::path& path, double duration, int width, int height, double mark);

}  // namespace omnicut::test
