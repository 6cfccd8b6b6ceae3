// Picture sync: the edited clip's motion lined up with the source's (pipeline/media/alignment.h).
// The emulator's renders stand in for the model: every look with no time fault is in sync (no
// false alarm), `shift` and `retime` are found within a frame and 0.5 %, a still clip is low
// confidence; through `edit` the result is in the ledger, said in one line and shown by
// `history`; `omnicut sync` prints the same for any pair.
#include <gtest/gtest.h>

#include "common/error.h"
#include "emulator/render.h"
#include "model/endpoints.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/media/alignment.h"
#include "tests/support/edit_fixture.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;

// 6 s of moving test pattern with a tone: motion everywhere, as real footage has.
fs::path moving_source(const fs::path& dir) {
  auto path = dir / "source.mp4";
  auto r = test::run_program("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "testsrc2=size=480x270:rate=30:duration=6", "-f",
                                        "lavfi", "-i", "sine=duration=6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                                        "yuv420p", "-c:a", "aac", "-shortest", path.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

fs::path render(const fs::path& src, const fs::path& out, const std::string& prompt, emulator::TimeFault time = {}) {
  const Endpoint& ep = default_endpoint();
  emulator::render_edit(src.string(), out.string(), prompt, ep, *ep.output_size(ep.default_resolution), {}, time);
  return out;
}

constexpr double kFrame = 1.0 / 24;  // the model's (and the emulator's) output rate

TEST(Sync, EveryLookWithNoTimeFaultIsInSync) {
  auto dir = test::scratch_dir();
  auto src = moving_source(dir);
  for (const std::string prompt : {"Make it anime.", "Make it sepia.", "Make it night.", "Mirror it.", "Make it better."}) {
    Alignment a = measure_alignment(render(src, dir / "edited.mp4", prompt).string(), src.string(), std::nullopt, std::nullopt);
    EXPECT_TRUE(a.confident) << prompt << ": " << a.verdict;
    EXPECT_TRUE(a.in_sync) << prompt << ": " << a.verdict;
    EXPECT_LT(std::fabs(a.offset_s), kFrame) << prompt;
    EXPECT_LT(std::fabs(a.scale - 1), 0.005) << prompt;
  }
}

TEST(Sync, APictureStartedLateIsFoundWithinAFrame) {
  auto dir = test::scratch_dir();
  auto src = moving_source(dir);
  auto edited = render(src, dir / "late.mp4", "Make it night.", {0.25, 0});
  Alignment a = measure_alignment(edited.string(), src.string(), std::nullopt, std::nullopt);
  ASSERT_TRUE(a.confident) << a.verdict;
  EXPECT_FALSE(a.in_sync);
  EXPECT_NEAR(a.offset_s + (a.scale - 1) * 3.0, 0.25, kFrame) << a.offset_s << " " << a.scale;  // at the middle
  EXPECT_NEAR(a.offset_s, 0.25, kFrame);
  EXPECT_NE(a.verdict.find("late by"), std::string::npos) << a.verdict;
}

TEST(Sync, APictureRunningSlowIsFoundWithinHalfAPercent) {
  auto dir = test::scratch_dir();
  auto src = moving_source(dir);
  auto edited = render(src, dir / "slow.mp4", "Make it sepia.", {0, 1.04});
  Alignment a = measure_alignment(edited.string(), src.string(), std::nullopt, std::nullopt);
  ASSERT_TRUE(a.confident) << a.verdict;
  EXPECT_NEAR(a.scale, 1.04, 0.005);
  EXPECT_LT(std::fabs(a.offset_s), kFrame);
  EXPECT_NE(a.verdict.find("slow"), std::string::npos) << a.verdict;
}

TEST(Sync, AStillClipIsLowConfidenceNotAGuess) {
  auto dir = test::scratch_dir();
  auto still = dir / "still.mp4";
  ASSERT_EQ(test::run_program("ffmpeg", {"-v", "error", "-f", "lavfi", "-i", "color=gray:size=480x270:rate=30:duration=4", "-c:v",
                                         "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", still.string()})
                .exit_code,
            0);
  auto edited = render(still, dir / "edited.mp4", "Make it anime.");
  Alignment a = measure_alignment(edited.string(), still.string(), std::nullopt, std::nullopt);
  EXPECT_FALSE(a.confident);
  EXPECT_NE(a.verdict.find("low confidence"), std::string::npos) << a.verdict;
}

TEST(Sync, EditRecordsItSaysItAndTheSyncCommandAgrees) {
  auto dir = test::scratch_dir();
  auto src = moving_source(dir);
  emulator::Faults shift;
  shift.shift_s = 0.25;
  test::Emu e(shift);
  auto out = dir / "out.mp4";
  auto r = test::run_omnicut({"edit", src.string(), "-p", "Make it anime.", "-o", out.string(), "--fal-url", e.emu.url(), "--yes",
                              "--poll-interval", "0.05", "--json", "--no-report"},
                             {"FAL_KEY=sync-test-key-9z8y7x6w"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().retimed_renders, 1);  // the fault fired
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_TRUE(s.final_output && s.final_output->sync);
  EXPECT_NEAR(s.final_output->sync->offset_s, 0.25, kFrame);
  EXPECT_NE(r.out.find("sync: the edited picture late by"), std::string::npos);
  EXPECT_NE(r.out.find("\"sync\":{"), std::string::npos);  // the result event carries it

  auto sync = test::run_omnicut({"sync", out.string(), "--source", src.string(), "--json"});
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  auto j = nlohmann::json::parse(sync.out);
  EXPECT_NEAR(j["offset_ms"].get<double>(), 250, kFrame * 1000);
  EXPECT_FALSE(j["in_sync"].get<bool>());
  auto bad = test::run_omnicut({"sync", (dir / "missing.mp4").string(), "--source", src.string()});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("missing.mp4"), std::string::npos);
}

}  // namespace
}  // namespace omnicut
