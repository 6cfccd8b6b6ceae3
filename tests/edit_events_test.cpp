// What an edit session reports, and how the CLI shows it: the pipeline's typed events in order
// (recorded in-process against the loopback emulator, with nothing written to stdout by the
// pipeline itself), the confirm callback deciding what is sent, --split segments tagged from
// their threads, the JSON-lines events with their documented names and fields, and the
// estimate's text stating the rates of the billing in use (--pricing included).
#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "client/fal.h"
#include "codecs/testing/synth.h"
#include "common/error.h"
#include "pipeline/cli/estimate_text.h"
#include "pipeline/edit/edit_session.h"
#include "pipeline/support/format.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/recording_events.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::Emu;
using test::RecordedEvent;
using test::RecordingEvents;

const std::string kKey = "events-test-key-7d1e2f3a4b5c";

fs::path make_source(const fs::path& dir, double seconds) {
  SynthSpec spec;
  spec.duration = seconds;
  spec.width = 320, spec.height = 180;
  spec.audio = {SynthAudio{}};
  auto path = dir / "source.mp4";
  synthesize(path.string(), spec);
  return path;
}

client::Fal fal_at(const Emu& e) {
  return client::Fal{client::FalUrls::at_origin(e.emu.url()), client::Http(client::Credentials(kKey), client::HttpOptions{})};
}

EditOptions options_for(const fs::path& src, const fs::path& out, std::vector<std::string> prompts) {
  EditOptions o;
  o.input = src.string();
  o.output = out.string();
  o.prompts = std::move(prompts);
  o.poll_interval_s = 0.05;
  return o;
}

std::vector<RecordedEvent> of_kind(const std::vector<RecordedEvent>& events, const std::string& kind) {
  std::vector<RecordedEvent> out;
  std::copy_if(events.begin(), events.end(), std::back_inserter(out), [&](const RecordedEvent& e) { return e.kind == kind; });
  return out;
}

// The units a stage's progress was reported in.
std::set<std::string> units_in(const std::vector<RecordedEvent>& events, const std::string& stage) {
  std::set<std::string> units;
  std::string current;
  for (const auto& e : events) {
    if (e.kind == "stage") current = e.text;
    if (e.kind == "progress" && current == stage) units.insert(e.unit);
  }
  return units;
}

TEST(EditEvents, ASessionReportsTypedStagesInOrderAndPrintsNothing) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir, 4.0);
  Emu e;
  client::Fal fal = fal_at(e);
  RecordingEvents events;
  EditContext ctx;
  ctx.fal = &fal, ctx.server = e.emu.url(), ctx.events = &events;

  testing::internal::CaptureStdout();
  EditOutcome out = run_edit(options_for(src, dir / "out.mp4", {"Make it night.", "Make it sepia."}), ctx);
  std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_EQ(printed, "");

  // Folded into runs, without the many progress, queue and log events in between.
  std::vector<std::string> outline;
  for (const auto& line : events.outline())
    if (line != "progress" && line != "queue" && line != "log") outline.push_back(line);
  const std::vector<std::string> expected = {
      "session", "estimate", "confirm Submit for about " + format_usd(out.estimate_usd) + "?",
      "stage prep", "done", "stage upload", "done",
      "stage turn 1/2", "submitted", "cost", "done",
      "stage turn 2/2", "submitted", "cost", "done",
      "stage download", "done", "stage remux", "done", "result"};  // in sync: no notice
  EXPECT_EQ(outline, expected);

  auto all = events.events();
  auto submitted = of_kind(all, "submitted");
  ASSERT_EQ(submitted.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(submitted[i].number, double(i + 1));
    EXPECT_EQ(submitted[i].text, out.session.turns[i].request_id);
    EXPECT_FALSE(submitted[i].text.empty());
  }
  EXPECT_EQ(e.emu.stats().submissions, 2);
  EXPECT_DOUBLE_EQ(of_kind(all, "cost").back().number, out.session.cost_usd());
  EXPECT_DOUBLE_EQ(of_kind(all, "result").back().number, out.session.cost_usd());
  EXPECT_FALSE(of_kind(all, "log").empty());  // the model's log lines reach the reporter

  EXPECT_EQ(units_in(all, "prep"), std::set<std::string>{"frames"});
  EXPECT_EQ(units_in(all, "upload"), std::set<std::string>{"bytes"});
  EXPECT_EQ(units_in(all, "download"), std::set<std::string>{"bytes"});
  for (const auto& ev : all) EXPECT_FALSE(ev.segment) << ev.kind;

  auto estimates = events.estimates();
  ASSERT_EQ(estimates.size(), 1u);
  EXPECT_EQ(estimates[0].segments, 0u);
  ASSERT_EQ(estimates[0].turns.size(), 2u);
  EXPECT_EQ(estimates[0].turns[0].status, turn_status::pending);
  EXPECT_GT(estimates[0].turns[0].cost.tokens.output(), 0);
  EXPECT_DOUBLE_EQ(estimates[0].usd, out.estimate_usd);
}

