// The money path proven by killing it: a three-turn `omnicut edit` against an emulator that
// outlives every client is killed with SIGKILL at a random instant, then resumed (and killed
// again at random some of the time) until it exits 0, session after session. Every session must
// end with exactly one accepted submission per turn, chained by result URL, three completed
// turns in the ledger and a whole OUT. The instants are uniform over the run's measured length,
// stratified so the sessions' first kills cover all of it; the seed is printed
// (OMNICUT_KILL_SEED=N repeats a run's choices). Each kill is counted by the state it left the
// ledger in, and the mid-submit ("submitting") and polling ("submitted") ones must have been hit:
// the emulator's queue-ms keeps each job queued before it renders and its slow-submit answers the
// submit half-way through the job's measured time at the emulator, so both windows are wide; when
// the random instants still miss the submit (a loaded machine), one more session is killed mid-submit.
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "codecs/testing/synth.h"
#include "emulator/emulator.h"
#include "pipeline/edit/ledger.h"
#include "tests/support/edit_fixture.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::Emu;
using test::spawn_omnicut;
using test::read_text;
using Clock = std::chrono::steady_clock;

const std::string kKey = "money-kill-test-key-4c1e7a";
constexpr int kExitRefused = 11;
constexpr int kKilledSessions = 5;      // after one session run whole to measure the run's length
constexpr int kMaxKillsPerSession = 4;
constexpr int kMaxRunsPerSession = 12;
const std::vector<std::string> kPrompts = {"Make it sepia.", "Make it night.", "Mirror it."};

