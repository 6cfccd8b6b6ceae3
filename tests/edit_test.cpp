// `omnicut edit` end to end against the loopback emulator (tests/emulator): two chained turns with
// the source's audio back in sync, kill + --resume without a second submit, budget and
// confirmation refusals that send nothing, 422/401 as one line, faults survived.
#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include <gtest/gtest.h>

#include "client/fal.h"
#include "codecs/testing/synth.h"
#include "common/error.h"
#include "pipeline/edit/edit_session.h"
#include "pipeline/edit/ledger.h"
#include "emulator/emulator.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/recording_events.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::beep_onset;
using test::Emu;
using test::run_omnicut;
using test::spawn_omnicut;

const std::string kKey = "h6-edit-test-key-5f0c1d2e3a4b";

// A silent source with a beep at 2.0 s and a flash at the same instant: the beep's onset in OUT
// says where the source audio landed.
fs::path make_source(const fs::path& dir) {
  SynthSpec spec;
  spec.duration = 6.0;
  spec.width = 480, spec.height = 270;
  SynthAudio a;
  a.tone_hz = 0;
  spec.audio = {a};
  spec.beeps = {2.0};
  spec.flashes = {2.0};
  auto path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

std::vector<std::string> env_with_key() { return {"FAL_KEY=" + kKey}; }

std::vector<std::string> edit_args(const fs::path& src, const fs::path& out, const std::string& url,
                                   std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"edit", src.string(), "-o", out.string(), "--fal-url", url, "--yes",
                                   "--poll-interval", "0.05", "--json"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

Session ledger_of(const fs::path& out) { return load_session(default_ledger_path(out.string())); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Edit, TwoTurnsChainedByResultUrlWithTheSourceAudioInSync) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"--start", "1", "--end", "5", "-p", "Make this video anime.",
                                                         "-p", "Make it night.", "--keep-rest"}),
                       env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto stats = e.emu.stats();
  EXPECT_EQ(stats.uploads, 1);
  ASSERT_EQ(stats.submissions, 2);
  Session s = ledger_of(out);
  ASSERT_EQ(s.turns.size(), 2u);
  ASSERT_TRUE(s.upload && s.turns[0].result && s.turns[1].result);
  EXPECT_EQ(stats.video_urls[0], s.upload->url);
  EXPECT_EQ(stats.video_urls[1], s.turns[0].result->url);  // no download/upload between turns
  EXPECT_EQ(s.turns[0].prompt, "Make this video anime. Keep everything else the same.");
  EXPECT_EQ(s.turns[1].status, turn_status::completed);
  EXPECT_FALSE(s.turns[1].request_id.empty());
  for (const auto& t : s.turns) {
    // fal's bill, as the result's x-fal-billable-units sent it; the table publishes no price for
    // one of its units, so fal's pricing route gave it (the emulator's: a dollar a unit).
    EXPECT_EQ(t.cost_source, cost_source::billed);
    ASSERT_TRUE(t.billed && t.billed->value) << t.turn;
    ASSERT_TRUE(t.cost_usd) << t.turn;
    EXPECT_DOUBLE_EQ(*t.cost_usd, *t.billed->value);
    EXPECT_EQ(t.price_source, price_source::fal_pricing);
    EXPECT_GT(t.estimated_usd, 0);
    // The emulator bills a dollar a unit by the same table: bill and estimate agree.
    EXPECT_NEAR(*t.billed->value, t.estimated_usd, 0.1 * t.estimated_usd) << t.turn;
  }
  EXPECT_EQ(stats.pricing_lookups, 1);  // once for the run, not once a turn
  EXPECT_EQ(s.unknown_cost_turns(), 0);
  auto history = run_omnicut({"history", default_ledger_path(out.string()), "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  auto h = nlohmann::json::parse(history.out);
  EXPECT_EQ(h["turns"][0]["cost_source"], "billed");
  EXPECT_EQ(h["turns"][0]["billed_units"]["raw"], s.turns[0].billed->raw);
  EXPECT_EQ(h["turns"][0]["cost_usd"], *s.turns[0].cost_usd);
  EXPECT_EQ(h["turns"][0]["unit_price"], 1.0);
  EXPECT_EQ(h["turns"][0]["price_unit"], "units");
  EXPECT_EQ(h["turns"][0]["price_source"], "/v1/models/pricing");
  EXPECT_EQ(h["totals"]["unknown_cost_turns"], 0);

  auto probe = test::ffprobe(out);
  double duration = std::stod(probe["format"]["duration"].get<std::string>());
  EXPECT_NEAR(duration, 4.0, 0.1);
  bool has_audio = false;
  for (auto& st : probe["streams"]) has_audio |= st["codec_type"] == "audio";
  ASSERT_TRUE(has_audio);
  EXPECT_NEAR(beep_onset(out), 1.0, 0.01);  // the source's beep at 2.0 s, cut at 1.0 s
  EXPECT_EQ(slurp(default_ledger_path(out.string())).find(kKey), std::string::npos);
  // The work folder is gone; only the source, OUT, its ledger and its report (page and pictures) remain.
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, (std::set<std::string>{"source.mp4", "out.mp4", "out.mp4.omnicut.json", "out.mp4.report.html", "out.mp4.report"}));
}

