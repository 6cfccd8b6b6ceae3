// What to do about an edited picture that moved against its source (pipeline/media/alignment.h):
// lay the source's audio where the picture's events are (correct, the default for an edit), lay
// it by the clock as before (off), or write nothing and say so (refuse).
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "codecs/remux.h"
#include "pipeline/media/alignment.h"

namespace omnicut {

enum class SyncMode { correct, off, refuse };

// "correct", "off", "refuse"; throws Error(usage) naming `option` otherwise.
SyncMode parse_sync_mode(const std::string& text, const std::string& option = "--sync");
const char* sync_mode_name(SyncMode mode);

struct SyncAction {
  Alignment measured;
  AudioTiming timing;  // the identity unless the audio is moved
  bool corrected = false;
  std::string said;    // one line for the user; "" when the picture is in sync
};

// Correct moves the audio only for a confident measure beyond the tolerance; a low-confidence one
// is said and laid by the clock. Off says a shift and lays by the clock. Refuse throws
// Error(refused, edited) for a confident shift.
SyncAction act_on_alignment(const Alignment& a, SyncMode mode, const std::string& edited);

}  // namespace omnicut
