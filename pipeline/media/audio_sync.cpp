#include "pipeline/media/audio_sync.h"

#include <cstdio>

#include "common/error.h"

namespace omnicut {

namespace {

std::string confidence_text(const Alignment& a) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "confidence %.2f", a.confidence);
  return buf;
}

}  // namespace

SyncMode parse_sync_mode(const std::string& text, const std::string& option) {
  if (text == "correct") return SyncMode::correct;
  if (text == "off") return SyncMode::off;
  if (text == "refuse") return SyncMode::refuse;
  throw Error(ErrorKind::usage, option, "'" + text + "' is not one of correct, off, refuse");
}

const char* sync_mode_name(SyncMode mode) {
  switch (mode) {
    case SyncMode::correct: return "correct";
    case SyncMode::off: return "off";
    case SyncMode::refuse: return "refuse";
  }
  return "correct";
}

SyncAction act_on_alignment(const Alignment& a, SyncMode mode, const std::string& edited) {
  SyncAction act{a, {}, false, ""};
  if (!a.confident) {
    act.said = "sync: " + a.verdict + "; the source's audio is laid by the clock";
    return act;
  }
  if (a.in_sync) return act;
  const std::string what = "the edited " + a.verdict + " against the source (" + confidence_text(a) + ")";
  if (mode == SyncMode::refuse)
    throw Error(ErrorKind::refused, edited,
                what + "; nothing written (--sync refuse): --sync correct lays the audio to the picture, "
                       "--sync off by the clock");
  if (mode == SyncMode::off) {
    act.said = "sync: " + what + ": the source's audio is laid by the clock as asked (--sync off), off by as much";
    return act;
  }
  act.timing = {a.offset_s, a.scale};
  act.corrected = true;
  act.said = "sync: " + what + ": the source's audio was moved to match (--sync off lays it by the clock)";
  return act;
}

}  // namespace omnicut
