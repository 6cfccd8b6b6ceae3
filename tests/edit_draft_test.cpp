// `omnicut edit --resolution`, and the draft -> final workflow on fal's v1.1 endpoint, against the
// loopback emulator: what is sent (the resolution field, one upload for both chains), what comes
// back (the frame size asked for, the source's audio in sync), what it cost (v1.1's bill in
// dollars from the grid), and the money path across both chains (refusals that send nothing, a
// --final run killed mid-way finished by --resume without a second submit).
#include <chrono>
#include <csignal>
#include <fstream>
#include <sys/wait.h>
#include <thread>

#include <gtest/gtest.h>

#include "codecs/testing/synth.h"
#include "common/error.h"
#include "emulator/emulator.h"
#include "model/endpoints.h"
#include "pipeline/edit/ledger.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/synth_clips.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::beep_onset;
using test::Emu;
using test::run_omnicut;

const std::string kV11 = "google/gemini-omni-flash/v1.1/edit";
const std::vector<std::string> kEnv = {"FAL_KEY=draft-test-key-0b1c2d3e4f"};

// 3 s, silent but for a beep (and a flash) at 1.0 s: where the beep lands in OUT says where the
// source's audio went.
fs::path make_source(const fs::path& dir) {
  test::beep_clip(dir / "source.mp4", 3.0, 480, 270, 1.0);
  return dir / "source.mp4";
}

std::vector<std::string> with_emulator(std::vector<std::string> args, const Emu& e) {
  for (const char* a : {"--fal-url", "", "--yes", "--poll-interval", "0.05", "--json"}) args.emplace_back(a);
  args[args.size() - 5] = e.emu.url();
  return args;
}

std::pair<int, int> frame_size(const fs::path& file) {
  const nlohmann::json probe = test::ffprobe(file);
  for (const auto& st : probe["streams"])
    if (st["codec_type"] == "video") return {st["width"].get<int>(), st["height"].get<int>()};
  return {0, 0};
}

// The last line of stderr, and how many lines it has.
std::pair<std::string, size_t> last_line(const std::string& err) {
  std::string text = err;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t lines = std::count(text.begin(), text.end(), '\n') + 1;
  return {text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1), lines};
}

TEST(EditDraft, ResolutionOnV1IsRefusedBeforeAnythingIsSent) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto r = run_omnicut(with_emulator({"edit", src.string(), "-o", (dir / "out.mp4").string(), "-p", "Make it anime.",
                                      "--resolution", "1080p"}, e),
                       kEnv);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(last_line(r.err).second, 1u) << r.err;
  EXPECT_NE(r.err.find("has no resolution field"), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().uploads, 0);
  EXPECT_EQ(e.emu.stats().submissions, 0);
  EXPECT_FALSE(fs::exists(default_ledger_path((dir / "out.mp4").string())));
}

TEST(EditDraft, V11AtAResolutionSendsItRendersThatSizeAndBillsInDollars) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(with_emulator({"edit", src.string(), "-o", out.string(), "-p", "Make it sepia.", "--endpoint",
                                      kV11, "--resolution", "1080p"}, e),
                       kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(frame_size(out), std::make_pair(1920, 1080));
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_EQ(s.turns.size(), 1u);
  const TurnRecord& t = s.turns[0];
  EXPECT_EQ(t.resolution, "1080p");
  EXPECT_EQ(t.submit_input.value("resolution", ""), "1080p");
  ASSERT_TRUE(t.billed && t.billed->value && t.cost_usd);
  EXPECT_NEAR(*t.billed->value, 3.0, 0.05);  // seconds of output
  EXPECT_DOUBLE_EQ(*t.cost_usd, *t.billed->value * 0.15);
  EXPECT_EQ(t.price_source, price_source::endpoint_table);
  EXPECT_EQ(e.emu.stats().pricing_lookups, 0);  // the grid prices it: fal's pricing is not asked
  EXPECT_NEAR(beep_onset(out), 1.0, 0.01);
  // The estimate event priced the same grid.
  EXPECT_NE(r.out.find("\"resolution\":\"1080p\""), std::string::npos);
}

// --restore gives back the source's frame from whatever size came back.
TEST(EditDraft, RestoreScalesA1080pResultBackToTheSourcesFrame) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(with_emulator({"edit", src.string(), "-o", out.string(), "-p", "Make it sepia.", "--endpoint",
                                      kV11, "--resolution", "1080p", "--restore"}, e),
                       kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(frame_size(out), std::make_pair(480, 270));
  EXPECT_NEAR(beep_onset(out), 1.0, 0.01);
}

