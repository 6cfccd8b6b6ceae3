// A submit whose answer was lost, recovered from fal's request history rather than refused or
// sent twice: the emulator's GET /v1/models/requests/by-endpoint (auth, validation, paging,
// payloads, the start filter), client::list_requests, and `omnicut edit` under drop-submit with
// the history faults (lag, hidden, 401), each asserting one submission and that the fault fired.
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "client/fal.h"
#include "client/history.h"
#include "client/queue.h"
#include "codecs/testing/synth.h"
#include "common/error.h"
#include "common/iso_time.h"
#include "emulator/emulator.h"
#include "pipeline/edit/ledger.h"
#include "tests/support/edit_fixture.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::Emu;
using test::run_omnicut;
using test::spawn_omnicut;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

const std::string kKey = "history-recovery-test-key-7d21e0";
const std::string kEndpoint = "google/gemini-omni-flash/edit";
constexpr int kExitRefused = 11;

client::Fal fal_at(const std::string& url, const std::string& key = kKey) {
  return client::Fal{client::FalUrls::at_origin(url), client::Http(client::Credentials(key), {})};
}

// One GET of the listing route as-is (any status), with or without the key.
client::Response get_listing(const Emu& e, const std::string& query, bool with_key = true) {
  client::Fal fal = fal_at(e.emu.url());
  client::Request r;
  r.url = e.emu.url() + "/v1/models/requests/by-endpoint" + query;
  r.with_key = with_key;
  return fal.http.send(r, client::policy::none(), "test");
}

json body_of(const client::Response& r) { return json::parse(r.body); }

// `n` submits that the emulator's worker has taken and finished (their video_url does not exist,
// so each ends in an error: still listed, as fal lists failed requests).
std::vector<std::string> submit_finished(Emu& e, int n) {
  client::Fal fal = fal_at(e.emu.url());
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    auto sub = client::submit(fal, kEndpoint,
                              {{"prompt", "edit " + std::to_string(i)}, {"video_url", e.emu.url() + "/files/no/such.mp4"}});
    auto until = Clock::now() + std::chrono::seconds(30);
    while (client::status(fal, sub, false).state != client::JobState::completed && Clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ids.push_back(sub.request_id);
  }
  return ids;
}

TEST(HistoryRoute, FaultsParse) {
  auto f = emulator::parse_faults("history-lag=7,history-hidden,history-401");
  EXPECT_EQ(f.history_lag_s, 7);
  EXPECT_TRUE(f.history_hidden && f.history_401);
  EXPECT_FALSE(emulator::parse_faults("history-lag=2").history_hidden);
}

TEST(HistoryRoute, WantsAKeyAndAnEndpointIdInThePlatformErrorShape) {
  Emu e;
  auto r = get_listing(e, "?endpoint_id=" + kEndpoint, false);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body_of(r)["error"]["type"], "authorization_error");

  r = get_listing(e, "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["error"]["type"], "validation_error");
  EXPECT_NE(body_of(r)["error"]["message"].get<std::string>().find("endpoint_id"), std::string::npos);

  for (const char* bad : {"&limit=101", "&limit=0", "&start=yesterday", "&cursor=%25%25", "&status=odd"}) {
    r = get_listing(e, "?endpoint_id=" + kEndpoint + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(body_of(r)["error"]["type"], "validation_error") << bad;
  }
  r = get_listing(e, "?endpoint_id=" + kEndpoint);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r), json({{"items", json::array()}, {"next_cursor", nullptr}, {"has_more", false}}));
}

TEST(HistoryRoute, PagesWithItsCursorAndGivesPayloadsOnlyWhenExpanded) {
  Emu e;
  auto ids = submit_finished(e, 5);
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = get_listing(e, "?endpoint_id=" + kEndpoint + "&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    json page = body_of(r);
    ++pages;
    EXPECT_LE(page["items"].size(), 2u);
    for (const auto& item : page["items"]) {
      seen.push_back(item["request_id"]);
      EXPECT_FALSE(item.contains("json_input")) << item;
      EXPECT_EQ(item["endpoint_id"], kEndpoint);
      EXPECT_TRUE(parse_iso8601(item["sent_at"].get<std::string>())) << item;
      EXPECT_TRUE(parse_iso8601(item["ended_at"].get<std::string>())) << item;
      EXPECT_GE(item["status_code"].get<int>(), 400) << item;
    }
    EXPECT_EQ(page["has_more"].get<bool>(), !page["next_cursor"].is_null());
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  // Sorted by ended_at, the newest first: the reverse of the submit order.
  EXPECT_EQ(seen, std::vector<std::string>(ids.rbegin(), ids.rend()));

  auto r = get_listing(e, "?endpoint_id=" + kEndpoint + "&expand=payloads&request_id=" + ids[2]);
  ASSERT_EQ(r.status, 200) << r.body;
  json items = body_of(r)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["json_input"]["prompt"], "edit 2");
  EXPECT_TRUE(items[0].contains("json_output"));

  // The client pages the same way and keeps the payloads.
  client::ListOptions two;
  two.page_size = 2;
  auto listing = client::list_requests(fal_at(e.emu.url()), kEndpoint, WallClock::now() - std::chrono::minutes(5), two);
  EXPECT_EQ(listing.pages, 3);
  ASSERT_EQ(listing.items.size(), 5u);
  EXPECT_EQ(listing.items[4].json_input["prompt"], "edit 0");
  EXPECT_EQ(listing.items[4].request_id, ids[0]);
}

