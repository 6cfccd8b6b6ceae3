// Sources the prep and transcode suites synthesize (codecs/testing/synth.h) before grading what comes out.
#pragma once
#include "codecs/testing/synth.h"

namespace omnicut::test {

// `duration` seconds of `width` x `height` video at 25 fps with one default audio track; a test
// changes the fields it is about before synthesizing.
SynthSpec clip(double duration, int width, int height);

}  // namespace omnicut::test