// A draft at 360p, then the same chain at 1080p: one upload, 2 + 2 submissions, the draft kept.
TEST(EditDraft, DraftThenFinalRendersTheChainAgainFromTheSameUpload) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "clip.mp4";
  auto ledger = default_ledger_path(out.string());
  auto r = run_omnicut(with_emulator({"edit", src.string(), "--draft", "-p", "Make it anime.", "-p", "Make it night.",
                                      "-o", out.string()}, e),
                       kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(frame_size(out), std::make_pair(640, 360));
  Session draft = load_session(ledger);
  EXPECT_EQ(draft.endpoint, kV11);  // --draft picked the row that takes a resolution
  EXPECT_TRUE(draft.options.draft);
  EXPECT_EQ(draft.turns[1].resolution, "360p");

  r = run_omnicut(with_emulator({"edit", "--resume", ledger, "--final"}, e), kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.uploads, 1);
  ASSERT_EQ(stats.submissions, 4);
  Session s = load_session(ledger);
  ASSERT_TRUE(s.upload && s.draft);
  EXPECT_EQ(stats.video_urls[2], s.upload->url);  // the final's turn 1 reads the draft's upload
  EXPECT_EQ(stats.video_urls[3], s.turns[0].result->url);
  auto kept = dir / "clip.draft.mp4";
  EXPECT_EQ(s.draft->output, kept.string());
  EXPECT_EQ(frame_size(kept), std::make_pair(640, 360));
  EXPECT_EQ(frame_size(out), std::make_pair(1920, 1080));
  EXPECT_NEAR(beep_onset(out), 1.0, 0.01);
  EXPECT_NEAR(beep_onset(kept), 1.0, 0.01);
  EXPECT_EQ(s.turns[0].prompt, draft.turns[0].prompt);
  EXPECT_EQ(s.turns[1].resolution, "1080p");
  EXPECT_NEAR(s.cost_usd(), s.draft->cost_usd() + *s.turns[0].cost_usd + *s.turns[1].cost_usd, 1e-9);
  EXPECT_NEAR(s.draft->cost_usd(), 2 * 3.0 * 0.03, 0.01);
  // The estimate before the final said what the draft cost.
  EXPECT_NE(r.out.find("\"draft\":{\"resolution\":\"360p\""), std::string::npos) << r.out;

  auto h = run_omnicut({"history", ledger, "--json"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  auto j = nlohmann::json::parse(h.out);
  ASSERT_EQ(j["draft"]["turns"].size(), 2u);
  EXPECT_EQ(j["draft"]["turns"][0]["resolution"], "360p");
  EXPECT_EQ(j["turns"][0]["resolution"], "1080p");
  EXPECT_NEAR(j["totals"]["cost_usd"].get<double>(), s.cost_usd(), 1e-9);

  // Twice is refused, and so is --final on a session that is not a draft; nothing is sent.
  r = run_omnicut(with_emulator({"edit", "--resume", ledger, "--final"}, e), kEnv);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("already has its final"), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 4);
}

TEST(EditDraft, FinalOnASessionThatIsNotADraftIsRefused) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  ASSERT_EQ(run_omnicut(with_emulator({"edit", src.string(), "-o", out.string(), "-p", "Make it sepia."}, e), kEnv).exit_code, 0);
  auto r = run_omnicut(with_emulator({"edit", "--resume", default_ledger_path(out.string()), "--final"}, e), kEnv);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is not a draft session"), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);
  EXPECT_TRUE(fs::exists(out));
}

TEST(EditDraft, AFinalRunKilledMidwayIsFinishedByResumeWithoutASecondSubmit) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "clip.mp4";
  auto ledger = default_ledger_path(out.string());
  ASSERT_EQ(run_omnicut(with_emulator({"edit", src.string(), "--draft", "-p", "Make it anime.", "-p", "Make it night.",
                                       "-o", out.string()}, e),
                        kEnv)
                .exit_code,
            0);
  emulator::Faults hold;
  hold.queue_polls = 40;  // every job waits 40 status reads (~2 s at 0.05 s)
  e.emu.set_faults(hold);
  pid_t pid = test::spawn_omnicut(with_emulator({"edit", "--resume", ledger, "--final"}, e), kEnv, dir / "final.log");
  bool killed = false;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
       !killed && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      Session s = load_session(ledger);
      if (s.draft && s.turns[0].status == turn_status::submitted) kill(pid, SIGKILL), killed = true;
    } catch (const Error&) {
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed);
  EXPECT_EQ(e.emu.stats().submissions, 3);
  EXPECT_FALSE(fs::exists(out));                    // the draft was moved aside before the final was sent
  EXPECT_TRUE(fs::exists(dir / "clip.draft.mp4"));

  auto r = run_omnicut(with_emulator({"edit", "--resume", ledger}, e), kEnv);  // no --final needed again
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 4);  // turn 1 of the final was polled, not sent again
  EXPECT_EQ(e.emu.stats().uploads, 1);
  EXPECT_EQ(frame_size(out), std::make_pair(1920, 1080));
  EXPECT_EQ(frame_size(dir / "clip.draft.mp4"), std::make_pair(640, 360));
}

// A table that lists "1080P" lets the client send it; fal (the emulator, with the real table)
// queues it and its result answers 422, as fal validates an app's input: one line from fal's
// detail, exit 10, the turn failed, and nothing after it sent.
TEST(EditDraft, AResolutionOnlyFalRefusesIsOneLineAndExitTen) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  auto table = nlohmann::json::parse(builtin_endpoints_json());
  for (auto& row : table["endpoints"])
    if (row["id"] == kV11) {
      row["output"]["resolutions"]["1080P"] = {1920, 1080};
      row["billing"]["usd_per_output_second"]["1080P"] = 0.15;
    }
  auto table_file = dir / "endpoints.json";
  std::ofstream(table_file) << table.dump();
  Emu e;
  auto r = run_omnicut(with_emulator({"--endpoints", table_file.string(), "edit", src.string(), "-o",
                                      (dir / "out.mp4").string(), "-p", "Make it anime.", "-p", "Make it night.", "--endpoint", kV11,
                                      "--resolution", "1080P"}, e),
                       kEnv);
  EXPECT_EQ(r.exit_code, 10) << r.err;
  auto [line, lines] = last_line(r.err);
  EXPECT_NE(line.find("'360p', '720p', '1080p' or '4k'"), std::string::npos) << r.err;
  EXPECT_EQ(lines, 1u) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);  // turn 2 never sent
  EXPECT_FALSE(fs::exists(dir / "out.mp4"));
  Session s = load_session(default_ledger_path((dir / "out.mp4").string()));
  EXPECT_EQ(s.turns[0].status, turn_status::failed);
  EXPECT_EQ(s.turns[1].status, turn_status::pending);
}

}  // namespace
}  // namespace omnicut
