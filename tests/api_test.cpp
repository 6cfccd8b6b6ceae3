// The public API (api/include/omnicut/) as an embedding program calls it, and `omnicut --version`.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "omnicut/omnicut.h"
#include "tests/support/synth_clips.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;

constexpr double kSourceSeconds = 4.0;  // over the endpoint's 3 s minimum

fs::path source_clip(const fs::path& dir) {
  SynthSpec spec = test::clip(kSourceSeconds, 960, 540);
  fs::path path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

TEST(Api, ProbeSaysWhatTheFileHoldsAndWhatPrepWouldDo) {
  auto dir = test::scratch_dir();
  fs::path src = source_clip(dir);
  api::ProbeResult r = api::probe(src.string());
  EXPECT_EQ(r.size, fs::file_size(src));
  EXPECT_NEAR(r.duration, kSourceSeconds, 0.05);
  ASSERT_TRUE(r.video);
  EXPECT_EQ(r.video->width, 960);
  EXPECT_EQ(r.video->height, 540);
  EXPECT_EQ(r.audio.size(), 1u);
  EXPECT_EQ(r.verdict, api::Verdict::needs_prep);  // 960x540 is not a size the endpoint takes
  EXPECT_FALSE(r.actions.empty());
}

TEST(Api, ProbeThrowsTheErrorKindNamingTheFile) {
  auto dir = test::scratch_dir();
  try {
    api::probe((dir / "missing.mp4").string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
    EXPECT_NE(std::string(e.what()).find("missing.mp4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(api::probe((dir / "x.mp4").string(), "no/such-endpoint"), Error);
}

TEST(Api, PrepDoesWhatItsPlanSaidAndReportsProgress) {
  auto dir = test::scratch_dir();
  fs::path src = source_clip(dir);
  api::PrepOptions options;
  options.end = 3.5;
  api::PrepPlan plan = api::plan_prep(src.string(), options);
  EXPECT_DOUBLE_EQ(plan.end, 3.5);
  EXPECT_FALSE(plan.copy_video);  // the picture must be scaled
  std::vector<double> done;
  double total = 0;
  api::PrepResult r = api::prep(src.string(), (dir / "prepped.mp4").string(), options, [&](double d, double t) {
    done.push_back(d), total = t;
  });
  EXPECT_EQ(r.width, plan.width);
  EXPECT_EQ(r.height, plan.height);
  EXPECT_EQ(r.copied_video, plan.copy_video);
  EXPECT_NEAR(r.duration, 3.5, 0.05);
  EXPECT_EQ(r.size, fs::file_size(r.output));
  EXPECT_TRUE(fs::exists(r.sidecar));
  ASSERT_FALSE(done.empty());
  EXPECT_TRUE(std::is_sorted(done.begin(), done.end()));
  EXPECT_NEAR(total, 3.5, 0.05);
  EXPECT_EQ(api::probe(r.output).verdict, api::Verdict::ok);
}

TEST(Api, EstimatePricesEachFileAndReportsTheUnreadableOnes) {
  auto dir = test::scratch_dir();
  fs::path src = source_clip(dir);
  api::EstimateOptions options;
  options.turns = 2;
  api::Estimate e = api::estimate({src.string(), (dir / "missing.mp4").string()}, options);
  ASSERT_EQ(e.files.size(), 2u);
  EXPECT_TRUE(e.files[0].ok());
  EXPECT_GT(e.files[0].usd_first_turn, 0);
  EXPECT_GT(e.files[0].usd, e.files[0].usd_first_turn);  // turn 2 costs too
  EXPECT_DOUBLE_EQ(e.usd, e.files[0].usd);
  EXPECT_EQ(e.files[1].error_kind, ErrorKind::not_found);
  EXPECT_FALSE(e.assumptions.empty());
  options.turns = 0;
  EXPECT_THROW(api::estimate({src.string()}, options), Error);
}

TEST(Api, EditOnTheBuiltInEmulatorCallsBackAsItGoes) {
  auto dir = test::scratch_dir();
  fs::path src = source_clip(dir);
  api::EditOptions options;
  options.input = src.string();
  options.prompts = {"Make it night."};
  options.output = (dir / "edited.mp4").string();
  options.local = true;
  std::vector<std::string> stages;
  int progress_calls = 0;
  api::EditCallbacks callbacks;
  callbacks.on_stage = [&](const std::string& stage, const std::string&) { stages.push_back(stage); };
  callbacks.on_progress = [&](double, double, const std::string&) { ++progress_calls; };
  api::EditResult r = api::edit(options, callbacks);
  EXPECT_TRUE(r.simulated);
  EXPECT_EQ(r.turns, 1);
  EXPECT_TRUE(fs::exists(r.output));
  EXPECT_TRUE(fs::exists(r.ledger));
  for (const char* stage : {"prep", "upload", "download", "remux"})
    EXPECT_NE(std::find(stages.begin(), stages.end(), stage), stages.end()) << stage;
  EXPECT_GT(progress_calls, 0);
  EXPECT_NEAR(api::probe(r.output).duration, kSourceSeconds, 0.1);
}

TEST(Api, EditOnFalWithoutAKeyIsRefusedBeforeAnythingRuns) {
  auto dir = test::scratch_dir();
  fs::path src = source_clip(dir);
  for (const char* name : {"FAL_KEY", "FAL_KEY_ID", "FAL_KEY_SECRET"}) unsetenv(name);
  api::EditOptions options;
  options.input = src.string();
  options.prompts = {"Make it night."};
  options.output = (dir / "edited.mp4").string();
  try {
    api::edit(options);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::auth);
  }
  EXPECT_FALSE(fs::exists(options.output));
}

TEST(Version, CliPrintsOmnicutsAndTheFfmpegAndCurlItRunsWith) {
  auto r = test::run_omnicut({"--version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("omnicut " OMNICUT_VERSION "\n"), std::string::npos) << r.out;
  EXPECT_EQ(api::version(), OMNICUT_VERSION);
  // The libraries this machine has, as their pkg-config files give them (the same Debian packages).
  for (const char* lib : {"libavformat", "libavcodec", "libavutil", "libcurl"}) {
    std::string version = trimmed(test::run_program("pkg-config", {"--modversion", lib}).out);
    ASSERT_FALSE(version.empty()) << lib;
    EXPECT_NE(r.out.find(std::string(lib) + " " + version), std::string::npos) << lib << " " << version << "\n" << r.out;
  }
  EXPECT_EQ(r.out.rfind("FFmpeg ", 0), std::string::npos);  // omnicut's own line comes first
  EXPECT_NE(r.out.find("\nFFmpeg "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace omnicut
