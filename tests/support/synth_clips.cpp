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

}  // namespace omnicut::test
