// fal's two Omni Flash edit endpoints, v1 (tokens) and v1.1 (output resolution, per output
// second): the endpoint table as data, the cost model against the published grid and a recorded
// bill, estimate's --resolution and --compare, and the emulator's v1.1 route (each resolution's
// frame size, fal's 422 for a resolution it does not take, the bill as output seconds).
#include <algorithm>
#include <fstream>
#include <regex>
#include <thread>

#include <httplib.h>
#include <gtest/gtest.h>

#include "codecs/testing/synth.h"
#include "common/error.h"
#include "emulator/billing.h"
#include "emulator/emulator.h"
#include "model/endpoints.h"
#include "pipeline/money/cost_model.h"
#include "pipeline/money/estimate.h"
#include "tests/support/test_support.h"

namespace omnicut::test {
namespace {

using nlohmann::json;
namespace em = omnicut::emulator;

const std::string kV1 = "google/gemini-omni-flash/edit";
const std::string kV11 = "google/gemini-omni-flash/v1.1/edit";
const httplib::Headers kKey = {{"Authorization", "Key test-key-123"}};

// ---------------------------------------------------------------- the table

TEST(EndpointTable, BothVersionsAreRowsOfTheCompiledInTable) {
  const Endpoint& v1 = find_endpoint(kV1);
  const Endpoint& v11 = find_endpoint(kV11);
  EXPECT_EQ(default_endpoint().id, kV1);
  EXPECT_FALSE(v1.takes_resolution());
  EXPECT_EQ(v1.billing.kind, BillingKind::tokens);
  EXPECT_EQ(v11.resolution_field, "resolution");
  EXPECT_EQ(v11.default_resolution, "720p");
  EXPECT_EQ(v11.resolution_names(), "360p, 720p, 1080p, 4k");
  EXPECT_EQ(v11.prompt_max_chars, 20000u);
  ASSERT_NE(v11.output_size("1080p"), nullptr);
  EXPECT_EQ(v11.output_size("1080p")->long_side, 1920);
  EXPECT_EQ(v11.output_size("360p")->short_side, 360);
  EXPECT_EQ(v11.output_size("1080P"), nullptr) << "fal's Literal is lower case only";
  // Input limits are v1's: prep to 720p stays right for every output resolution.
  EXPECT_EQ(v11.long_side, v1.long_side);
  EXPECT_EQ(v11.max_duration, v1.max_duration);
  EXPECT_EQ(v11.min_duration, v1.min_duration);
}

TEST(EndpointTable, ResolutionIsRefusedOnV1AndCheckedOnV11) {
  EXPECT_EQ(resolve_resolution(find_endpoint(kV1), std::nullopt), "720p");
  EXPECT_EQ(resolve_resolution(find_endpoint(kV11), std::nullopt), "720p");
  EXPECT_EQ(resolve_resolution(find_endpoint(kV11), std::string("4k")), "4k");
  try {
    resolve_resolution(find_endpoint(kV1), std::string("1080p"));
    FAIL() << "v1 has no resolution field";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(e.what()).find("has no resolution field"), std::string::npos) << e.what();
  }
  try {
    resolve_resolution(find_endpoint(kV11), std::string("1080P"));
    FAIL() << "1080P is not a value v1.1 takes";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("360p, 720p, 1080p, 4k"), std::string::npos) << e.what();
  }
}

TEST(EndpointTable, AMalformedTableIsOneLineNamingTheFile) {
  EXPECT_THROW(parse_endpoint_table(json::object(), "t.json"), Error);
  json row = json::parse(builtin_endpoints_json())["endpoints"][1];
  row["billing"]["usd_per_output_second"].erase("4k");
  try {
    parse_endpoint_table(json{{"endpoints", {row}}}, "t.json");
    FAIL() << "a resolution without a price must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("4k"), std::string::npos) << e.what();
  }
}

