// fal's pricing route, emulated and used: the emulator's GET /v1/models/pricing (fal's shape, the
// Platform API's errors, its faults counted), client::fetch_unit_price, and `omnicut edit`
// turning a bill's units into dollars with it: asked once per run, not at all where the endpoint
// table knows the price, and a refusal leaves the cost unknown (never $0) while the run goes on.
#include <fstream>

#include <gtest/gtest.h>

#include "client/errors.h"
#include "client/fal.h"
#include "client/pricing.h"
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
using json = nlohmann::json;

const std::string kKey = "pricing-test-key-51f0b2";
const std::string kEndpoint = "google/gemini-omni-flash/edit";

client::Fal fal_at(const std::string& url) {
  return client::Fal{client::FalUrls::at_origin(url), client::Http(client::Credentials(kKey), {})};
}

// One GET of the pricing route as-is (any status), with or without the key.
client::Response get_pricing(const Emu& e, const std::string& query, bool with_key = true) {
  client::Fal fal = fal_at(e.emu.url());
  client::Request r;
  r.url = e.emu.url() + "/v1/models/pricing" + query;
  r.with_key = with_key;
  return fal.http.send(r, client::policy::none(), "test");
}

json body_of(const client::Response& r) { return json::parse(r.body); }

emulator::Faults pricing_fault(int status) {
  emulator::Faults f;
  f.pricing_error = status;
  return f;
}

TEST(EmulatorPricing, FaultsParse) {
  EXPECT_EQ(emulator::parse_faults("pricing-403").pricing_error, 403);
  EXPECT_EQ(emulator::parse_faults("pricing-500").pricing_error, 500);
  EXPECT_EQ(emulator::parse_faults("").pricing_error, 0);
}

TEST(EmulatorPricing, AnswersFalsShapeForItsEndpoints) {
  Emu e;
  auto r = get_pricing(e, "?endpoint_id=" + kEndpoint);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r), json({{"prices", {{{"endpoint_id", kEndpoint}, {"unit_price", 1.0}, {"unit", "units"},
                                            {"currency", "USD"}}}},
                              {"next_cursor", nullptr},
                              {"has_more", false}}));
  // Repeated and comma-separated ids are one list; an id given twice is priced once.
  r = get_pricing(e, "?endpoint_id=" + kEndpoint + "&endpoint_id=" + kEndpoint + "," + kEndpoint);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["prices"].size(), 1u);
  EXPECT_EQ(e.emu.stats().pricing_lookups, 2);
}

TEST(EmulatorPricing, RefusesInThePlatformErrorShape) {
  Emu e;
  auto r = get_pricing(e, "?endpoint_id=" + kEndpoint, false);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(body_of(r)["error"]["type"], "authorization_error");

  r = get_pricing(e, "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["error"]["type"], "validation_error");
  EXPECT_NE(body_of(r)["error"]["message"].get<std::string>().find("endpoint_id"), std::string::npos);

  std::string many;
  for (int i = 0; i < 51; ++i) many += (i ? "," : "") + std::string("owner/app-") + std::to_string(i);
  r = get_pricing(e, "?endpoint_id=" + many);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r)["error"]["type"], "validation_error");

  r = get_pricing(e, "?endpoint_id=" + kEndpoint + ",fal-ai/no-such-model");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_of(r)["error"]["type"], "not_found");
  EXPECT_NE(body_of(r)["error"]["message"].get<std::string>().find("fal-ai/no-such-model"), std::string::npos);
  EXPECT_EQ(e.emu.stats().pricing_lookups, 0);
}

TEST(EmulatorPricing, FaultsAnswer403Or500AndAreCounted) {
  Emu refused(pricing_fault(403));
  auto r = get_pricing(refused, "?endpoint_id=" + kEndpoint);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(body_of(r)["error"]["type"], "authorization_error");
  EXPECT_EQ(refused.emu.stats().pricing_errors, 1);

  Emu broken(pricing_fault(500));
  r = get_pricing(broken, "?endpoint_id=" + kEndpoint);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(body_of(r)["error"]["type"], "server_error");
  EXPECT_EQ(broken.emu.stats().pricing_errors, 1);
  EXPECT_EQ(broken.emu.stats().pricing_lookups, 0);
}