TEST(EditEvents, ARefusedOrUnaskableConfirmationSendsNothing) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir, 4.0);
  Emu e;
  client::Fal fal = fal_at(e);
  for (Consent answer : {Consent::refused, Consent::cannot_ask}) {
    RecordingEvents events(answer);
    EditContext ctx;
    ctx.fal = &fal, ctx.server = e.emu.url(), ctx.events = &events;
    auto out = dir / (answer == Consent::refused ? "refused.mp4" : "unasked.mp4");
    try {
      run_edit(options_for(src, out, {"Make it night."}), ctx);
      FAIL() << "expected a refusal";
    } catch (const Error& err) {
      EXPECT_EQ(err.kind(), ErrorKind::refused);
      EXPECT_EQ(std::string(err.what()).find("--yes") != std::string::npos, answer == Consent::cannot_ask) << err.what();
    }
    EXPECT_EQ(of_kind(events.events(), "confirm").size(), 1u);
    EXPECT_FALSE(fs::exists(default_ledger_path(out.string())));
  }
  EXPECT_EQ(e.emu.stats().uploads + e.emu.stats().submissions, 0);
}

TEST(EditEvents, SplitSegmentsReportTaggedFromTheirOwnThreads) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir, 12.0);
  Emu e;
  client::Fal fal = fal_at(e);
  RecordingEvents events;
  EditContext ctx;
  ctx.fal = &fal, ctx.server = e.emu.url(), ctx.events = &events;
  EditOptions o = options_for(src, dir / "out.mp4", {"Make it sepia."});
  o.split = true, o.jobs = 2;
  EditOutcome out = run_edit(o, ctx);

  auto all = events.events();
  std::map<size_t, std::vector<std::string>> stages;  // per segment
  std::vector<std::string> parent;
  for (const auto& ev : all) {
    if (ev.kind != "stage") continue;
    if (ev.segment) stages[*ev.segment].push_back(ev.text);
    else parent.push_back(ev.text);
  }
  EXPECT_EQ(parent, (std::vector<std::string>{"split", "join"}));
  ASSERT_EQ(stages.size(), 2u);
  for (const auto& [segment, names] : stages)
    EXPECT_EQ(names, (std::vector<std::string>{"upload", "turn 1/1", "download"})) << segment;
  auto submitted = of_kind(all, "submitted");
  ASSERT_EQ(submitted.size(), 2u);
  EXPECT_NE(submitted[0].segment, submitted[1].segment);
  EXPECT_EQ(e.emu.stats().submissions, 2);
  auto estimates = events.estimates();
  ASSERT_EQ(estimates.size(), 1u);
  EXPECT_EQ(estimates[0].segments, 2u);
  EXPECT_EQ(estimates[0].turns.at(0).segments_to_submit, 2);
  EXPECT_DOUBLE_EQ(estimates[0].usd, out.estimate_usd);
  EXPECT_FALSE(of_kind(all, "result").back().segment);
}

// The fields each JSON-lines event has carried since the README documented them.
const std::map<std::string, std::set<std::string>> kJsonFields = {
    {"session", {"ledger", "output", "simulated"}},
    {"estimate", {"seconds", "turns", "usd", "spent_usd", "simulated", "billing"}},
    {"stage", {"stage", "detail"}},
    {"progress", {"stage", "done", "total", "unit"}},
    {"queue", {"stage", "position", "state"}},
    {"log", {"stage", "message"}},
    {"submitted", {"turn", "request_id", "ledger"}},
    {"cost", {"usd", "simulated"}},
    {"message", {"text"}},
    {"done", {"stage", "summary"}},
    {"result", {"output", "ledger", "cost_usd", "simulated", "remux", "report"}},  // "report" added with the report page
};