TEST(Edit, KilledAfterTurnTwoIsSubmittedResumesWithoutASecondSubmit) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  emulator::Faults hold;
  hold.queue_polls = 40;  // every job waits 40 status reads (~2 s at 0.05 s)
  Emu e(hold);
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  auto args = edit_args(src, out, e.emu.url(), {"-p", "Make it sepia.", "-p", "Make it night."});
  pid_t pid = spawn_omnicut(args, env_with_key(), dir / "first.log");

  bool killed = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && !killed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      Session s = load_session(ledger);
      if (s.turns.size() == 2 && s.turns[1].status == turn_status::submitted) {
        kill(pid, SIGKILL);
        killed = true;
      }
    } catch (const Error&) {
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed) << slurp(dir / "first.log");
  EXPECT_EQ(e.emu.stats().submissions, 2);
  EXPECT_FALSE(fs::exists(out));

  auto r = run_omnicut({"edit", "--resume", ledger, "--fal-url", e.emu.url(), "--yes", "--poll-interval", "0.05", "--json"},
                       env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 2);  // turn 2 was polled, not sent again
  EXPECT_EQ(e.emu.stats().uploads, 1);
  Session s = load_session(ledger);
  EXPECT_EQ(s.completed_turns(), 2);
  auto probe = test::ffprobe(out);
  EXPECT_NEAR(std::stod(probe["format"]["duration"].get<std::string>()), 6.0, 0.15);
  EXPECT_NEAR(beep_onset(out), 2.0, 0.01);

  // More prompts add turns to the same session: one more submit, reading turn 2's result.
  r = run_omnicut({"edit", "--resume", ledger, "-p", "Make it black and white.", "--fal-url", e.emu.url(), "--yes",
                   "--poll-interval", "0.05", "--json"},
                  env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 3);
  s = load_session(ledger);
  EXPECT_EQ(stats.video_urls[2], s.turns[1].result->url);
}

TEST(Edit, ASubmitWhoseAnswerWasLostIsNeverResentAutomatically) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  emulator::Faults drop;
  drop.drop_submit = true;      // accepted (and billed), then the connection drops
  drop.history_hidden = true;   // and fal's request history does not list it (tests/history_recovery_test.cpp)
  Emu e(drop);
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it night.", "--recover-wait", "0"}), env_with_key());
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);
  EXPECT_EQ(ledger_of(out).turns[0].status, turn_status::submitting);

  r = run_omnicut({"edit", "--resume", default_ledger_path(out.string()), "--fal-url", e.emu.url(), "--yes", "--json",
                   "--recover-wait", "0"},
                  env_with_key());
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_NE(r.err.find("fal may still have it queued"), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);
}

TEST(Edit, OverBudgetSendsNothing) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it night.", "-p", "Make it sepia.", "--max-cost", "0.50"}),
                       env_with_key());
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("--max-cost"), std::string::npos);
  EXPECT_EQ(e.emu.stats().submissions, 0);
  EXPECT_EQ(e.emu.stats().uploads, 0);
  EXPECT_FALSE(fs::exists(out));
}

TEST(Edit, WithoutYesANonTerminalRefusesAndSendsNothing) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut({"edit", src.string(), "-p", "Make it night.", "-o", out.string(), "--fal-url", e.emu.url()},
                       env_with_key());
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_NE(r.err.find("--yes"), std::string::npos);
  EXPECT_EQ(e.emu.stats().submissions + e.emu.stats().uploads, 0);
}