TEST(HistoryRoute, FiltersOnStartAndEnd) {
  Emu e;
  submit_finished(e, 2);
  auto count = [&](const std::string& query) {
    auto r = get_listing(e, "?endpoint_id=" + kEndpoint + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return body_of(r)["items"].size();
  };
  const auto now = WallClock::now();
  auto day = [](WallClock::time_point t) { return format_iso8601(t).substr(0, 10); };
  EXPECT_EQ(count(""), 2u);
  EXPECT_EQ(count("&start=" + day(now - std::chrono::hours(48))), 2u);
  EXPECT_EQ(count("&start=" + day(now + std::chrono::hours(48))), 0u);
  EXPECT_EQ(count("&start=" + format_iso8601(now + std::chrono::minutes(1))), 0u);
  EXPECT_EQ(count("&start=" + day(now - std::chrono::hours(48)) + "&end=" + format_iso8601(now - std::chrono::hours(1))), 0u);
  EXPECT_EQ(count("&endpoint_id=other/app"), 2u);  // repeated ids add up
}

TEST(HistoryRoute, TheClientSaysAuthWhenTheKeyMayNotList) {
  Emu e(emulator::parse_faults("history-401"));
  try {
    client::list_requests(fal_at(e.emu.url()), kEndpoint, WallClock::now());
    FAIL() << "history-401 listed";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::auth);
    std::string what = err.what();
    EXPECT_NE(what.find("may not list"), std::string::npos) << what;
    EXPECT_NE(what.find("authorization_error"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.find(kKey), std::string::npos) << what;
  }
  EXPECT_EQ(e.emu.stats().history_refused, 1);
}

// ---- omnicut edit, end to end ----

fs::path make_source(const fs::path& dir) {
  SynthSpec spec;
  spec.duration = 4.0;
  spec.width = 320, spec.height = 180;
  auto path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

std::vector<std::string> env_with_key() { return {"FAL_KEY=" + kKey}; }

std::vector<std::string> flags(const std::string& url, std::vector<std::string> more = {}) {
  std::vector<std::string> f = {"--fal-url", url, "--yes", "--poll-interval", "0.05", "--json"};
  f.insert(f.end(), more.begin(), more.end());
  return f;
}

std::vector<std::string> edit_args(const fs::path& src, const fs::path& out, const std::string& url,
                                   std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"edit", src.string(), "-o", out.string(), "-p", "Make it night."};
  for (auto& a : flags(url, more)) args.push_back(a);
  return args;
}

std::vector<std::string> resume_args(const fs::path& out, const std::string& url, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"edit", "--resume", default_ledger_path(out.string())};
  for (auto& a : flags(url, more)) args.push_back(a);
  return args;
}

Session ledger_of(const fs::path& out) { return load_session(default_ledger_path(out.string())); }

// OUT is there and whole: its video lasts as long as the source.
void expect_complete(const fs::path& out) {
  ASSERT_TRUE(fs::exists(out));
  auto probe = test::ffprobe(out);
  EXPECT_NEAR(std::stod(probe["format"]["duration"].get<std::string>()), 4.0, 0.15);
  Session s = ledger_of(out);
  ASSERT_EQ(s.turns.size(), 1u);
  EXPECT_EQ(s.turns[0].status, turn_status::completed);
}