TEST(MoneyPathPricing, TheClientReadsAUnitPriceAndKeepsTheCauseOfARefusal) {
  Emu e;
  client::UnitPrice p = client::fetch_unit_price(fal_at(e.emu.url()), kEndpoint);
  EXPECT_EQ(p.endpoint_id, kEndpoint);
  EXPECT_EQ(p.unit_price, 1.0);
  EXPECT_EQ(p.unit, "units");
  EXPECT_EQ(p.currency, "USD");

  try {
    client::fetch_unit_price(fal_at(e.emu.url()), "fal-ai/no-such-model");
    ADD_FAILURE() << "an unknown endpoint had a price";
  } catch (const Error& err) {
    EXPECT_EQ(err.cause(), client::http_status_error(404)) << err.what();
    EXPECT_NE(std::string(err.what()).find("Endpoint not found"), std::string::npos) << err.what();
  }

  e.emu.set_faults(pricing_fault(403));
  try {
    client::fetch_unit_price(fal_at(e.emu.url()), kEndpoint);
    ADD_FAILURE() << "a refused key read a price";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::auth);
    EXPECT_EQ(err.cause(), client::http_status_error(403));
    EXPECT_NE(std::string(err.what()).find("this key may not read fal's prices"), std::string::npos) << err.what();
    EXPECT_EQ(std::string(err.what()).find(kKey), std::string::npos);
  }
  e.emu.set_faults(pricing_fault(500));
  try {
    client::fetch_unit_price(fal_at(e.emu.url()), kEndpoint);
    ADD_FAILURE() << "a failing route gave a price";
  } catch (const Error& err) {
    EXPECT_EQ(err.kind(), ErrorKind::network);
    EXPECT_EQ(err.cause(), client::http_status_error(500));
  }
  EXPECT_EQ(e.emu.stats().pricing_errors, 2);  // one call each: 403 and 500 are not repeated
}

fs::path make_source(const fs::path& dir) {
  SynthSpec spec;
  spec.duration = 3.2;
  spec.width = 1280, spec.height = 720;  // prep copies it: the runs spend their time on the turns
  spec.audio = {SynthAudio{}};
  auto path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

std::vector<std::string> edit_args(const std::vector<std::string>& head, const std::string& url,
                                   const std::vector<std::string>& prompts) {
  std::vector<std::string> args = head;
  for (const auto& p : prompts) args.insert(args.end(), {"-p", p});
  args.insert(args.end(), {"--fal-url", url, "--yes", "--poll-interval", "0.05", "--json"});
  return args;
}

// A refused pricing call leaves every billed turn of the run unknown, never $0, asked once; a
// session whose table knows the price (here: its ledger's billing says $0.50 a unit) never asks.
TEST(MoneyPathPricing, ARefusedPriceLeavesTheCostUnknownAndATablePriceNeedsNoLookup) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir);
  auto out = dir / "out.mp4";
  auto ledger = default_ledger_path(out.string());
  Emu e(pricing_fault(403));
  auto r = run_omnicut(edit_args({"edit", src.string(), "-o", out.string()}, e.emu.url(), {"Make it sepia.", "Make it night."}),
                       {"FAL_KEY=" + kKey});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("billing unit of " + kEndpoint + " is unknown (fal pricing: HTTP 403"), std::string::npos) << r.out;
  EXPECT_EQ(e.emu.stats().pricing_errors, 1);  // asked once for the run's two bills
  Session s = load_session(ledger);
  for (const auto& t : s.turns) {
    EXPECT_EQ(t.cost_source, cost_source::billed);
    ASSERT_TRUE(t.billed && t.billed->value) << t.turn;
    EXPECT_FALSE(t.cost_usd) << t.turn;
    EXPECT_FALSE(t.unit_price) << t.turn;
    EXPECT_EQ(t.price_source, "") << t.turn;
  }
  EXPECT_EQ(s.unknown_cost_turns(), 2);

  json j = json::parse(std::ifstream(ledger));
  j["billing"]["usd_per_unit"] = 0.5;
  std::ofstream(ledger) << j.dump(2);
  e.emu.set_faults({});
  r = run_omnicut(edit_args({"edit", "--resume", ledger}, e.emu.url(), {"Mirror it."}), {"FAL_KEY=" + kKey});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.pricing_lookups, 0);
  EXPECT_EQ(stats.pricing_errors, 1);
  s = load_session(ledger);
  const TurnRecord& third = s.turns[2];
  ASSERT_TRUE(third.billed && third.billed->value && third.cost_usd);
  EXPECT_DOUBLE_EQ(*third.cost_usd, *third.billed->value * 0.5);
  EXPECT_EQ(third.price_source, price_source::endpoint_table);
  EXPECT_FALSE(s.turns[0].cost_usd);  // an earlier run's unknown stays as it was recorded
}

}  // namespace
}  // namespace omnicut
