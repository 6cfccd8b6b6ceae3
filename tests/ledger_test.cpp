// The session ledger: round trip, atomic saves that survive SIGKILL at any instant, no key inside.
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "codecs/content_hash.h"
#include "common/error.h"
#include "pipeline/edit/ledger.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;

Session sample_session(int turns) {
  Session s;
  s.endpoint = default_endpoint().id;
  s.server = "http://127.0.0.1:1";
  s.billing = default_endpoint().billing;
  s.source = {"/footage/a.mp4", 1234, "sha256:00", kContentHashMethod, 6.0, true};
  s.prep = {{"start", 0.0}, {"end", 6.0}, {"file", "/tmp/a.prep.mp4"}};
  s.upload = UploadRecord{"http://127.0.0.1:1/files/a.mp4", "/tmp/a.prep.mp4", 999, now_iso8601()};
  s.output = "/out/a.mp4";
  for (int i = 1; i <= turns; ++i) {
    TurnRecord t;
    t.turn = i;
    t.prompt = "Make it night " + std::string(static_cast<size_t>(i) * 50, 'x');
    t.endpoint = s.endpoint;
    t.status = i % 2 ? turn_status::completed : turn_status::submitted;
    t.request_id = "req-" + std::to_string(i);
    t.status_url = "http://127.0.0.1:1/google/gemini-omni-flash/requests/req-" + std::to_string(i) + "/status";
    t.result = ResultFile{"http://127.0.0.1:1/files/out" + std::to_string(i) + ".mp4", "video/mp4", "out.mp4", 4321};
    t.tokens = {34752, 192, 4, 34752};
    t.cost_usd = 0.8257;
    t.timings.submitted_at = now_iso8601();
    s.turns.push_back(t);
  }
  return s;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());  // throws when torn
}

