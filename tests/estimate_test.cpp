// estimate: the seconds prep would send, tokens and prices, folders with a corrupt file.
#include <fstream>

#include <gtest/gtest.h>

#include "codecs/testing/synth.h"
#include "pipeline/money/estimate.h"
#include "tests/support/synth_clips.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;

fs::path clip(const fs::path& dir, const std::string& name, double seconds, bool audio) {
  SynthSpec spec;
  spec.duration = seconds;
  spec.width = 160, spec.height = 90;
  if (audio) spec.audio = {SynthAudio{}};
  auto path = dir / name;
  synthesize(path.string(), spec);
  return path;
}

TEST(Estimate, WholeClipWithAudio) {
  auto dir = test::scratch_dir();
  auto r = default_estimate_request(2, "Make it night.");
  auto e = estimate_file(clip(dir, "a.mp4", 4.0, true).string(), r);
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_EQ(e.plan, SendPlan::whole);
  EXPECT_NEAR(e.sent_seconds, 4.0, 0.05);
  EXPECT_TRUE(e.has_audio);
  EXPECT_DOUBLE_EQ(e.input_tokens_per_s, 5824);
  ASSERT_EQ(e.turns.turns.size(), 2u);
  EXPECT_NEAR(e.first_turn.usd(), e.sent_seconds * 0.13762 + 4 * 1.875e-6, 0.0005);
}

TEST(Estimate, SilentClipHasNoAudioTokensOnTurnOneOnly) {
  auto dir = test::scratch_dir();
  auto e = estimate_file(clip(dir, "silent.mp4", 4.0, false).string(), default_estimate_request(2, ""));
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_FALSE(e.has_audio);
  EXPECT_DOUBLE_EQ(e.turns.turns[0].tokens.input_audio, 0);
  EXPECT_GT(e.turns.turns[1].tokens.input_audio, 0);
}

TEST(Estimate, LongClipIsSplitIntoSegmentsAndEverySecondIsPriced) {
  auto dir = test::scratch_dir();
  auto path = clip(dir, "long.mp4", 23.0, true).string();
  auto r = default_estimate_request(1, "");
  auto e = estimate_file(path, r);
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_EQ(e.plan, SendPlan::split);
  EXPECT_EQ(e.segments, 3);
  EXPECT_NEAR(e.sent_seconds, 23.0, 0.05);
  EXPECT_NEAR(e.turns.output_tokens(), 23.0 * 5792, 5792 * 0.05);

  r.split = false;
  auto trimmed = estimate_file(path, r);
  EXPECT_EQ(trimmed.plan, SendPlan::trimmed);
  EXPECT_DOUBLE_EQ(trimmed.sent_seconds, 10.0);

  r.split = true;
  r.start = 5.0, r.end = 9.0;
  auto range = estimate_file(path, r);
  EXPECT_NEAR(range.sent_seconds, 4.0, 1e-9);
  EXPECT_EQ(range.segments, 1);
}

// Live recordings carry no duration in their header: they are priced on their true length.
TEST(Estimate, LiveRecordingsArePricedOnTheirTrueLength) {
  auto dir = test::scratch_dir();
  auto r = default_estimate_request(1, "");
  auto obs = dir / "obs.mkv", browser = dir / "browser.webm";
  synthesize(obs.string(), test::live_mkv(35));
  synthesize(browser.string(), test::live_webm(4));
  auto e = estimate_file(obs.string(), r);
  ASSERT_TRUE(e.ok()) << e.error;
  EXPECT_EQ(e.plan, SendPlan::split);
  EXPECT_EQ(e.segments, 4);
  EXPECT_NEAR(e.sent_seconds, 35.0, 1.0 / 30);
  EXPECT_NEAR(e.duration, 35.0, 1.0 / 30);
  auto w = estimate_file(browser.string(), r);
  ASSERT_TRUE(w.ok()) << w.error;
  EXPECT_EQ(w.plan, SendPlan::whole);
  EXPECT_NEAR(w.sent_seconds, 4.0, 1.0 / 30);
  EXPECT_TRUE(w.has_audio);
}

TEST(Estimate, FolderWithACorruptFileReportsItAndPricesTheRest) {
  auto dir = test::scratch_dir();
  clip(dir, "a.mp4", 3.5, true);
  fs::create_directories(dir / "sub");
  clip(dir / "sub", "b.mkv", 5.0, true);
  {  // a truncated MP4: the first 3 kB of a real one
    auto whole = clip(dir, "whole.mp4", 3.0, true);
    std::ifstream in(whole, std::ios::binary);
    std::string bytes(3000, '\0');
    in.read(bytes.data(), bytes.size());
    std::ofstream(dir / "broken.mp4", std::ios::binary) << bytes;
    fs::remove(whole);
  }
  std::ofstream(dir / "notes.txt") << "not media, and not picked up by the scan";

  auto b = estimate_paths({dir.string()}, default_estimate_request(1, ""));
  ASSERT_EQ(b.files.size(), 3u);
  EXPECT_EQ(b.failed(), 1);
  int priced = 0;
  for (const auto& f : b.files) {
    if (fs::path(f.path).filename() == "broken.mp4") {
      EXPECT_FALSE(f.ok());
      EXPECT_EQ(f.error_kind, ErrorKind::not_media);
      EXPECT_NE(f.error.find("broken.mp4"), std::string::npos);
    } else {
      EXPECT_TRUE(f.ok()) << f.error;
      ++priced;
    }
  }
  EXPECT_EQ(priced, 2);
  EXPECT_NEAR(b.sent_seconds(), 8.5, 0.1);

  // The CLI: JSON with an error entry, exit 1 because one file failed.
  auto r = test::run_omnicut({"estimate", dir.string(), "--turns", "2", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["total"]["failed"], 1);
  EXPECT_EQ(j["turns"], 2);
  EXPECT_NEAR(j["total"]["usd"].get<double>(), 2 * b.usd(), 0.001);
  EXPECT_GE(j["assumptions"].size(), 3u);
}

TEST(Estimate, PricingFileOverridesTheTable) {
  auto dir = test::scratch_dir();
  auto path = clip(dir, "a.mp4", 4.0, true);
  std::ofstream(dir / "pricing.json") << R"({"input_usd_per_mtok": 0, "output_usd_per_mtok": 1000000})";
  auto r = test::run_omnicut({"estimate", path.string(), "--pricing", (dir / "pricing.json").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto f = nlohmann::json::parse(r.out)["files"][0];
  // $1 per output token: the price is the output token count.
  EXPECT_NEAR(f["usd"].get<double>(), f["output_tokens"].get<double>(), 1e-6);
}

TEST(Estimate, SingleMissingFileExitsWithItsCode) {
  auto r = test::run_omnicut({"estimate", "/nonexistent/clip.mp4", "--json"});
  EXPECT_EQ(r.exit_code, 3);
}

}  // namespace
}  // namespace omnicut
