// Writes the project's sample clip: 6 s of 960x540 (a size the endpoint does not take, so prep
// has work to do) at 25 fps, H.264 + AAC stereo, with a white flash and a beep at 2.0 s that let
// anyone check audio/video sync by eye and ear after an edit.
#include <cstdio>
#include <string>

#include "codecs/av_log.h"
#include "codecs/synth.h"
#include "common/error.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_sample OUT.mp4\n");
    return 2;
  }
  omnicut::av::install_log_capture();
  omnicut::SynthSpec spec;
  spec.duration = 6.0;
  spec.width = 960;
  spec.height = 540;
  spec.fps = {25, 1};
  spec.preset = "veryfast";
  spec.audio = {omnicut::SynthAudio{}};
  spec.flashes = {2.0};
  spec.beeps = {2.0};
  try {
    omnicut::synthesize(argv[1], spec);
  } catch (const omnicut::Error& e) {
    std::fprintf(stderr, "make_sample: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", argv[1]);
  return 0;
}
