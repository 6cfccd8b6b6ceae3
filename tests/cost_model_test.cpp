// Pins the published accounting of google/gemini-omni-flash/edit: 5,792 input tokens per second
// of video + 32 per second of audio, 5,792 output tokens per second of 720p video, $1.875 and
// $21.875 per 1M tokens: about $0.1376 per second per turn.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/money/cost_model.h"
#include "model/endpoints.h"

namespace omnicut {
namespace {

CostModel gemini() { return CostModel(find_endpoint("google/gemini-omni-flash/edit").billing); }

TEST(CostModel, PublishedPerSecondFigures) {
  auto t = gemini().turn(1.0, true, "");
  EXPECT_DOUBLE_EQ(t.tokens.input_video, 5792);
  EXPECT_DOUBLE_EQ(t.tokens.input_audio, 32);
  EXPECT_DOUBLE_EQ(t.tokens.output_video, 5792);
  EXPECT_NEAR(t.input_usd, 5824 * 1.875e-6, 1e-12);
  EXPECT_NEAR(t.output_usd, 5792 * 21.875e-6, 1e-12);
  EXPECT_NEAR(gemini().usd_per_second_per_turn(), 0.1376, 0.00005);
}

TEST(CostModel, SilentSourceHasNoAudioTokensOnTurnOne) {
  auto t = gemini().turn(10.0, false, "");
  EXPECT_DOUBLE_EQ(t.tokens.input_audio, 0);
  EXPECT_DOUBLE_EQ(t.tokens.input(), 57920);
}

TEST(CostModel, LaterTurnsReadTheModelsOutputWithItsAudio) {
  auto s = gemini().session(10.0, false, std::vector<std::string>{"Make it anime.", "Make it night."});
  ASSERT_EQ(s.turns.size(), 2u);
  EXPECT_DOUBLE_EQ(s.turns[0].tokens.input_audio, 0);
  EXPECT_DOUBLE_EQ(s.turns[1].tokens.input_audio, 320);
  EXPECT_NEAR(s.usd(), s.turns[0].usd() + s.turns[1].usd(), 1e-12);
}

TEST(CostModel, PromptTextIsAboutFourCharactersAToken) {
  auto m = gemini();
  EXPECT_DOUBLE_EQ(m.prompt_tokens(""), 0);
  EXPECT_DOUBLE_EQ(m.prompt_tokens("abcd"), 1);
  EXPECT_DOUBLE_EQ(m.prompt_tokens("abcde"), 2);
  auto with_text = m.turn(5.0, true, std::string(400, 'x'));
  EXPECT_DOUBLE_EQ(with_text.tokens.input_text, 100);
}

TEST(CostModel, TenSecondsThreeTurns) {
  auto s = gemini().session(10.0, true, "Make it night.", 3);
  ASSERT_EQ(s.turns.size(), 3u);
  // 3 turns x 10 s x ~$0.1376, plus 4 text tokens a turn at the input rate.
  EXPECT_NEAR(s.usd(), 3 * 10 * (5824 * 1.875e-6 + 5792 * 21.875e-6) + 3 * 4 * 1.875e-6, 1e-9);
  EXPECT_DOUBLE_EQ(s.output_tokens(), 3 * 57920);
}

TEST(CostModel, PricingOverrideChangesThePrice) {
  Billing b = billing_from_json(nlohmann::json{{"output_usd_per_mtok", 10.0}}, default_endpoint().billing);
  CostModel m(b);
  EXPECT_NEAR(m.turn(1.0, true, "").output_usd, 5792 * 10e-6, 1e-12);
  EXPECT_NEAR(m.turn(1.0, true, "").input_usd, 5824 * 1.875e-6, 1e-12);
}

}  // namespace
}  // namespace omnicut
