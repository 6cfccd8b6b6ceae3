// Writes the project's sample clip: 6 s of 960x540 (a size the endpoint does not take, so prep
// has work to do) at 25 fps, H.264 + AAC stereo, with a white flash and a beep at 2.0 s that let
// anyone check audio/video sync by eye and ear after an edit. The benchmarks size it otherwise:
//   make_sample OUT.mp4 [--duration S] [--width W] [--height H] [--fps N]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "codecs/av_log.h"
#include "codecs/testing/synth.h"
#include "common/error.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: make_sample OUT.mp4 [--duration S] [--width W] [--height H] [--fps N]\n");
  return 2;
}

// Reads "--name value" pairs into the spec; false on anything it does not understand.
bool read_options(int argc, char** argv, omnicut::SynthSpec& spec) {
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    std::string name = argv[i];
    char* end = nullptr;
    double v = std::strtod(argv[i + 1], &end);
    if (*end != '\0' || v <= 0) return false;
    if (name == "--duration") spec.duration = v;
    else if (name == "--width") spec.width = static_cast<int>(v);
    else if (name == "--height") spec.height = static_cast<int>(v);
    else if (name == "--fps") spec.fps = {static_cast<int>(v), 1};
    else return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
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
  if (!read_options(argc, argv, spec)) return usage();
  try {
    omnicut::synthesize(argv[1], spec);
  } catch (const omnicut::Error& e) {
    std::fprintf(stderr, "make_sample: %s\n", e.what());
    return 1;
  }
  std::printf("%s\n", argv[1]);
  return 0;
}
