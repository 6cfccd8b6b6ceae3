// remux end to end: the range from the options or from prep's sidecar, `--restore` (undo prep's
// geometry with one re-encode of the edited video) and then codecs/remux.h.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "codecs/remux.h"
#include "pipeline/media/audio_sync.h"
#include "pipeline/media/prep_sidecar.h"
#include "pipeline/media/restore_plan.h"

namespace omnicut {

struct RemuxRequest {
  RemuxSpec spec;                      // start/end as given; the sidecar fills those not given
  bool start_given = false, end_given = false;
  std::string sidecar;                 // "PREP.json" (or prep's output, whose .prep.json is read); "" none
  // prep's record already in hand (an edit keeps it in its ledger): used as the sidecar, no file read
  std::optional<PrepSidecar> sidecar_record;
  bool restore = false;                // needs the sidecar (or its record)
  int max_height = 0;                  // with restore: cap the restored height; 0 = the source's
  int crf = 20;                        // prep's encoder settings, for the restoring re-encode
  std::string preset = "veryfast";
  // Measure the edited picture's timing against the source range, and act on it (audio_sync.h).
  std::optional<SyncMode> sync;        // nullopt: not measured
  SyncMeter* meter = nullptr;          // one already holding the source's motion; nullptr: a new one
};

struct RemuxOutcome {
  RemuxResult result;
  std::string sidecar;                 // the sidecar read, "" none
  std::optional<RestorePlan> restore;
  std::optional<SyncAction> sync;      // unless --sync off, or the measure failed (said in a notice)
};

// Throws omnicut::Error: usage (--restore without a sidecar), not_found/not_media (sidecar),
// transcode's and remux's errors. Nothing is left under the output name on failure.
RemuxOutcome run_remux(const RemuxRequest& request);

// The one JSON shape of a remux result, wherever one is shown or kept (`remux --json`,
// `join --json`, the ledger's final.remux):
//   {"output", "video": {"frames", "fps", "duration"}, "range": {"start", "end", "duration"},
//    "duration_difference", "audio": {"mode", "reason", "source_stream", "source_codec", "duration",
//    "padded", "trimmed", "timing": {"offset", "scale"}}, "edit_audio_kept", "notices"}
// What a stage did around the remux goes beside these keys, never inside them: remux adds
// "sidecar" and "restore", join adds "parts" and "concat".
nlohmann::json to_json(const RemuxResult& result);
// Throws Error(not_media, subject, cause) when a field is missing or malformed.
RemuxResult remux_result_from_json(const nlohmann::json& j, const std::string& subject);
// `remux --json`: to_json(result) + "sidecar" (the one read, or null) + "restore" ({width, height} or null).
nlohmann::json to_json(const RemuxOutcome& outcome);

}  // namespace omnicut
