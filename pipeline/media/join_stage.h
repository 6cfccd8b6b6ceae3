// join end to end: the edited parts put in manifest order and checked against it, their videos
// concatenated (codecs/concat.h), then the source's audio laid once over the whole range
// (codecs/remux.h), so there is no click or gap at the joins.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "codecs/concat.h"
#include "codecs/remux.h"
#include "pipeline/media/manifest.h"

namespace omnicut {

struct JoinRequest {
  std::vector<std::string> parts;
  std::string output;
  std::string audio;                 // the source
  std::string manifest;              // "" = parts in the given order, covering the source from 0
  // The manifest already in hand (an edit keeps it in its ledger): used instead of reading `manifest`.
  std::optional<SplitManifest> manifest_record;
  bool require_audio = false;
};

struct JoinOutcome {
  std::vector<std::string> order;    // the parts as joined
  ConcatResult concat;
  RemuxResult remux;
};

// Throws omnicut::Error: usage when the parts do not match the manifest (count, or a part's
// length far from its segment's), concat's and remux's errors. Nothing partial is left.
JoinOutcome run_join(const JoinRequest& request);

// `{"copied", "reason", "frames", "duration", "part_durations"}`: how the parts' videos were joined.
nlohmann::json to_json(const ConcatResult& concat);
// Throws Error(not_media, subject, cause) when a field is missing or malformed.
ConcatResult concat_result_from_json(const nlohmann::json& j, const std::string& subject);
// `join --json`: the remux result's shape (pipeline/media/remux_stage.h) + "parts" (as joined) + "concat".
nlohmann::json to_json(const JoinOutcome& outcome);

}  // namespace omnicut