// A clip prep copies as it is (1280x720 H.264, AAC 48 kHz stereo, 3.2 s), so the runs spend
// their time on the money path, not in an encoder.
fs::path make_source(const fs::path& dir) {
  SynthSpec spec;
  spec.duration = 3.2;
  spec.width = 1280, spec.height = 720;
  spec.audio = {SynthAudio{}};
  auto path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

// The calibration run's faults: every submit answered 1.5 s after it is queued, every job kept
// queued 0.5 s before it renders.
emulator::Faults calibration_faults() {
  emulator::Faults f;
  f.slow_submit_ms = 1500;
  f.queue_ms = 500;
  return f;
}

// A job is busy at the emulator (queued, then rendering) for `busy_s` from its submit, which the
// load on the machine stretches. Answering the submit half-way through makes the window where a
// kill loses the answer ("submitting") as wide as the one where the client polls ("submitted"),
// without making the turn any longer.
emulator::Faults kill_faults(double busy_s) {
  emulator::Faults f = calibration_faults();
  f.slow_submit_ms = static_cast<int>(std::max(0.5, busy_s / 2) * 1000);
  return f;
}

std::vector<std::string> common_flags(const std::string& url) {
  return {"--fal-url", url, "--yes", "--poll-interval", "0.05", "--json", "--recover-wait", "20"};
}

std::vector<std::string> fresh_args(const fs::path& src, const fs::path& out, const std::string& url) {
  std::vector<std::string> args = {"edit", src.string(), "-o", out.string()};
  for (const auto& p : kPrompts) args.insert(args.end(), {"-p", p});
  for (auto& a : common_flags(url)) args.push_back(a);
  return args;
}

std::vector<std::string> resume_args(const std::string& ledger, const std::string& url, bool resend_lost) {
  std::vector<std::string> args = {"edit", "--resume", ledger};
  for (auto& a : common_flags(url)) args.push_back(a);
  if (resend_lost) args.push_back("--resend-lost");
  return args;
}

struct RunOutcome {
  bool killed = false;
  int exit_code = -1;  // when not killed
};

// Where a kill left the session: before the upload was recorded ("prep/upload"), the status of
// the first unfinished turn, or "completed" (every turn done: download and remux).
std::string ledger_state(const std::string& ledger) {
  if (!fs::exists(ledger)) return "prep/upload";
  Session s = load_session(ledger);
  if (!s.upload) return "prep/upload";
  for (const auto& t : s.turns)
    if (t.status != turn_status::completed) return t.status;
  return "completed";
}

// Runs omnicut and, when `kill_after` is given and it is still running then, SIGKILLs it.
// With `kill_in_state` ("submitting"), the kill comes as soon as `ledger` shows it instead.
RunOutcome run_until(const std::vector<std::string>& args, const fs::path& log, std::optional<double> kill_after,
                     const std::string& kill_in_state = "", const std::string& ledger = "") {
  pid_t pid = spawn_omnicut(args, {"FAL_KEY=" + kKey}, log);
  const auto started = Clock::now();
  const double limit = kill_after.value_or(300.0);
  for (;;) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      return {false, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
    if (std::chrono::duration<double>(Clock::now() - started).count() >= limit ||
        (!kill_in_state.empty() && ledger_state(ledger) == kill_in_state)) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      if (!kill_after) {
        ADD_FAILURE() << "omnicut ran over 300 s: " << read_text(log);
      }
      return {true, -1};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

struct Tally {
  std::map<std::string, int> kills_by_state;
  int kills = 0;
  int missed = 0;            // planned kills that came after the run had already exited
  int resent_never_left = 0; // refusals for a submit the emulator never got, then --resend-lost
};

// The submitting turn of a run that refused (exit 11) must be one the emulator never accepted:
// the kill came after "submitting" was saved and before the request left. Anything else would be
// a submit the request-history search failed to find.
void check_refusal_is_for_a_submit_that_never_left(const std::string& ledger, const emulator::Stats& stats,
                                                   const fs::path& log) {
  Session s = load_session(ledger);
  const TurnRecord* lost = nullptr;
  for (const auto& t : s.turns)
    if (t.status == turn_status::submitting) lost = &t;
  ASSERT_NE(lost, nullptr) << "refused without a submitting turn: " << read_text(log);
  for (const auto& url : stats.video_urls)
    ASSERT_NE(url, lost->input_url) << "turn " << lost->turn << " was accepted by the emulator but not recovered: "
                                    << read_text(log);
}

// The session's end state, refereed by the emulator's counters.
void check_session(const Emu& e, const fs::path& out, const std::string& ledger, int slow_submits_at_least) {
  auto stats = e.emu.stats();
  Session s = load_session(ledger);
  EXPECT_EQ(stats.submissions, 3) << "one accepted submission per turn";
  EXPECT_EQ(s.completed_turns(), 3);
  ASSERT_TRUE(s.upload);
  ASSERT_EQ(stats.video_urls.size(), 3u);
  EXPECT_EQ(stats.video_urls[0], s.upload->url);
  std::set<std::string> ids;
  for (size_t k = 0; k < s.turns.size(); ++k) {
    ASSERT_TRUE(s.turns[k].result) << "turn " << k + 1;
    if (k > 0) {
      EXPECT_EQ(stats.video_urls[k], s.turns[k - 1].result->url) << "turn " << k + 1 << " edits turn " << k;
    }
    ids.insert(s.turns[k].request_id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_GE(stats.slow_submits, slow_submits_at_least);  // the faults fired
  EXPECT_GE(stats.queue_delayed, 3);
  ASSERT_TRUE(fs::exists(out));
  auto probe = test::ffprobe(out);
  EXPECT_NEAR(std::stod(probe["format"]["duration"].get<std::string>()), 3.2, 0.25);
  std::set<std::string> kinds;
  for (const auto& st : probe["streams"]) kinds.insert(st["codec_type"].get<std::string>());
  EXPECT_EQ(kinds, (std::set<std::string>{"audio", "video"}));
}

// A resumed run's kill: uniform over what is left of the run's expected length, by the share of
// turns still to finish (and at least a second: the start, the download and the remux).
double within_rest(const std::string& ledger, double expected_s, std::mt19937& rng) {
  int left = 3;
  if (fs::exists(ledger)) left -= load_session(ledger).completed_turns();
  std::uniform_real_distribution<double> instant(0.0, std::max(1.0, expected_s * left / 3));
  return instant(rng);
}

// One session: its first run killed at `first_kill` seconds (none: run whole), then resumed until
// it exits 0. Returns the wall time of the whole session.
double run_session(int index, const fs::path& root, const fs::path& src, const emulator::Faults& faults,
                   std::optional<double> first_kill, double expected_s, std::mt19937& rng, Tally& tally,
                   const std::string& first_kill_in_state = "") {
  auto dir = root / ("session" + std::to_string(index));
  fs::create_directories(dir);
  Emu e(faults);
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  const auto started = Clock::now();
  int kills = 0;
  bool resend_lost = false, done = false;
  std::bernoulli_distribution kill_again(0.8);
  for (int run = 0; run < kMaxRunsPerSession && !done; ++run) {
    std::optional<double> kill_at;
    if (run == 0) kill_at = first_kill;
    else if (first_kill && kills < kMaxKillsPerSession && kill_again(rng)) kill_at = within_rest(ledger, expected_s, rng);
    auto log = dir / ("run" + std::to_string(run) + ".log");
    auto args = fs::exists(ledger) ? resume_args(ledger, e.emu.url(), resend_lost) : fresh_args(src, out, e.emu.url());
    const std::string kill_in_state = run == 0 ? first_kill_in_state : "";
    RunOutcome o = run_until(args, log, kill_at, kill_in_state, ledger);
    resend_lost = false;
    if (o.killed) {
      std::string state = ledger_state(ledger);
      ++kills, ++tally.kills, ++tally.kills_by_state[state];
      const std::string when = kill_in_state.empty() ? "at " + std::to_string(*kill_at) + " s" : "when its ledger said " + kill_in_state;
      std::printf("session %d run %d: killed %s, ledger %s\n", index, run, when.c_str(), state.c_str());
      continue;
    }
    if (kill_at) ++tally.missed;
    if (o.exit_code == kExitRefused) {
      check_refusal_is_for_a_submit_that_never_left(ledger, e.emu.stats(), log);
      if (::testing::Test::HasFatalFailure()) return 0;
      ++tally.resent_never_left;
      resend_lost = true;
      continue;
    }
    if (o.exit_code != 0) {
      ADD_FAILURE() << "session " << index << " run " << run << " exited " << o.exit_code << ": " << read_text(log);
      return 0;
    }
    done = true;
  }
  if (!done) {
    ADD_FAILURE() << "session " << index << " did not finish in " << kMaxRunsPerSession << " runs";
    return 0;
  }
  check_session(e, out, ledger, 3);
  return std::chrono::duration<double>(Clock::now() - started).count();
}

unsigned seed_from_env() {
  if (const char* s = std::getenv("OMNICUT_KILL_SEED")) return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

TEST(MoneyKill, KilledAtRandomInstantsEachTurnIsSubmittedOnceAndTheSessionFinishes) {
  const unsigned seed = seed_from_env();
  std::printf("seed %u (OMNICUT_KILL_SEED=%u repeats these choices)\n", seed, seed);
  std::mt19937 rng(seed);
  const auto root = test::scratch_dir();
  const auto src = make_source(root);
  Tally tally;

  // One whole run measures how long a session, and a job at the emulator, take on this machine now.
  const double whole_s = run_session(0, root, src, calibration_faults(), std::nullopt, 0, rng, tally);
  ASSERT_FALSE(HasFailure());
  double run_s = 0;
  for (const auto& t : load_session(default_ledger_path((root / "session0" / "out.mp4").string())).turns)
    run_s += t.timings.run_s / 3;  // from the submit's answer to the result
  const emulator::Faults faults = kill_faults(calibration_faults().slow_submit_ms / 1000.0 + run_s);
  std::printf("an unkilled session took %.2f s; a turn %.2f s after its submit's answer; slow-submit=%d\n", whole_s,
              run_s, faults.slow_submit_ms);

  // Session i's first kill falls uniformly within the i-th of kKilledSessions equal slices of it.
  const double slice = whole_s / kKilledSessions;
  for (int i = 0; i < kKilledSessions && !HasFailure(); ++i) {
    std::uniform_real_distribution<double> within(i * slice, (i + 1) * slice);
    run_session(i + 1, root, src, faults, within(rng), whole_s, rng, tally);
  }

  // The uniform instants can all miss the submit's window on a loaded machine; then one more
  // session is killed the moment its ledger says "submitting", so that path is always exercised.
  if (tally.kills_by_state["submitting"] == 0 && !HasFailure()) {
    std::printf("no random kill landed mid-submit: one more session, killed when its ledger says submitting\n");
    run_session(kKilledSessions + 1, root, src, faults, 300.0, whole_s, rng, tally, "submitting");
  }

  std::printf("kills: %d (%d planned ones came after the run had ended); refusals for a submit that never left, "
              "resent with --resend-lost: %d\n",
              tally.kills, tally.missed, tally.resent_never_left);
  for (const char* state : {"prep/upload", "pending", "submitting", "submitted", "completed"})
    std::printf("  ledger %-11s %d\n", state, tally.kills_by_state[state]);
  for (const auto& [state, n] : tally.kills_by_state)
    EXPECT_TRUE(state == "prep/upload" || state == "pending" || state == "submitting" || state == "submitted" ||
                state == "completed")
        << n << " kill(s) left a turn " << state;
  EXPECT_GE(tally.kills_by_state["submitting"], 1) << "no kill landed mid-submit";
  EXPECT_GE(tally.kills_by_state["submitted"], 1) << "no kill landed while a turn was polled";
}

}  // namespace
}  // namespace omnicut