TEST(Ledger, RoundTripKeepsEveryTurnField) {
  auto dir = test::scratch_dir();
  auto path = (dir / "out.mp4.omnicut.json").string();
  Session s = sample_session(2);
  save_session(s, path);
  Session back = load_session(path);
  ASSERT_EQ(back.turns.size(), 2u);
  EXPECT_EQ(back.turns[1].request_id, "req-2");
  EXPECT_EQ(back.turns[1].status, turn_status::submitted);
  EXPECT_EQ(back.turns[0].result->file_size, 4321);
  EXPECT_DOUBLE_EQ(back.turns[0].tokens.input_audio, 192);
  EXPECT_EQ(back.upload->url, s.upload->url);
  EXPECT_EQ(back.source.hash_method, kContentHashMethod);
  EXPECT_DOUBLE_EQ(back.billing.output_usd_per_mtok, 21.875);
  EXPECT_EQ(default_ledger_path("/x/out.mp4"), "/x/out.mp4.omnicut.json");
  // Nothing but the ledger is left in the folder: the temporary file was renamed.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

// A finished turn as edit_turn.cpp records it: 4 s of input with audio, `billed` as the result sent it.
TurnRecord costed_turn(const std::optional<client::BilledUnits>& billed, double usd_per_unit) {
  Billing b = default_endpoint().billing;
  b.usd_per_unit = usd_per_unit;
  CostModel model(b);
  TurnRecord t;
  t.turn = 1;
  t.status = turn_status::completed;
  record_cost(t, billed, model.turn(4.0, true, "Make it night."), model);
  return t;
}

Session round_trip(const Session& s) {
  auto path = (test::scratch_dir() / "s.json").string();
  Session copy = s;
  save_session(copy, path);
  return load_session(path);
}

TEST(Ledger, BilledUnitsAreRecordedAsReportedAndPricedOnlyAtAKnownPrice) {
  const double estimate = CostModel(default_endpoint().billing).turn(4.0, true, "Make it night.").usd();
  // The table publishes no price for a unit of the v1 edit: the dollars are unknown, not $0.
  TurnRecord unknown = costed_turn(client::parse_billable_units("0.55073125"), 0);
  EXPECT_EQ(unknown.cost_source, cost_source::billed);
  EXPECT_FALSE(unknown.cost_usd);
  EXPECT_NEAR(unknown.estimated_usd, estimate, 1e-12);
  EXPECT_NE(cost_text(unknown).find("0.55073125 units"), std::string::npos) << cost_text(unknown);
  EXPECT_NE(cost_text(unknown).find("unknown"), std::string::npos) << cost_text(unknown);
  // A known price turns the units into dollars.
  TurnRecord priced = costed_turn(client::parse_billable_units("0.55073125"), 2.0);
  ASSERT_TRUE(priced.cost_usd);
  EXPECT_NEAR(*priced.cost_usd, 1.1014625, 1e-9);
  EXPECT_NE(cost_text(priced).find("billed"), std::string::npos);
  // A header that is not a number keeps its text; its dollars are unknown.
  TurnRecord odd = costed_turn(client::parse_billable_units("lots"), 2.0);
  EXPECT_FALSE(odd.cost_usd);
  EXPECT_EQ(odd.billed->raw, "lots");

  Session s = sample_session(0);
  s.turns = {unknown, priced, odd};
  for (int i = 0; i < 3; ++i) s.turns[i].turn = i + 1;
  Session back = round_trip(s);
  ASSERT_EQ(back.turns.size(), 3u);
  EXPECT_EQ(back.turns[0].billed->raw, "0.55073125");
  EXPECT_DOUBLE_EQ(*back.turns[0].billed->value, 0.55073125);
  EXPECT_FALSE(back.turns[0].cost_usd);
  EXPECT_EQ(back.turns[0].cost_source, cost_source::billed);
  EXPECT_NEAR(*back.turns[1].cost_usd, 1.1014625, 1e-9);
  EXPECT_FALSE(back.turns[2].billed->value);
  EXPECT_EQ(back.unknown_cost_turns(), 2);
  EXPECT_NEAR(back.cost_usd(), 1.1014625, 1e-9);  // the known part only
  EXPECT_NE(total_cost_text(back).find("2 turn(s) of unknown cost"), std::string::npos) << total_cost_text(back);
  EXPECT_NE(total_cost_text(back).find("3 billed, 0 estimated"), std::string::npos) << total_cost_text(back);
}

TEST(Ledger, AUnitPriceFromFalsPricingMakesTheBillDollarsAndSaysWhereItCameFrom) {
  TurnRecord t = costed_turn(client::parse_billable_units("0.55073125"), 0);
  price_bill(t, 0.03, "seconds", price_source::fal_pricing);
  ASSERT_TRUE(t.cost_usd);
  EXPECT_NEAR(*t.cost_usd, 0.55073125 * 0.03, 1e-12);
  EXPECT_NE(cost_text(t).find("0.55073125 units at $0.0300 from fal's pricing"), std::string::npos) << cost_text(t);
  // The table's own price is labelled as such; a turn with no numeric bill is left alone.
  TurnRecord table = costed_turn(client::parse_billable_units("0.5"), 2.0);
  EXPECT_EQ(table.price_source, price_source::endpoint_table);
  EXPECT_EQ(table.unit_price, 2.0);
  TurnRecord odd = costed_turn(client::parse_billable_units("lots"), 0);
  price_bill(odd, 0.03, "seconds", price_source::fal_pricing);
  EXPECT_FALSE(odd.cost_usd);
  EXPECT_EQ(odd.price_source, "");
  TurnRecord estimated = costed_turn(std::nullopt, 0);
  price_bill(estimated, 0.03, "seconds", price_source::fal_pricing);
  EXPECT_EQ(estimated.cost_source, cost_source::estimated);
  EXPECT_EQ(estimated.price_source, "");

  Session s = sample_session(0);
  s.turns = {t};
  Session back = round_trip(s);
  EXPECT_EQ(back.turns[0].unit_price, 0.03);
  EXPECT_EQ(back.turns[0].price_unit, "seconds");
  EXPECT_EQ(back.turns[0].price_source, price_source::fal_pricing);
  EXPECT_NEAR(*back.turns[0].cost_usd, 0.55073125 * 0.03, 1e-12);
  // A --split turn sums its segments and keeps the price they were billed at.
  TurnRecord sum;
  add_cost(sum, t);
  add_cost(sum, t);
  EXPECT_NEAR(*sum.cost_usd, 2 * 0.55073125 * 0.03, 1e-12);
  EXPECT_EQ(sum.price_source, price_source::fal_pricing);
}

TEST(Ledger, ATurnWithoutABillIsMarkedEstimated) {
  TurnRecord t = costed_turn(std::nullopt, 2.0);
  EXPECT_EQ(t.cost_source, cost_source::estimated);
  EXPECT_FALSE(t.billed);
  ASSERT_TRUE(t.cost_usd);
  EXPECT_NEAR(*t.cost_usd, CostModel(default_endpoint().billing).turn(4.0, true, "Make it night.").usd(), 1e-12);
  EXPECT_NE(cost_text(t).find("estimated"), std::string::npos) << cost_text(t);
  Session s = sample_session(0);
  s.turns = {t};
  Session back = round_trip(s);
  EXPECT_EQ(back.turns[0].cost_source, cost_source::estimated);
  EXPECT_FALSE(back.turns[0].billed);
  EXPECT_EQ(back.unknown_cost_turns(), 0);
  EXPECT_NE(total_cost_text(back).find("0 billed, 1 estimated"), std::string::npos) << total_cost_text(back);
}

TEST(Ledger, OldLedgersWithReportedTokensStillRead) {
  // A turn as omnicut wrote it when the result carried a "usage" object.
  nlohmann::json old_turn = {{"turn", 1}, {"status", "completed"}, {"request_id", "req-1"},
                             {"tokens", {{"input_video", 23301}, {"output", 23168}}},
                             {"tokens_source", "reported"}, {"cost_usd", 0.550474}};
  nlohmann::json ledger = {{"omnicut_session", 1}, {"endpoint", default_endpoint().id}, {"turns", {old_turn}}};
  Session s = session_from_json(ledger, "old.json");
  ASSERT_EQ(s.turns.size(), 1u);
  const TurnRecord& t = s.turns[0];
  EXPECT_EQ(t.cost_source, cost_source::reported);
  ASSERT_TRUE(t.cost_usd);
  EXPECT_DOUBLE_EQ(*t.cost_usd, 0.550474);
  EXPECT_DOUBLE_EQ(t.tokens.input(), 23301);
  EXPECT_DOUBLE_EQ(t.tokens.output(), 23168);
  EXPECT_FALSE(t.billed);
  EXPECT_DOUBLE_EQ(s.cost_usd(), 0.550474);
  EXPECT_NE(cost_text(t).find("reported tokens"), std::string::npos) << cost_text(t);
}

TEST(Ledger, NotALedgerIsAUsageError) {
  auto dir = test::scratch_dir();
  std::ofstream(dir / "x.json") << "{\"a\": 1}";
  try {
    load_session((dir / "x.json").string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
  EXPECT_THROW(load_session((dir / "missing.json").string()), Error);
}

TEST(Ledger, NeverHoldsTheKey) {
  auto dir = test::scratch_dir();
  const std::string key = "h6-test-key-0123456789abcdef:secret-part-xyz";
  setenv("FAL_KEY", key.c_str(), 1);
  Session s = sample_session(1);
  s.turns[0].prompt = "pasted by mistake: " + key;  // even then it must not reach the disk
  auto path = (dir / "s.json").string();
  save_session(s, path);
  unsetenv("FAL_KEY");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().find(key), std::string::npos);
  EXPECT_NE(ss.str().find("[redacted]"), std::string::npos);
}

// A child saves a growing ledger in a loop; it is SIGKILLed at random instants. Every time, the
// file on disk parses and is a complete ledger (old or new), and no temporary file is mistaken
// for it.
TEST(Ledger, KillAtAnyInstantLeavesAValidLedger) {
  auto dir = test::scratch_dir();
  auto path = (dir / "kill.omnicut.json").string();
  std::mt19937 rng(42);
  for (int round = 0; round < 25; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0;; ++i) {
        Session s = sample_session(1 + i % 40);  // sizes vary: 1 to 40 turns
        save_session(s, path);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 30000));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!fs::exists(path)) continue;  // killed before the first rename: no ledger yet, not a torn one
    nlohmann::json j;
    ASSERT_NO_THROW(j = read_json(path)) << "torn ledger after kill " << round;
    Session s = session_from_json(j, path);
    EXPECT_GE(s.turns.size(), 1u);
    EXPECT_EQ(j["totals"]["turns"].get<size_t>(), s.turns.size());
  }
  EXPECT_TRUE(fs::exists(path));
}

TEST(ContentHash, SameBytesSameHashOneByteChanged) {
  auto dir = test::scratch_dir();
  std::string big(3 << 20, 'a');
  std::ofstream(dir / "a.bin", std::ios::binary) << big;
  std::ofstream(dir / "b.bin", std::ios::binary) << big;
  big[big.size() - 10] = 'b';  // in the last MiB
  std::ofstream(dir / "c.bin", std::ios::binary) << big;
  auto a = content_hash((dir / "a.bin").string());
  EXPECT_EQ(a.rfind("sha256:", 0), 0u);
  EXPECT_EQ(a.size(), 7u + 64u);
  EXPECT_EQ(a, content_hash((dir / "b.bin").string()));
  EXPECT_NE(a, content_hash((dir / "c.bin").string()));
  std::ofstream(dir / "small.bin", std::ios::binary) << "abc";
  EXPECT_NE(content_hash((dir / "small.bin").string()), a);
}

}  // namespace
}  // namespace omnicut
