// The emulator's stand-in for the model's edit: a deterministic libavfilter chain picked from the
// prompt's words. Only filter strings live here; codecs/filtered_render.h runs them (codecs/ is the
// only place that calls FFmpeg).
#pragma once
#include <string>

namespace omnicut::emulator {

struct Look {
  std::string name;    // e.g. "black_and_white+mirror", or "grade" for any other prompt
  std::string filter;  // a libavfilter chain, run after the scale to the canvas (emulator/render.cpp)
};

// Every look whose words appear in the prompt (case-insensitive), chained in a fixed order;
// a prompt that names none gets a mild colour grade.
Look look_for_prompt(const std::string& prompt);

}  // namespace omnicut::emulator
