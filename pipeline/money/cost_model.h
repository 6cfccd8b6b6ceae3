// Tokens and US dollars for edit turns, from an endpoint's published Billing rules. A turn is
// billed for what it reads (video, audio and prompt text) and what it writes (720p video). Turn 1
// reads the prepped source; every later turn reads the previous turn's output, which always has
// audio (the model synthesises its own), so its audio tokens count even when the source had none.
// What fal bills comes back as units (client/queue.h); they are dollars only at a known price.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "model/endpoints.h"

namespace omnicut {

struct TurnTokens {
  double input_video = 0;
  double input_audio = 0;
  double input_text = 0;
  double output_video = 0;
  double input() const { return input_video + input_audio + input_text; }
  double output() const { return output_video; }
};

struct TurnCost {
  TurnTokens tokens;
  double input_usd = 0;
  double output_usd = 0;
  double usd() const { return input_usd + output_usd; }
};

struct SessionCost {
  std::vector<TurnCost> turns;
  double input_tokens() const;
  double output_tokens() const;
  double usd() const;
};

class CostModel {
 public:
  explicit CostModel(Billing billing) : billing_(billing) {}
  const Billing& billing() const { return billing_; }

  // Text tokens for a prompt: an estimate, characters / prompt_chars_per_token, rounded up.
  double prompt_tokens(const std::string& prompt) const;
  // One turn over `seconds` of video (the output is as long as the input).
  TurnCost turn(double seconds, bool input_has_audio, const std::string& prompt) const;
  // What a turn costs for given token counts (e.g. the counts a result reported).
  TurnCost priced(const TurnTokens& tokens) const;
  // Turns 1..N, one prompt each; turn 1's input has audio when the source has, later ones always.
  SessionCost session(double seconds, bool source_has_audio, const std::vector<std::string>& prompts) const;
  // `turns` turns of the same prompt.
  SessionCost session(double seconds, bool source_has_audio, const std::string& prompt, int turns) const;
  // The published per-second figure: input video+audio and output video, no prompt text.
  double usd_per_second_per_turn(bool with_audio = true) const;

 private:
  Billing billing_;
};

nlohmann::json to_json(const TurnTokens& tokens);
nlohmann::json to_json(const TurnCost& cost);
TurnTokens turn_tokens_from_json(const nlohmann::json& j);

}  // namespace omnicut
