// Does the edited picture keep the source's timing? Lines up the motion of the edited clip with
// the motion of the source range it was made from (codecs/activity.h), as edited time = offset +
// scale x source time, by correlating the two activity signals over offsets of up to +-1.5 s and
// scales of 0.90 to 1.10. A clip with too little motion to compare (a still shot) is reported as
// low confidence instead of a guess.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "codecs/activity.h"

namespace omnicut {

struct Alignment {
  double offset_s = 0;       // > 0: the edited picture is late by this much at the range's start
  double scale = 1;          // > 1: the edited picture runs slow (is longer) by (scale - 1)
  double confidence = 0;     // the correlation at the best fit, 0..1
  bool confident = false;    // enough motion, and a clear best fit
  double frame_s = 0;        // the edited clip's frame duration
  // Half a frame of each clip: how well an event's time is known. In sync: the picture is within
  // it at the start and the end of the range.
  double tolerance_s = 0;
  bool in_sync = true;
  std::string verdict;       // "in sync", "picture late by 250 ms", "picture runs 4.0 % slow", "low confidence: ..."
  double source_seconds = 0, edited_seconds = 0;
  int frames_compared = 0;
};

Alignment align_signals(const ActivitySignal& source, const ActivitySignal& edited);

// Measures edits of one source range against it (every turn of a session, its final): the
// source's motion is decoded once, on another thread while the first edit's is decoded.
class SyncMeter {
 public:
  SyncMeter(std::string source, std::optional<double> start, std::optional<double> end);
  // Throws what activity_signal throws, naming the file that failed.
  Alignment measure(const std::string& edited);

 private:
  std::string source_;
  std::optional<double> start_, end_;
  std::optional<ActivitySignal> motion_;
};

// `edited` against `source` over [start, end) (default: all of it).
Alignment measure_alignment(const std::string& edited, const std::string& source, std::optional<double> start,
                            std::optional<double> end);

// "picture late by 250 ms (offset +250 ms, scale 100.00 %, confidence 0.93)": one line for a table or a page.
std::string describe(const Alignment& a);

nlohmann::json to_json(const Alignment& a);
Alignment alignment_from_json(const nlohmann::json& j);

}  // namespace omnicut
