// The money path of `omnicut edit` against the loopback emulator: one process per session (a
// second one refuses, a killed holder blocks nobody), a submit that never left is pending and is
// sent once by the next run, a turn's polls reuse a connection, and a turn past its deadline stays
// submitted for --resume. Plus the client's errors keeping their cause and whether they left.
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "client/errors.h"
#include "client/fal.h"
#include "client/queue.h"
#include "codecs/testing/synth.h"
#include "common/error.h"
#include "emulator/emulator.h"
#include "pipeline/edit/ledger.h"
#include "tests/support/edit_fixture.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::Emu;
using test::run_omnicut;
using test::read_text;
using test::spawn_omnicut;
using Clock = std::chrono::steady_clock;

const std::string kKey = "money-path-test-key-93ab1c";
const std::string kEndpoint = "google/gemini-omni-flash/edit";
constexpr int kExitNetwork = 8, kExitRefused = 11;

fs::path make_source(const fs::path& dir) {
  SynthSpec spec;
  spec.duration = 4.0;
  spec.width = 320, spec.height = 180;
  auto path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

std::vector<std::string> env_with_key() { return {"FAL_KEY=" + kKey}; }

std::vector<std::string> common_flags(const std::string& url) {
  return {"--fal-url", url, "--yes", "--poll-interval", "0.05", "--json"};
}

std::vector<std::string> edit_args(const fs::path& src, const fs::path& out, const std::string& url,
                                   std::vector<std::string> more) {
  std::vector<std::string> args = {"edit", src.string(), "-o", out.string()};
  for (auto& a : common_flags(url)) args.push_back(a);
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> resume_args(const std::string& ledger, const std::string& url,
                                     std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"edit", "--resume", ledger};
  for (auto& a : common_flags(url)) args.push_back(a);
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Polls the ledger until `ready` holds for it (false after 120 s).
template <typename Ready>
bool wait_for_ledger(const std::string& ledger, Ready ready) {
  auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    try {
      if (ready(load_session(ledger))) return true;
    } catch (const Error&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// A port on loopback where nothing listens: an emulator's, once it has stopped.
std::string closed_origin() {
  emulator::Emulator gone(emulator::Options{});
  gone.start();
  std::string url = gone.url();
  gone.stop();
  return url;
}

TEST(MoneyPath, TwoConcurrentResumesSubmitEachTurnOnceAndOneRefuses) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  emulator::Faults hold;
  hold.queue_polls = 40;  // every job waits 40 status reads (~2 s at 0.05 s)
  Emu e(hold);
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  pid_t first = spawn_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it sepia.", "-p", "Make it night."}),
                              env_with_key(), dir / "first.log");
  bool submitted = wait_for_ledger(ledger, [](const Session& s) { return s.turns[0].status == turn_status::submitted; });
  kill(first, SIGKILL);
  wait_exit(first);
  ASSERT_TRUE(submitted) << read_text(dir / "first.log");
  ASSERT_EQ(e.emu.stats().submissions, 1);
  // The killed holder's lock file is left behind; the kernel released its lock.
  EXPECT_TRUE(fs::exists(ledger + ".lock"));

  pid_t a = spawn_omnicut(resume_args(ledger, e.emu.url()), env_with_key(), dir / "a.log");
  pid_t b = spawn_omnicut(resume_args(ledger, e.emu.url()), env_with_key(), dir / "b.log");
  int code_a = wait_exit(a), code_b = wait_exit(b);
  bool a_won = code_a == 0;
  ASSERT_EQ(a_won ? code_b : code_a, kExitRefused) << read_text(dir / "a.log") << read_text(dir / "b.log");
  ASSERT_EQ(a_won ? code_a : code_b, 0) << read_text(dir / "a.log") << read_text(dir / "b.log");
  std::string refusal = read_text(dir / (a_won ? "b.log" : "a.log"));
  EXPECT_NE(refusal.find(ledger + ": another omnicut (pid " + std::to_string(a_won ? a : b) + ") is running this session"),
            std::string::npos)
      << refusal;

  EXPECT_EQ(e.emu.stats().submissions, 2);  // turn 1 polled, turn 2 sent once: by the winner only
  EXPECT_EQ(load_session(ledger).completed_turns(), 2);
  EXPECT_FALSE(fs::exists(ledger + ".lock"));  // a clean release removes it
}

TEST(MoneyPath, ASubmitThatNeverLeftIsPendingAndTheNextRunSendsItOnce) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e;
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it sepia."}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // A second turn, submitted to a port where nothing listens: refused at connect, so nothing left.
  r = run_omnicut(resume_args(ledger, closed_origin(), {"-p", "Make it night."}), env_with_key());
  EXPECT_EQ(r.exit_code, kExitNetwork) << r.err;
  EXPECT_NE(r.err.find("nothing reached fal, so turn 2 is pending again"), std::string::npos) << r.err;
  Session s = load_session(ledger);
  ASSERT_EQ(s.turns.size(), 2u);
  EXPECT_EQ(s.turns[1].status, turn_status::pending);
  EXPECT_EQ(e.emu.stats().submissions, 1);

  r = run_omnicut(resume_args(ledger, e.emu.url()), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 2);  // turn 2, exactly once
  s = load_session(ledger);
  EXPECT_EQ(s.completed_turns(), 2);
  EXPECT_EQ(stats.video_urls[1], s.turns[0].result->url);
}

// fal answers 429 and 503 before it queues anything: a submit whose retries all end on one was
// not queued, so its turn is pending again (not "submitting", which would search fal's request
// history and refuse), and the next run sends it once.
TEST(MoneyPath, ASubmitRefusedToTheEndWithA429OrA503IsPendingAndTheNextRunSendsItOnce) {
  struct Case {
    const char* name;
    emulator::Faults faults;
    int emulator::Stats::*served;
  };
  emulator::Faults rate_limited, unavailable;
  rate_limited.rate_limit = 4;         // every attempt of policy::submit()
  unavailable.submit_unavailable = 4;
  for (const Case& c : {Case{"429", rate_limited, &emulator::Stats::rate_limited},
                        Case{"503", unavailable, &emulator::Stats::submits_unavailable}}) {
    SCOPED_TRACE(c.name);
    auto dir = test::scratch_dir() / c.name;
    fs::create_directories(dir);
    auto src = make_source(dir);
    Emu e;
    auto out = dir / "out.mp4";
    auto ledger = default_ledger_path(out.string());
    auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it sepia."}), env_with_key());
    ASSERT_EQ(r.exit_code, 0) << r.err;

    // Turn 2's submit is the resumed run's first request that the fault applies to.
    e.emu.set_faults(c.faults);
    r = run_omnicut(resume_args(ledger, e.emu.url(), {"-p", "Make it night."}), env_with_key());
    EXPECT_EQ(r.exit_code, kExitNetwork) << r.err;
    EXPECT_NE(r.err.find("HTTP " + std::string(c.name)), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("fal answered before queueing it, so turn 2 is pending again"), std::string::npos) << r.err;
    auto stats = e.emu.stats();
    EXPECT_EQ(stats.*c.served, 4);  // the fault fired on every attempt
    EXPECT_EQ(stats.submissions, 1);
    EXPECT_EQ(stats.history_listings, 0);  // not taken for a lost submit: nothing was searched
    Session s = load_session(ledger);
    ASSERT_EQ(s.turns.size(), 2u);
    EXPECT_EQ(s.turns[1].status, turn_status::pending);

    r = run_omnicut(resume_args(ledger, e.emu.url()), env_with_key());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    stats = e.emu.stats();
    EXPECT_EQ(stats.submissions, 2);  // turn 2, exactly once
    EXPECT_EQ(stats.history_listings, 0);
    s = load_session(ledger);
    EXPECT_EQ(s.completed_turns(), 2);
    ASSERT_EQ(stats.video_urls.size(), 2u);
    EXPECT_EQ(stats.video_urls[1], s.turns[0].result->url);
  }
}

TEST(MoneyPath, ATurnsStatusPollsReuseTheirConnection) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  emulator::Faults hold;
  hold.queue_polls = 30;
  Emu e(hold);
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it sepia."}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Over 35 requests (upload initiate and PUT, submit, 31 status reads, result, download) plus
  // the emulator's own fetch of the upload: one connection each before reuse. Now the submit gets
  // a fresh one (never a reused one) and everything else shares one more; the fetch is the third.
  int connections = e.emu.stats().connections;
  std::printf("connections for a one-turn edit with 31 status reads: %d\n", connections);
  EXPECT_LE(connections, 4);
}

