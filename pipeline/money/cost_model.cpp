#include "pipeline/money/cost_model.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace omnicut {

double SessionCost::input_tokens() const {
  double sum = 0;
  for (const auto& t : turns) sum += t.tokens.input();
  return sum;
}

double SessionCost::output_tokens() const {
  double sum = 0;
  for (const auto& t : turns) sum += t.tokens.output();
  return sum;
}

double SessionCost::usd() const {
  double sum = 0;
  for (const auto& t : turns) sum += t.usd();
  return sum;
}

double CostModel::prompt_tokens(const std::string& prompt) const {
  if (prompt.empty() || billing_.prompt_chars_per_token <= 0) return 0;
  return std::ceil(static_cast<double>(prompt.size()) / billing_.prompt_chars_per_token);
}

TurnCost CostModel::priced(const TurnTokens& tokens) const {
  TurnCost cost;
  cost.tokens = tokens;
  cost.input_usd = tokens.input() * billing_.input_usd_per_mtok / 1e6;
  cost.output_usd = tokens.output() * billing_.output_usd_per_mtok / 1e6;
  return cost;
}

TurnCost CostModel::turn(double seconds, bool input_has_audio, const std::string& prompt) const {
  TurnTokens t;
  t.input_video = seconds * billing_.input_video_tokens_per_s;
  t.input_audio = input_has_audio ? seconds * billing_.input_audio_tokens_per_s : 0;
  t.input_text = prompt_tokens(prompt);
  t.output_video = seconds * billing_.output_video_tokens_per_s;
  return priced(t);
}

SessionCost CostModel::session(double seconds, bool source_has_audio,
                               const std::vector<std::string>& prompts) const {
  SessionCost s;
  for (size_t i = 0; i < prompts.size(); ++i)
    s.turns.push_back(turn(seconds, i == 0 ? source_has_audio : true, prompts[i]));
  return s;
}

SessionCost CostModel::session(double seconds, bool source_has_audio, const std::string& prompt,
                               int turns) const {
  return session(seconds, source_has_audio, std::vector<std::string>(turns > 0 ? turns : 0, prompt));
}

double CostModel::usd_per_second_per_turn(bool with_audio) const {
  return turn(1.0, with_audio, "").usd();
}

nlohmann::json to_json(const TurnTokens& t) {
  return {{"input_video", t.input_video}, {"input_audio", t.input_audio}, {"input_text", t.input_text},
          {"input", t.input()},           {"output", t.output()}};
}

nlohmann::json to_json(const TurnCost& c) {
  return {{"tokens", to_json(c.tokens)}, {"input_usd", c.input_usd}, {"output_usd", c.output_usd}, {"usd", c.usd()}};
}

TurnTokens turn_tokens_from_json(const nlohmann::json& j) {
  TurnTokens t;
  t.input_video = j.value("input_video", 0.0);
  t.input_audio = j.value("input_audio", 0.0);
  t.input_text = j.value("input_text", 0.0);
  t.output_video = j.value("output", j.value("output_video", 0.0));
  // A result that reports only a total input count keeps it as video tokens.
  if (t.input() == 0) t.input_video = j.value("input", 0.0);
  return t;
}

}  // namespace omnicut