TEST(Edit, DryRunSendsNothingAndWritesNoLedger) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it night.", "--dry-run"}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions + e.emu.stats().uploads, 0);
  EXPECT_FALSE(fs::exists(default_ledger_path(out.string())));
  EXPECT_FALSE(fs::exists(out));
}

TEST(Edit, ValidationErrorIsOneLineWithTheField) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", ""}), env_with_key());
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("prompt"), std::string::npos) << r.err;
  EXPECT_EQ(ledger_of(out).turns[0].status, turn_status::failed);
}

TEST(Edit, MissingKeyNamesFalKeyAndLocal) {
  auto dir = test::scratch_dir();
  auto r = test::run_program("env", {"-u", "FAL_KEY", "-u", "FAL_KEY_ID", "-u", "FAL_KEY_SECRET", "-u", "OMNICUT_FAL_URL",
                                     OMNICUT_BIN, "edit", (dir / "x.mp4").string(), "-p", "x", "-o", (dir / "o.mp4").string()});
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("FAL_KEY"), std::string::npos);
  EXPECT_NE(r.err.find("--local"), std::string::npos);
}

TEST(Edit, RejectedKeyIsAnAuthError) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  // No credentials at all reach the emulator: it answers 401 as fal does.
  client::Fal fal{client::FalUrls::at_origin(e.emu.url()), client::Http(std::nullopt, client::HttpOptions{})};
  test::RecordingEvents events;
  EditContext ctx;
  ctx.fal = &fal;
  ctx.server = e.emu.url();
  ctx.events = &events;
  EditOptions o;
  o.input = src.string();
  o.output = (dir / "out.mp4").string();
  o.prompts = {"Make it night."};
  try {
    run_edit(o, ctx);
    FAIL() << "expected a 401";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::auth) << err.what();
    EXPECT_EQ(std::string(err.what()).find('\n'), std::string::npos);
  }
  EXPECT_EQ(e.emu.stats().submissions, 0);
}

TEST(Edit, SurvivesRateLimitsServerErrorsAndADroppedDownload) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  emulator::Faults f;
  f.rate_limit = 2;
  f.status_errors = 2;
  f.drop_download = true;
  Emu e(f);
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it night.", "-p", "Make it sepia."}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 2);
  EXPECT_EQ(e.emu.stats().uploads, 1);
  EXPECT_NEAR(beep_onset(out), 2.0, 0.01);
}

TEST(Edit, AResultWithoutABillLeavesTheTurnEstimated) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("no-bill"));
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it sepia."}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Session s = ledger_of(out);
  ASSERT_EQ(s.turns.size(), 1u);
  const TurnRecord& t = s.turns[0];
  EXPECT_EQ(t.cost_source, cost_source::estimated);
  EXPECT_FALSE(t.billed);
  ASSERT_TRUE(t.cost_usd);
  EXPECT_GT(*t.cost_usd, 0);
  EXPECT_DOUBLE_EQ(*t.cost_usd, t.estimated_usd);
  auto h = nlohmann::json::parse(run_omnicut({"history", default_ledger_path(out.string()), "--json"}).out);
  EXPECT_EQ(h["turns"][0]["cost_source"], "estimated");
  EXPECT_TRUE(h["turns"][0]["billed_units"].is_null());
  EXPECT_EQ(h["totals"]["unknown_cost_turns"], 0);
}

TEST(Edit, LocalRunsTheWholeJobWithoutAKey) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  auto out = dir / "out.mp4";
  auto r = test::run_program("env", {"-u", "FAL_KEY", "-u", "FAL_KEY_ID", "-u", "FAL_KEY_SECRET", OMNICUT_BIN, "edit",
                                     src.string(), "-p", "Make it anime.", "-p", "Make it night.", "-o", out.string(),
                                     "--local", "--json", "--poll-interval", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("nothing is billed"), std::string::npos);
  Session s = ledger_of(out);
  EXPECT_TRUE(s.local);
  EXPECT_EQ(s.completed_turns(), 2);
  for (const auto& t : s.turns) {  // the built-in emulator prices its units at a dollar: priced, simulated
    ASSERT_TRUE(t.billed && t.billed->value && t.cost_usd) << t.turn;
    EXPECT_DOUBLE_EQ(*t.cost_usd, *t.billed->value);
  }
  // JSON-lines on stdout: every line parses, and the last is the result.
  std::istringstream lines(r.out);
  std::string line, last;
  while (std::getline(lines, line)) {
    ASSERT_NO_THROW(nlohmann::json::parse(line)) << line;
    last = line;
  }
  EXPECT_EQ(nlohmann::json::parse(last)["event"], "result");
  EXPECT_NEAR(beep_onset(out), 2.0, 0.01);
}