TEST(HistoryRecovery, ALostSubmitIsRecoveredInTheSameRun) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("drop-submit"));
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url()), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"recovered\""), std::string::npos) << r.out;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 1);
  EXPECT_GE(stats.history_listings, 1);
  expect_complete(out);
  Session s = ledger_of(out);
  EXPECT_EQ(s.turns[0].submit_input["prompt"], "Make it night.");
  EXPECT_EQ(s.turns[0].submit_input["video_url"], stats.video_urls[0]);
  EXPECT_TRUE(parse_iso8601(s.turns[0].submit_started_at)) << s.turns[0].submit_started_at;
}

TEST(HistoryRecovery, KilledAfterTheLostSubmitResumesByRecovering) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("drop-submit,history-hidden"));  // the run searches and finds nothing...
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  pid_t pid = spawn_omnicut(edit_args(src, out, e.emu.url()), env_with_key(), dir / "first.log");
  bool killed = false;
  auto until = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < until && !killed) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (e.emu.stats().history_hidden == 0) continue;  // ...until it is killed mid-search
    kill(pid, SIGKILL);
    killed = true;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed);
  EXPECT_EQ(ledger_of(out).turns[0].status, turn_status::submitting);

  e.emu.set_faults({});
  auto r = run_omnicut(resume_args(out, e.emu.url()), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);
  expect_complete(out);
}

TEST(HistoryRecovery, ALedgerFromBeforeTheSubmitFieldsIsMatchedOnItsRebuiltInput) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("drop-submit,history-hidden"));
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"--recover-wait", "0"}), env_with_key());
  ASSERT_EQ(r.exit_code, kExitRefused) << r.err;

  // As an older omnicut wrote it: no submit_input, no submit_started_at.
  auto ledger = default_ledger_path(out.string());
  json j = json::parse(std::ifstream(ledger));
  for (auto& turn : j["turns"]) turn.erase("submit_input"), turn.erase("submit_started_at");
  std::ofstream(ledger) << j.dump(2);
  Session old = ledger_of(out);
  EXPECT_TRUE(old.turns[0].submit_input.is_null());
  EXPECT_EQ(old.turns[0].status, turn_status::submitting);

  e.emu.set_faults({});
  r = run_omnicut(resume_args(out, e.emu.url()), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);
  expect_complete(out);
}

TEST(HistoryRecovery, ARequestListedLateIsFoundByWaiting) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("drop-submit,history-lag=5"));  // searched at 0, 3 and 6 s: the one at 3 s sees it held back
  auto out = dir / "out.mp4";
  auto started = Clock::now();
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"--recover-wait", "30"}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 1);
  EXPECT_GE(stats.history_lagged, 1) << r.out << r.err;  // the first search did not see it
  EXPECT_GE(stats.history_listings, 2);
  EXPECT_GE(Clock::now() - started, std::chrono::seconds(5));
  expect_complete(out);
}

TEST(HistoryRecovery, NeverListedEndsTheBoundedSearchThenResendLostSendsItOnce) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("drop-submit,history-hidden"));
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url(), {"--recover-wait", "1"}), env_with_key());
  EXPECT_EQ(r.exit_code, kExitRefused) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (const char* said : {"does not list it", kEndpoint.c_str(), "since", "listed", "--resend-lost", "--recover-wait"})
    EXPECT_NE(r.err.find(said), std::string::npos) << said << ": " << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);
  EXPECT_GE(e.emu.stats().history_hidden, 1);
  EXPECT_EQ(ledger_of(out).turns[0].status, turn_status::submitting);

  r = run_omnicut(resume_args(out, e.emu.url(), {"--recover-wait", "1"}), env_with_key());
  EXPECT_EQ(r.exit_code, kExitRefused) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 1);  // still nothing resent

  r = run_omnicut(resume_args(out, e.emu.url(), {"--resend-lost"}), env_with_key());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 2);  // sent once more, on request
  expect_complete(out);
}

TEST(HistoryRecovery, AKeyThatMayNotListGetsTodaysRefusal) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  Emu e(emulator::parse_faults("drop-submit,history-401"));
  auto out = dir / "out.mp4";
  auto r = run_omnicut(edit_args(src, out, e.emu.url()), env_with_key());
  EXPECT_EQ(r.exit_code, kExitRefused) << r.err;
  EXPECT_NE(r.err.find("may have accepted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("may not list"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(kKey), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().history_refused, 1);

  r = run_omnicut(resume_args(out, e.emu.url()), env_with_key());
  EXPECT_EQ(r.exit_code, kExitRefused) << r.err;
  EXPECT_EQ(e.emu.stats().history_refused, 2);
  EXPECT_EQ(e.emu.stats().submissions, 1);
  EXPECT_EQ(ledger_of(out).turns[0].status, turn_status::submitting);
}

}  // namespace
}  // namespace omnicut