TEST(MoneyPath, ATurnPastItsDeadlineStaysSubmittedAndResumes) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  emulator::Faults hold;
  hold.queue_polls = 60;  // ~3 s of status reads at 0.05 s, far past the 0.5 s deadline
  Emu e(hold);
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  auto started = Clock::now();
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"-p", "Make it sepia.", "--turn-timeout", "0.5"}), env_with_key());
  EXPECT_EQ(r.exit_code, kExitNetwork) << r.err;
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - started).count(), 60);
  EXPECT_NE(r.err.find("is still IN_QUEUE at fal after its --turn-timeout"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("omnicut edit --resume " + ledger), std::string::npos) << r.err;
  Session s = load_session(ledger);
  ASSERT_EQ(s.turns.size(), 1u);
  EXPECT_EQ(s.turns[0].status, turn_status::submitted);
  ASSERT_FALSE(s.turns[0].request_id.empty());

  // Not cancelled: fal (the emulator) still has it queued.
  auto fal = client::Fal{client::FalUrls::at_origin(e.emu.url()), client::Http(client::Credentials(kKey), {})};
  client::Submission job{s.turns[0].endpoint, s.turns[0].request_id, s.turns[0].status_url, s.turns[0].response_url,
                         s.turns[0].cancel_url};
  EXPECT_EQ(client::status(fal, job, false).state, client::JobState::in_queue);

  r = run_omnicut(resume_args(ledger, e.emu.url()), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);  // polled, never resent
  EXPECT_EQ(load_session(ledger).completed_turns(), 1);
}