TEST(Edit, FromTurnBranchesANewSessionFromThatResult) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  ASSERT_EQ(run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it anime.", "-p", "Make it night."}), env_with_key()).exit_code, 0);
  Session parent = ledger_of(out);
  auto branch = dir / "branch.mp4";
  auto r = run_omnicut({"edit", "--resume", default_ledger_path(out.string()), "--from-turn", "1", "-p", "Make it sepia.",
                        "-o", branch.string(), "--fal-url", e.emu.url(), "--yes", "--json", "--poll-interval", "0.05"},
                       env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 3);
  EXPECT_EQ(stats.uploads, 1);
  EXPECT_EQ(stats.video_urls[2], parent.turns[0].result->url);
  Session b = ledger_of(branch);
  ASSERT_EQ(b.turns.size(), 2u);
  EXPECT_FALSE(b.turns[0].inherited_from.empty());
  ASSERT_TRUE(b.turns[1].cost_usd);
  EXPECT_DOUBLE_EQ(b.cost_usd(), *b.turns[1].cost_usd);  // the inherited turn is billed in the parent only
  EXPECT_TRUE(fs::exists(branch));
}

// Work once: what the edit probed for its estimate is handed to prep, not probed again. So an
// edit opens its source just once more than `prep` of the same range does: for the content hash
// that --resume checks.
TEST(Edit, OpensItsSourceOnlyOnceMoreThanPrepDoes) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  auto prep = test::count_opens(src, {"prep", src.string(), "-o", (dir / "prepped.mp4").string(), "--start", "1", "--end", "5"});
  if (prep.opens < 0) GTEST_SKIP() << "strace cannot trace here: " << prep.run.err;
  ASSERT_EQ(prep.run.exit_code, 0) << prep.run.err;
  auto probe = test::count_opens(src, {"probe", src.string(), "--json"});
  auto edit = test::count_opens(src, {"edit", src.string(), "-p", "Make it night.", "-o", (dir / "out.mp4").string(),
                                      "--start", "1", "--end", "5", "--local", "--dry-run", "--json"});
  ASSERT_EQ(edit.run.exit_code, 0) << edit.run.err;
  EXPECT_GT(probe.opens, 0);  // so a second probe would show
  EXPECT_EQ(edit.opens, prep.opens + 1) << "prep opens the source " << prep.opens << " times, probe " << probe.opens;
}

TEST(Edit, RestoreGivesBackTheSourcesFrame) {
  auto dir = test::scratch_dir();
  SynthSpec spec;  // 4:3: prep pads it to 1280x720, --restore crops the bars away again
  spec.duration = 4.0;
  spec.width = 320, spec.height = 240;
  spec.audio = {SynthAudio{}};
  auto src = dir / "four_three.mp4";
  synthesize(src.string(), spec);
  auto out = dir / "out.mp4";
  auto r = run_omnicut({"edit", src.string(), "-p", "Make it sepia.", "-o", out.string(), "--local", "--restore", "--json",
                        "--poll-interval", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto probe = test::ffprobe(out);
  bool audio = false;
  for (auto& st : probe["streams"]) {
    if (st["codec_type"] == "video") {
      EXPECT_EQ(st["width"], 320);
      EXPECT_EQ(st["height"], 240);
    }
    audio |= st["codec_type"] == "audio";
  }
  EXPECT_TRUE(audio);
  Session s = ledger_of(out);
  ASSERT_TRUE(s.final_output && s.final_output->restore);
  EXPECT_EQ(s.final_output->restore->width, 320);
  EXPECT_EQ(s.final_output->restore->height, 240);
}

}  // namespace
}  // namespace omnicut