TEST(EditJson, LocalEventsKeepTheirNamesAndFields) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir, 4.0);
  auto r = test::run_omnicut({"edit", src.string(), "-p", "Make it night.", "-o", (dir / "out.mp4").string(), "--local",
                              "--json", "--poll-interval", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::vector<std::string> names, stages;
  double last_t = 0;
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    std::string name = j.at("event");
    ASSERT_TRUE(kJsonFields.count(name)) << line;
    std::set<std::string> keys;
    for (auto& [k, v] : j.items()) keys.insert(k);
    std::set<std::string> want = kJsonFields.at(name);
    want.insert({"event", "t"});
    EXPECT_EQ(keys, want) << line;
    EXPECT_GE(j.at("t").get<double>(), last_t);
    last_t = j.at("t").get<double>();
    if (names.empty() || names.back() != name) names.push_back(name);
    if (name == "stage") stages.push_back(j.at("stage"));
  }
  EXPECT_EQ(stages, (std::vector<std::string>{"prep", "upload", "turn 1/1", "download", "remux", "report"}));
  ASSERT_GE(names.size(), 3u);
  EXPECT_EQ(names[0], "session");
  EXPECT_EQ(names[1], "estimate");
  EXPECT_EQ(names.back(), "result");
  EXPECT_NE(std::find(names.begin(), names.end(), "submitted"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "log"), names.end());
}

Billing other_rates() {
  Billing b;
  b.input_usd_per_mtok = 3, b.output_usd_per_mtok = 40;
  b.input_video_tokens_per_s = 1000, b.input_audio_tokens_per_s = 10, b.output_video_tokens_per_s = 2000;
  return b;
}

TEST(EstimateText, StatesTheRatesOfTheBillingInUse) {
  EstimateView v;
  v.endpoint = default_endpoint().id;
  v.seconds = 4;
  v.billing = other_rates();
  CostModel model(v.billing);
  v.turns.push_back({1, "Make it night.", turn_status::pending, model.turn(4, true, "Make it night."), 0, 0});
  v.usd = v.turns[0].cost.usd();
  std::string text = cli::estimate_text(v);
  EXPECT_NE(text.find("1,000 input tokens/s of video + 10/s of audio at $3 per 1M tokens"), std::string::npos) << text;
  EXPECT_NE(text.find("2,000 output tokens/s at $40 per 1M tokens"), std::string::npos) << text;
  EXPECT_EQ(text.find("5,792"), std::string::npos) << text;
  EXPECT_NE(text.find(format_usd(v.usd)), std::string::npos) << text;

  v.billing = default_endpoint().billing;  // the published rates are stated the same way
  text = cli::estimate_text(v);
  EXPECT_NE(text.find("5,792 input tokens/s of video + 32/s of audio at $1.875 per 1M tokens"), std::string::npos) << text;
}

TEST(EstimateText, EditWithPricingEstimatesAtThoseRates) {
  auto dir = test::scratch_dir();
  auto src = make_source(dir, 4.0);
  std::ofstream(dir / "pricing.json") << billing_to_json(other_rates()).dump();
  auto r = test::run_omnicut({"edit", src.string(), "-p", "Make it night.", "-o", (dir / "out.mp4").string(), "--local",
                              "--dry-run", "--json", "--pricing", (dir / "pricing.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  nlohmann::json estimate;
  for (std::string line; std::getline(lines, line);)
    if (auto j = nlohmann::json::parse(line); j["event"] == "estimate") estimate = j;
  ASSERT_TRUE(estimate.is_object()) << r.out;
  EXPECT_EQ(estimate["billing"], billing_to_json(other_rates()));
  // 4 s with audio: (4000 + 40 input + prompt) tokens at $3/M and 8000 output tokens at $40/M.
  EXPECT_NEAR(estimate["usd"].get<double>(), (4040 + 4) * 3e-6 + 8000 * 40e-6, 5e-3);

  auto resumed = test::run_omnicut({"edit", "--resume", (dir / "x.omnicut.json").string(), "--local", "--pricing",
                                    (dir / "pricing.json").string()});
  EXPECT_EQ(resumed.exit_code, 2) << resumed.err;
  EXPECT_NE(resumed.err.find("--pricing"), std::string::npos) << resumed.err;
}

}  // namespace
}  // namespace omnicut