// A user's table, pricing file or ledger cannot make a price negative (it would pass any
// --max-cost), a rate infinite or a frame rate zero: each is refused naming the file and the key.
TEST(EndpointTable, ANegativePriceOrAZeroFrameRateIsRefusedNamingTheKey) {
  const json v1 = json::parse(builtin_endpoints_json())["endpoints"][0];
  const json v11 = json::parse(builtin_endpoints_json())["endpoints"][1];
  std::vector<std::pair<json, std::string>> bad;
  json row = v1;
  row["billing"]["output_usd_per_mtok"] = -21.875;
  bad.push_back({row, "output_usd_per_mtok"});
  row = v11;
  row["billing"]["usd_per_output_second"]["360p"] = -0.03;
  bad.push_back({row, "usd_per_output_second"});
  row = v1;
  row["input"]["max_fps"] = 0;
  bad.push_back({row, "max_fps"});
  row = v1;
  row["billing"]["prompt_chars_per_token"] = 0;
  bad.push_back({row, "prompt_chars_per_token"});
  row = v11;
  row["output"]["resolutions"]["360p"] = {-640, 360};
  bad.push_back({row, "360p"});
  for (const auto& [r, key] : bad) {
    try {
      parse_endpoint_table(json{{"endpoints", {r}}}, "t.json");
      ADD_FAILURE() << key << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      EXPECT_EQ(std::string(e.what()).rfind("t.json: ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(parse_endpoint_table(json::parse(builtin_endpoints_json()), "built-in"));

  fs::path dir = scratch_dir();
  SynthSpec spec;
  spec.duration = 2.0, spec.width = 320, spec.height = 180;
  synthesize((dir / "clip.mp4").string(), spec);
  for (const auto& [body, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"input_usd_per_mtok": -3})", "input_usd_per_mtok"},
           {R"({"input_usd_per_mtok": "cheap"})", "malformed pricing file"}}) {
    std::ofstream(dir / "pricing.json") << body;
    auto r = run_omnicut({"estimate", (dir / "clip.mp4").string(), "--pricing", (dir / "pricing.json").string()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("pricing.json: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

// A future row is a data change: a table file adds a v1.2 taking 15 s sources, and the CLI
// uses it through --endpoints (or OMNICUT_ENDPOINTS).
TEST(EndpointTable, AnOverrideFileAddsARowTheCliUses) {
  fs::path dir = scratch_dir();
  json table = json::parse(builtin_endpoints_json());
  json v12 = table["endpoints"][1];
  v12["id"] = "google/gemini-omni-flash/v1.2/edit";
  v12["input"]["max_duration"] = 15.0;
  table["endpoints"].push_back(v12);
  std::ofstream(dir / "endpoints.json") << table.dump(2);
  SynthSpec spec;
  spec.duration = 12.0, spec.width = 320, spec.height = 180;
  synthesize((dir / "twelve.mp4").string(), spec);
  auto r = run_omnicut({"--endpoints", (dir / "endpoints.json").string(), "estimate", (dir / "twelve.mp4").string(),
                        "--endpoint", "google/gemini-omni-flash/v1.2/edit", "--resolution", "360p", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["files"][0]["segments"], 1) << "15 s sources: 12 s is one segment";
  EXPECT_NEAR(j["total"]["usd"].get<double>(), 12 * 0.03, 1e-9);
  auto env = run_omnicut({"estimate", (dir / "twelve.mp4").string(), "--endpoint", "google/gemini-omni-flash/v1.2/edit"},
                         {"OMNICUT_ENDPOINTS=" + (dir / "endpoints.json").string()});
  EXPECT_EQ(env.exit_code, 0) << env.err;
  auto bad = run_omnicut({"--endpoints", (dir / "missing.json").string(), "estimate", (dir / "twelve.mp4").string()});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("missing.json"), std::string::npos) << bad.err;
}

// ---------------------------------------------------------------- the cost model

TEST(CostModelV11, PricesTheGridPerOutputSecond) {
  CostModel m(find_endpoint(kV11).billing);
  EXPECT_NEAR(m.turn(10, true, "", "360p").usd(), 0.30, 1e-12);
  EXPECT_NEAR(m.turn(10, true, "", "720p").usd(), 1.00, 1e-12);
  EXPECT_NEAR(m.turn(10, true, "", "1080p").usd(), 1.50, 1e-12);
  EXPECT_NEAR(m.turn(10, true, "", "4k").usd(), 3.00, 1e-12);
  EXPECT_NEAR(m.turn(10, false, std::string(4000, 'x'), "").usd(), 1.00, 1e-12)
      << "no input charge, no prompt charge; the default is 720p";
  EXPECT_DOUBLE_EQ(m.turn(10, true, "", "720p").tokens.input(), 0);
  EXPECT_NEAR(m.session(10, true, "Make it night.", 3, "360p").usd(), 0.90, 1e-12);
}

TEST(CostModelV11, TheRecordedBillIsItsUnitsTimesTheResolutionsPrice) {
  // fal billed a 5.000 s source at 360p `x-fal-billable-units: 5.034667` (5.000 s of video,
  // 5.034667 s of audio): $0.15104.
  CostModel m(find_endpoint(kV11).billing);
  ASSERT_TRUE(m.billed_usd(5.034667, "360p"));
  EXPECT_NEAR(*m.billed_usd(5.034667, "360p"), 0.15104, 5e-6);
  EXPECT_NEAR(*m.billed_usd(5.034667, "4k"), 1.5104, 5e-5);
  // v1's units have no published price: unknown, never $0.
  EXPECT_FALSE(CostModel(find_endpoint(kV1).billing).billed_usd(1.3762));
}

TEST(CostModelV11, BillingSurvivesTheLedgersJson) {
  Billing b = find_endpoint(kV11).billing;
  Billing back = billing_from_json(billing_to_json(b), Billing{});
  EXPECT_EQ(back.kind, BillingKind::output_seconds);
  EXPECT_EQ(back.default_resolution, "720p");
  EXPECT_DOUBLE_EQ(back.usd_per_output_second.at("4k"), 0.30);
  // A ledger written before v1.1 has no "kind": token billing, as it was.
  EXPECT_EQ(billing_from_json(json{{"input_usd_per_mtok", 1.875}}, Billing{}).kind, BillingKind::tokens);
}

// ---------------------------------------------------------------- estimate

class EstimateV11 : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = scratch_dir();
    SynthSpec spec;
    spec.duration = 10.0, spec.width = 320, spec.height = 180;
    spec.audio.push_back(SynthAudio());
    clip = dir / "ten.mp4";
    synthesize(clip.string(), spec);
  }
  fs::path dir, clip;
};

TEST_F(EstimateV11, ResolutionPricesTheGridAndIsRefusedOnV1) {
  auto r = run_omnicut({"estimate", clip.string(), "-n", "3", "--endpoint", kV11, "--resolution", "1080p", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["resolution"], "1080p");
  EXPECT_NEAR(j["files"][0]["usd_per_turn"].get<double>(), 1.50, 1e-9);
  EXPECT_NEAR(j["total"]["usd"].get<double>(), 4.50, 1e-9);
  bool overhang_stated = false;
  for (const auto& a : j["assumptions"]) overhang_stated |= a.get<std::string>().find("audio runs about 0.035 s") != std::string::npos;
  EXPECT_TRUE(overhang_stated) << j["assumptions"];

  auto v1 = run_omnicut({"estimate", clip.string(), "--resolution", "1080p"});
  EXPECT_EQ(v1.exit_code, 2);
  EXPECT_NE(v1.err.find("has no resolution field"), std::string::npos) << v1.err;
  EXPECT_EQ(std::count(v1.err.begin(), v1.err.end(), '\n'), 1) << "one line: " << v1.err;
  auto caps = run_omnicut({"estimate", clip.string(), "--endpoint", kV11, "--resolution", "1080P"});
  EXPECT_EQ(caps.exit_code, 2) << caps.err;
}

// The benchmark of the issue: a 10 s clip and a 3-prompt chain on v1, on v1.1 at 720p, and as a
// 360p draft plus a 1080p final, from the same --compare.
TEST_F(EstimateV11, CompareShowsEveryEndpointAndTheDraftThenFinalWay) {
  auto r = run_omnicut({"estimate", clip.string(), "-p", "Make it anime.", "-p", "Make it night.", "-p", "Add snow.",
                        "--compare", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json rows = json::parse(r.out)["compare"];
  auto usd = [&](const std::string& endpoint, const std::string& res) {
    for (const auto& row : rows)
      if (row["endpoint"] == endpoint && row["resolution"] == res) return row["usd"].get<double>();
    ADD_FAILURE() << "no row " << endpoint << " " << res << " in " << rows;
    return -1.0;
  };
  // v1: 3 turns x 10 s x (5,824 in + 5,792 out tokens a second), plus 14/14/9 prompt characters.
  double v1 = 3 * 10 * (5824 * 1.875e-6 + 5792 * 21.875e-6) + (4 + 4 + 3) * 1.875e-6;
  EXPECT_NEAR(usd(kV1, "720p"), v1, 1e-6);
  EXPECT_NEAR(usd(kV11, "720p"), 3.00, 1e-9);
  EXPECT_NEAR(usd(kV11, "360p draft + 1080p final"), 0.90 + 4.50, 1e-9);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_LE(rows[i - 1]["usd"], rows[i]["usd"]) << "cheapest first";
  int chosen = 0;
  for (const auto& row : rows) chosen += row["chosen"].get<bool>();
  EXPECT_EQ(chosen, 1);
}

// ---------------------------------------------------------------- the emulator's v1.1 route

class EmulatorV11 : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = scratch_dir();
    em::Options o;
    emu = std::make_unique<em::Emulator>(o);
    emu->start();
    client = std::make_unique<httplib::Client>(emu->url());
    client->set_read_timeout(300);
    SynthSpec spec;
    spec.duration = 3.0, spec.width = 320, spec.height = 180;
    spec.audio.push_back(SynthAudio());
    synthesize((dir / "src.mp4").string(), spec);
    std::ifstream in(dir / "src.mp4", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto init = client->Post("/storage/upload/initiate?storage_type=fal-cdn-v3", kKey,
                             json{{"content_type", "video/mp4"}, {"file_name", "src.mp4"}}.dump(), "application/json");
    json j = json::parse(init->body);
    client->Put(j["upload_url"].get<std::string>().substr(emu->url().size()), bytes, "video/mp4");
    source_url = j["file_url"];
  }

  // Submits to v1.1, waits, and returns the result GET.
  httplib::Result run(const json& input) {
    auto r = client->Post("/" + kV11, kKey, input.dump(), "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    json sub = json::parse(r->body);
    std::string status = sub["status_url"].get<std::string>().substr(emu->url().size());
    for (int i = 0; i < 3000; ++i) {
      auto s = client->Get(status, kKey);
      if (s->status == 200) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return client->Get(sub["response_url"].get<std::string>().substr(emu->url().size()), kKey);
  }

  fs::path dir;
  std::string source_url;
  std::unique_ptr<em::Emulator> emu;
  std::unique_ptr<httplib::Client> client;
};

TEST_F(EmulatorV11, EachResolutionRendersItsFrameAndBillsOutputSeconds) {
  const std::vector<std::tuple<std::string, int, int>> sizes = {{"360p", 640, 360}, {"1080p", 1920, 1080}, {"4k", 3840, 2160}};
  for (const auto& [res, w, h] : sizes) {
    auto r = run({{"prompt", "sepia"}, {"video_url", source_url}, {"resolution", res}});
    ASSERT_EQ(r->status, 200) << res << ": " << r->body;
    json body = json::parse(r->body);
    EXPECT_EQ(body.size(), 1u) << "exactly {\"video\": File}: " << body;
    auto file = client->Get(body["video"]["url"].get<std::string>().substr(emu->url().size()));
    fs::path out = dir / (res + ".mp4");
    std::ofstream(out, std::ios::binary) << file->body;
    json probe = ffprobe(out);
    json video;
    for (const auto& s : probe["streams"])
      if (s["codec_type"] == "video") video = s;
    EXPECT_EQ(video["width"], w) << res;
    EXPECT_EQ(video["height"], h) << res;
    // The bill: the output file's seconds (its longest stream), not tokens.
    double units = std::stod(r->get_header_value("x-fal-billable-units"));
    double file_seconds = std::stod(probe["format"]["duration"].get<std::string>());
    EXPECT_NEAR(units, file_seconds, 0.03) << res;
    EXPECT_NEAR(units, 3.0, 0.1) << res;
  }
  // No resolution: fal's default, 720p.
  auto r = run({{"prompt", "sepia"}, {"video_url", source_url}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(emu->stats().submissions, 4);
}

TEST_F(EmulatorV11, AResolutionItDoesNotTakeIs422WithFalsDetailAndBillsNothing) {
  auto r = run({{"prompt", "sepia"}, {"video_url", source_url}, {"resolution", "1080P"}});
  ASSERT_EQ(r->status, 422) << r->body;
  EXPECT_EQ(r->get_header_value("x-fal-billable-units"), "0");
  json detail = json::parse(r->body)["detail"][0];
  EXPECT_EQ(detail["loc"], json::array({"body", "resolution"}));
  EXPECT_EQ(detail["type"], "literal_error");
  EXPECT_EQ(detail["msg"], "Input should be '360p', '720p', '1080p' or '4k'");
  auto long_prompt = run({{"prompt", std::string(20001, 'x')}, {"video_url", source_url}});
  ASSERT_EQ(long_prompt->status, 422) << long_prompt->body;
  EXPECT_EQ(json::parse(long_prompt->body)["detail"][0]["type"], "string_too_long");
}

}  // namespace
}  // namespace omnicut::test