TEST(MoneyPath, ClientErrorsKeepTheirCauseAndWhetherTheRequestLeft) {
  client::Fal refused{client::FalUrls::at_origin(closed_origin()), client::Http(client::Credentials(kKey), {})};
  try {
    client::submit(refused, kEndpoint, {{"prompt", "x"}});
    FAIL() << "a submit to a closed port succeeded";
  } catch (const client::TransportError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::network);
    EXPECT_FALSE(e.maybe_delivered()) << e.what();
    EXPECT_EQ(e.cause().category().name(), std::string("curl"));
    EXPECT_NE(e.cause().value(), 0);
  }

  emulator::Faults drop;
  drop.drop_submit = true;  // accepted, then the connection drops before the answer
  Emu e(drop);
  client::Fal fal{client::FalUrls::at_origin(e.emu.url()), client::Http(client::Credentials(kKey), {})};
  try {
    client::submit(fal, kEndpoint, {{"prompt", "x"}, {"video_url", e.emu.url() + "/files/x/y.mp4"}});
    FAIL() << "the dropped submit succeeded";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::network);
    EXPECT_TRUE(client::maybe_delivered(err)) << err.what();
  }
  EXPECT_EQ(e.emu.stats().submissions, 1);

  try {
    client::status(fal, client::submission_for(fal, kEndpoint, "no-such-request"), false);
    ADD_FAILURE() << "an unknown request had a status";
  } catch (const Error& err) {
    EXPECT_EQ(err.cause().category().name(), std::string("http"));
    EXPECT_GE(err.cause().value(), 400);
  }
}

}  // namespace
}  // namespace omnicut
