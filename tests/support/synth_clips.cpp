#include "tests/support/synth_clips.h"

namespace omnicut::test {

SynthSpec clip(double duration, int width, int height) {
  SynthSpec s;
  s.duration = duration;
  s.width = width;
  s.height = height;
  s.fps = {25, 1};
  s.audio = {SynthAudio{}};
  return s;
}

SynthSpec live_mkv(double duration) {
  SynthSpec s = clip(duration, 320, 240);
  s.fps = {30, 1};
  s.live = true;
  s.container = "matroska";
  return s;
}

SynthSpec live_webm(double duration) {
  SynthSpec s = clip(duration, 320, 240);
  s.fps = {30, 1};
  s.video_codec = "libvpx";
  s.audio = {SynthAudio{}};
  s.audio[0].codec = "libopus";
  s.audio[0].start = 0.244;
  s.live = true;
  s.container = "webm";
  return s;
}

SynthSpec three_starts(double duration) {
  SynthSpec s = clip(duration, 320, 240);
  s.fps = {30, 1};
  s.video_start = kThreeStartsVideo;
  s.audio = {SynthAudio{}, SynthAudio{}};
  s.audio[0].start = kThreeStartsAudio;
  s.audio[1].language = "eng";
  for (auto& a : s.audio) a.tone_hz = 0;
  s.flashes = {kThreeStartsMark};
  s.beeps = {kThreeStartsMark};
  return s;
}

SynthSpec audio_first(double duration) {
  SynthSpec s = clip(duration, 320, 240);
  s.video_start = 0.3;
  return s;
}

void beep_clip(const std::filesystem::path& path, double duration, int width, int height, double mark) {
  std::filesystem::create_directories(path.parent_path());
  SynthSpec spec;
  spec.duration = duration;
  spec.width = width, spec.height = height;
  SynthAudio a;
  a.tone_hz = 0;
  spec.audio = {a};
  spec.beeps = {mark};
  spec.flashes = {mark};
  synthesize(path.string(), spec);
}

}  // namespace omnicut::test
