// The edit itself: the input made the requested output size (720p: 1280x720, or 720x1280 for a
// portrait picture; v1.1 also 360p, 1080p, 4k), the endpoint's frame rate, H.264, with the look chosen from the prompt and a synthetic audio track in place of the
// source's (the real model re-synthesises audio too).
#pragma once
#include <functional>
#include <string>

#include "model/endpoints.h"

namespace omnicut::emulator {

struct RenderResult {
  std::string look;              // Look::name
  double input_duration = 0;     // seconds
  bool input_has_audio = false;
  double output_duration = 0;    // seconds of video written
  double file_duration = 0;      // seconds of the file: its longest stream (what v1.1 bills)
  int width = 0, height = 0;
};

// Throws omnicut::Error (not_found / not_media / unsupported for an input it cannot decode).
// What the shift and retime faults do to the picture's timing (0: nothing).
struct TimeFault {
  double shift_s = 0;
  double retime = 0;
  bool any() const { return shift_s > 0 || (retime > 0 && retime != 1); }
};

RenderResult render_edit(const std::string& input, const std::string& output, const std::string& prompt,
                         const Endpoint& endpoint, const OutputSize& size,
                         const std::function<void(double done, double total)>& progress, const TimeFault& time = {});

}  // namespace omnicut::emulator
