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
  s.prep.start = 0, s.prep.end = s.prep.duration = 6.0;
  s.prep.output = "/tmp/a.prep.mp4";
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

TEST(Ledger, ASourcePathOrMessageThatIsNotUtf8IsSavedNotThrown) {
  // A Latin-1 file name ("caf\xe9.mov") or a message quoting one: saved with U+FFFD, never a throw mid-edit.
  auto path = (test::scratch_dir() / "out.mp4.omnicut.json").string();
  Session s = sample_session(1);
  s.source.path = "/footage/caf\xe9.mov";
  s.turns[0].error = "caf\xe9.mov: could not fetch";
  ASSERT_NO_THROW(save_session(s, path));
  Session back = load_session(path);
  EXPECT_EQ(back.source.path, "/footage/caf\xEF\xBF\xBD.mov");
  EXPECT_EQ(back.turns[0].error, "caf\xEF\xBF\xBD.mov: could not fetch");
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

// Every typed part of a session survives a save and a load in the current format.
TEST(Ledger, RoundTripKeepsEveryTypedRecord) {
  Session s = sample_session(2);
  s.prep.actions = {"trim to 1.00-5.00 s", "scale 480x270 to 1280x720"};
  s.prep.encoded_duration = 4.04, s.prep.fps = 25, s.prep.frames = 101, s.prep.width = 1280, s.prep.height = 720;
  s.prep.path = "encode", s.prep.reason = "video is 480x270, not 1280x720";
  PrepSidecar side;
  side.source = "/footage/a.mp4", side.start = 1, side.end = 5, side.fps = 25, side.path = "encode";
  side.geometry.crop = Rect{0, 30, 480, 210};
  side.geometry.scale_width = 1280, side.geometry.scale_height = 560, side.geometry.out_width = 1280, side.geometry.out_height = 720;
  side.source_display_width = 480, side.source_display_height = 270;
  s.prep.sidecar = side;
  s.options.keep_rest = true, s.options.restore = true, s.options.start = 1.0, s.options.end = 5.0;
  s.options.sync = "refuse";
  s.branch_of = BranchRecord{"/out/parent.mp4.omnicut.json", 1};
  FinalRecord done;
  done.path = "/out/a.mp4", done.from_turn = 2, done.written_at = now_iso8601();
  done.remux.output = "/out/a.mp4", done.remux.video_frames = 96, done.remux.range_start = 1, done.remux.range_end = 5;
  done.remux.audio_mode = "copied", done.remux.notices = {"a notice"};
  done.restore = RestoredSize{480, 270};
  s.final_output = done;

  Session back = round_trip(s);
  EXPECT_EQ(back.version, kLedgerVersion);
  EXPECT_EQ(back.prep.actions, s.prep.actions);
  EXPECT_DOUBLE_EQ(back.prep.encoded_duration, 4.04);
  EXPECT_EQ(back.prep.frames, 101);
  EXPECT_EQ(back.prep.reason, s.prep.reason);
  EXPECT_FALSE(back.prep.planned_only);
  EXPECT_FALSE(back.prep.segment);
  ASSERT_TRUE(back.prep.sidecar && back.prep.sidecar->geometry.crop);
  EXPECT_EQ(back.prep.sidecar->geometry.crop->y, 30);
  EXPECT_EQ(back.prep.sidecar->geometry.scale_height, 560);
  EXPECT_TRUE(back.options.keep_rest && back.options.restore && !back.options.keep_turns && !back.options.split);
  EXPECT_EQ(back.options.start, 1.0);
  EXPECT_EQ(back.options.end, 5.0);
  EXPECT_FALSE(back.options.segment);
  EXPECT_EQ(back.options.sync, "refuse");
  ASSERT_TRUE(back.branch_of);
  EXPECT_EQ(back.branch_of->session, "/out/parent.mp4.omnicut.json");
  EXPECT_EQ(back.branch_of->turn, 1);
  ASSERT_TRUE(back.final_output && back.final_output->restore);
  EXPECT_EQ(back.final_output->from_turn, 2);
  EXPECT_EQ(back.final_output->remux.video_frames, 96);
  EXPECT_EQ(back.final_output->remux.audio_mode, "copied");
  EXPECT_EQ(back.final_output->remux.notices, done.remux.notices);
  EXPECT_EQ(back.final_output->restore->height, 270);
  EXPECT_FALSE(back.final_output->concat);
  EXPECT_FALSE(back.split);
}

TEST(Ledger, RoundTripKeepsASplit) {
  Session s = sample_session(1);
  s.options.split = true;
  s.prep.planned_only = true;
  SplitRecord split;
  split.manifest.source = "/footage/long.mp4", split.manifest.endpoint = s.endpoint;
  split.manifest.min_duration = 3, split.manifest.max_duration = 10, split.manifest.scene_changes = {7.0};
  split.manifest.segments = {{0, "segment-000.mp4", 0, 7, "scene", 175}, {1, "segment-001.mp4", 7, 12, "end", 125}};
  split.segments = {{0, 0, 7, "/w/segment-000.mp4", "encode", "/out/a.mp4.omnicut.d/segment-000.omnicut.json"},
                    {1, 7, 12, "/w/segment-001.mp4", "copy", "/out/a.mp4.omnicut.d/segment-001.omnicut.json"}};
  s.split = split;
  FinalRecord done;
  done.path = "/out/a.mp4", done.from_turn = 1;
  done.concat = ConcatResult{"", true, "", 288, 12.0, {7.0, 5.0}};
  s.final_output = done;

  Session back = round_trip(s);
  EXPECT_TRUE(back.options.split);
  EXPECT_TRUE(back.prep.planned_only);
  ASSERT_TRUE(back.split);
  ASSERT_EQ(back.split->segments.size(), 2u);
  EXPECT_EQ(back.split->segments[1].prep, "copy");
  EXPECT_EQ(back.split->segments[1].ledger, split.segments[1].ledger);
  EXPECT_EQ(back.split->manifest.segments[0].cut, "scene");
  EXPECT_EQ(back.split->manifest.scene_changes, std::vector<double>{7.0});
  ASSERT_TRUE(back.final_output && back.final_output->concat);
  EXPECT_TRUE(back.final_output->concat->copied);
  EXPECT_EQ(back.final_output->concat->part_durations, (std::vector<double>{7.0, 5.0}));
  EXPECT_FALSE(back.final_output->restore);
}

// Version 1 ledgers, as omnicut wrote them before the session's parts had types (trimmed from
// real ledgers of `edit --restore` + `--from-turn` and `edit --split`; paths and ids shortened).
// A branch, made by --from-turn 1 of a --restore session: turn 1 inherited, turn 2 its own.
const char* kV1Branch = R"json({
  "omnicut_session": 1, "created_at": "2026-12-03T07:47:35.519Z", "updated_at": "2026-12-03T07:47:59.145Z",
  "endpoint": "google/gemini-omni-flash/edit", "server": "https://queue.fal.run", "local": false,
  "billing": {"input_audio_tokens_per_s": 32.0, "input_usd_per_mtok": 1.875, "input_video_tokens_per_s": 5792.0,
              "output_usd_per_mtok": 21.875, "output_video_tokens_per_s": 5792.0, "prompt_chars_per_token": 4.0,
              "usd_per_unit": 0.0},
  "branch_of": {"session": "/v/out.mp4.omnicut.json", "turn": 1},
  "final": {"from_turn": 2, "path": "/v/branch.mp4", "written_at": "2026-12-03T07:47:59.145Z",
            "remux": {"audio": "copied", "audio_duration": 4.0, "audio_padded": 0.0,
                      "audio_reason": "AAC copied packet for packet, cut to the sample by the MP4 edit list",
                      "audio_trimmed": 0.0, "duration_difference": 0.0, "notices": [], "output": "/v/branch.mp4",
                      "range_end": 5.0, "range_start": 1.0, "restore": {"height": 270, "width": 480},
                      "video_duration": 4.0, "video_fps": 24.0, "video_frames": 96}},
  "options": {"end": 5.0, "keep_rest": false, "keep_turns": false, "restore": true, "start": 1.0},
  "output": "/v/branch.mp4",
  "prep": {"actions": ["trim to 1.00-5.00 s", "scale 480x270 to 1280x720", "audio aac 48000 Hz mono to AAC-LC 48 kHz stereo"],
           "audio": "encode", "audio_duration": 4.0, "duration": 4.0, "encoded_duration": 4.0, "end": 5.0, "fps": 25.0,
           "frames": 100, "height": 720, "input": "/v/clip.mp4", "output": "/v/.out.mp4.omnicut.work/prep.mp4",
           "path": "encode", "reason": "video is 480x270, not 1280x720",
           "sidecar": "/v/.out.mp4.omnicut.work/prep.mp4.prep.json",
           "sidecar_record": {"end": 5.0, "fps": 25.0,
                              "geometry": {"crop": null, "mirrored": false, "out_height": 720, "out_width": 1280,
                                           "rotation": 0, "sar": "1:1", "scale_height": 720, "scale_width": 1280},
                              "path": "encode", "source": "/v/clip.mp4", "source_display_height": 270,
                              "source_display_width": 480, "start": 1.0},
           "size": 1057880, "start": 1.0, "width": 1280},
  "source": {"duration": 6.0, "has_audio": true, "hash": "sha256:26f4c7d3", "hash_method": "sha256(size, first MiB, last MiB)",
             "path": "/v/clip.mp4", "size": 397497},
  "split": null,
  "totals": {"completed": 2, "cost_usd": 0.5504875, "turns": 2, "unknown_cost_turns": 0},
  "turns": [
    {"billed_units": {"raw": "0.55048750", "value": 0.5504875}, "cancel_url": "https://queue.fal.run/r1/cancel",
     "cost_source": "billed", "cost_usd": 0.5504875, "endpoint": "google/gemini-omni-flash/edit", "error": "",
     "estimated_usd": 0.5504875, "inherited_from": "/v/out.mp4.omnicut.json", "input_url": "https://fal.media/prep.mp4",
     "local_path": "", "prompt": "Make it night.", "request_id": "r1", "response_url": "https://queue.fal.run/r1",
     "result": {"content_type": "video/mp4", "file_name": "output.mp4", "file_size": 587103, "url": "https://fal.media/o1.mp4"},
     "status": "completed", "status_url": "https://queue.fal.run/r1/status",
     "submit_input": {"prompt": "Make it night.", "video_url": "https://fal.media/prep.mp4"},
     "submit_started_at": "2026-12-03T07:47:40.673Z",
     "timings": {"completed_at": "2026-12-03T07:47:52.016Z", "download_s": 0.0, "queue_s": 0.0, "run_s": 11.3,
                 "submitted_at": "2026-12-03T07:47:40.685Z"},
     "tokens": {"input": 23300.0, "input_audio": 128.0, "input_text": 4.0, "input_video": 23168.0, "output": 23168.0},
     "turn": 1},
    {"billed_units": {"raw": "0.55048750", "value": 0.5504875}, "cancel_url": "https://queue.fal.run/r2/cancel",
     "cost_source": "billed", "cost_usd": 0.5504875, "endpoint": "google/gemini-omni-flash/edit", "error": "",
     "estimated_usd": 0.5504875, "inherited_from": "", "input_url": "https://fal.media/o1.mp4",
     "local_path": "/v/.branch.mp4.omnicut.work/turn2.mp4", "prompt": "Make it sepia.", "request_id": "r2",
     "response_url": "https://queue.fal.run/r2",
     "result": {"content_type": "video/mp4", "file_name": "output.mp4", "file_size": 423369, "url": "https://fal.media/o2.mp4"},
     "status": "completed", "status_url": "https://queue.fal.run/r2/status",
     "submit_input": {"prompt": "Make it sepia.", "video_url": "https://fal.media/o1.mp4"},
     "submit_started_at": "2026-12-03T07:47:52.061Z",
     "timings": {"completed_at": "2026-12-03T07:47:58.018Z", "download_s": 0.0012, "queue_s": 0.0, "run_s": 5.9,
                 "submitted_at": "2026-12-03T07:47:52.098Z"},
     "tokens": {"input": 23300.0, "input_audio": 128.0, "input_text": 4.0, "input_video": 23168.0, "output": 23168.0},
     "turn": 2}],
  "upload": {"file": "/v/.out.mp4.omnicut.work/prep.mp4", "size": 1057880, "uploaded_at": "2026-12-03T07:47:40.664Z",
             "url": "https://fal.media/prep.mp4"}
})json";

// A --split parent: the plan only in "prep", the split, and the join as its final remux.
const char* kV1SplitParent = R"json({
  "omnicut_session": 1, "created_at": "2026-12-03T07:48:14.392Z", "updated_at": "2026-12-03T07:48:41.023Z",
  "endpoint": "google/gemini-omni-flash/edit", "server": "https://queue.fal.run", "local": false,
  "billing": {"input_audio_tokens_per_s": 32.0, "input_usd_per_mtok": 1.875, "input_video_tokens_per_s": 5792.0,
              "output_usd_per_mtok": 21.875, "output_video_tokens_per_s": 5792.0, "prompt_chars_per_token": 4.0,
              "usd_per_unit": 0.0},
  "branch_of": null,
  "final": {"from_turn": 1, "path": "/v/split.mp4", "written_at": "2026-12-03T07:48:41.023Z",
            "remux": {"audio": "copied", "audio_reason": "AAC copied packet for packet, cut to the sample by the MP4 edit list",
                      "duration_difference": 0.0, "notices": [], "output": "/v/split.mp4", "range_end": 12.0,
                      "range_start": 0.0, "segments": 2, "video_copied": true, "video_duration": 12.0,
                      "video_frames": 288}},
  "options": {"end": null, "keep_rest": false, "keep_turns": false, "restore": false, "split": true, "start": null},
  "output": "/v/split.mp4",
  "prep": {"duration": 12.0, "end": 12.0, "planned_only": true, "start": 0.0},
  "source": {"duration": 12.0, "has_audio": true, "hash": "sha256:e0eef63c", "hash_method": "sha256(size, first MiB, last MiB)",
             "path": "/v/long.mp4", "size": 795502},
  "split": {"manifest": {"endpoint": "google/gemini-omni-flash/edit", "max_duration": 10.0, "min_duration": 3.0,
                         "scene_changes": [],
                         "segments": [{"cut": "even", "duration": 6.0, "end": 6.0, "file": "segment-000.mp4",
                                       "frames": 150, "index": 0, "start": 0.0},
                                      {"cut": "end", "duration": 6.0, "end": 12.0, "file": "segment-001.mp4",
                                       "frames": 150, "index": 1, "start": 6.0}],
                         "source": "/v/long.mp4", "version": 1},
            "segments": [{"end": 6.0, "file": "/v/.split.mp4.omnicut.work/segments/segment-000.mp4", "index": 0,
                          "ledger": "/v/split.mp4.omnicut.d/segment-000.omnicut.json", "prep": "encode", "start": 0.0},
                         {"end": 12.0, "file": "/v/.split.mp4.omnicut.work/segments/segment-001.mp4", "index": 1,
                          "ledger": "/v/split.mp4.omnicut.d/segment-001.omnicut.json", "prep": "encode", "start": 6.0}]},
  "totals": {"completed": 1, "cost_usd": 1.651455, "turns": 1, "unknown_cost_turns": 0},
  "turns": [{"billed_units": {"raw": "0.82572750 + 0.82572750", "value": 1.651455}, "cancel_url": "",
             "cost_source": "billed", "cost_usd": 1.651455, "endpoint": "google/gemini-omni-flash/edit", "error": "",
             "estimated_usd": 1.651455, "inherited_from": "", "input_url": "", "local_path": "",
             "prompt": "Make it night.", "request_id": "", "response_url": "", "result": null, "status": "completed",
             "status_url": "", "submit_input": null, "submit_started_at": "",
             "timings": {"completed_at": "", "download_s": 0.0, "queue_s": 0.0, "run_s": 0.0, "submitted_at": ""},
             "tokens": {"input": 69896.0, "input_audio": 384.0, "input_text": 8.0, "input_video": 69504.0, "output": 69504.0},
             "turn": 1}],
  "upload": null
})json";

// One of its segments' ledgers: the segment's range and prepped file, and whose segment it is.
const char* kV1Segment = R"json({
  "omnicut_session": 1, "endpoint": "google/gemini-omni-flash/edit", "server": "https://queue.fal.run", "local": false,
  "branch_of": null, "final": null, "split": null, "output": "",
  "prep": {"duration": 6.0, "end": 6.0, "frames": 150, "output": "/v/.split.mp4.omnicut.work/segments/segment-000.mp4",
           "segment": 0, "start": 0.0},
  "options": {"segment": 0, "segment_of": "/v/split.mp4"},
  "turns": []
})json";

TEST(Ledger, Version1BranchReadsIntoTheTypedRecords) {
  Session s = session_from_json(nlohmann::json::parse(kV1Branch), "v1-branch.json");
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.options.sync, "correct");  // older ledgers had no --sync: what those edits did
  EXPECT_DOUBLE_EQ(s.prep.start, 1.0);
  EXPECT_DOUBLE_EQ(s.prep.end, 5.0);
  EXPECT_DOUBLE_EQ(s.prep.duration, 4.0);
  EXPECT_DOUBLE_EQ(s.prep.encoded_duration, 4.0);
  EXPECT_DOUBLE_EQ(s.prep.fps, 25.0);
  EXPECT_EQ(s.prep.frames, 100);
  ASSERT_EQ(s.prep.actions.size(), 3u);
  EXPECT_EQ(s.prep.actions[0], "trim to 1.00-5.00 s");
  EXPECT_EQ(s.prep.output, "/v/.out.mp4.omnicut.work/prep.mp4");
  EXPECT_FALSE(s.prep.planned_only);
  EXPECT_EQ(s.prep.width, 1280);
  EXPECT_EQ(s.prep.height, 720);
  EXPECT_EQ(s.prep.path, "encode");
  EXPECT_EQ(s.prep.reason, "video is 480x270, not 1280x720");
  EXPECT_FALSE(s.prep.segment);
  ASSERT_TRUE(s.prep.sidecar);
  EXPECT_EQ(s.prep.sidecar->source_display_width, 480);
  EXPECT_DOUBLE_EQ(s.prep.sidecar->start, 1.0);
  EXPECT_EQ(s.prep.sidecar->geometry.scale_width, 1280);
  EXPECT_FALSE(s.prep.sidecar->geometry.crop);

  EXPECT_TRUE(s.options.restore);
  EXPECT_FALSE(s.options.keep_rest || s.options.keep_turns || s.options.split);
  EXPECT_EQ(s.options.start, 1.0);
  EXPECT_EQ(s.options.end, 5.0);
  EXPECT_TRUE(s.options.segment_of.empty());

  ASSERT_TRUE(s.branch_of);
  EXPECT_EQ(s.branch_of->session, "/v/out.mp4.omnicut.json");
  EXPECT_EQ(s.branch_of->turn, 1);
  EXPECT_EQ(s.turns[0].inherited_from, "/v/out.mp4.omnicut.json");
  EXPECT_NEAR(s.cost_usd(), 0.5504875, 1e-12);  // the inherited turn is the parent's bill

  ASSERT_TRUE(s.final_output);
  EXPECT_EQ(s.final_output->path, "/v/branch.mp4");
  EXPECT_EQ(s.final_output->from_turn, 2);
  EXPECT_EQ(s.final_output->written_at, "2026-12-03T07:47:59.145Z");
  const RemuxResult& r = s.final_output->remux;
  EXPECT_EQ(r.output, "/v/branch.mp4");
  EXPECT_EQ(r.video_frames, 96);
  EXPECT_DOUBLE_EQ(r.video_fps, 24.0);
  EXPECT_DOUBLE_EQ(r.range_start, 1.0);
  EXPECT_DOUBLE_EQ(r.range_end, 5.0);
  EXPECT_DOUBLE_EQ(r.range_duration, 4.0);
  EXPECT_EQ(r.audio_mode, "copied");
  EXPECT_DOUBLE_EQ(r.audio_duration, 4.0);
  ASSERT_TRUE(s.final_output->restore);
  EXPECT_EQ(s.final_output->restore->width, 480);
  EXPECT_EQ(s.final_output->restore->height, 270);
  EXPECT_FALSE(s.final_output->concat);
  EXPECT_FALSE(s.split);
}

TEST(Ledger, Version1SplitParentAndSegmentReadIntoTheTypedRecords) {
  Session s = session_from_json(nlohmann::json::parse(kV1SplitParent), "v1-split.json");
  EXPECT_TRUE(s.options.split);
  EXPECT_FALSE(s.options.start);
  EXPECT_FALSE(s.options.end);
  EXPECT_TRUE(s.prep.planned_only);
  EXPECT_DOUBLE_EQ(s.prep.duration, 12.0);
  EXPECT_FALSE(s.prep.sidecar);
  EXPECT_FALSE(s.branch_of);
  ASSERT_TRUE(s.split);
  EXPECT_EQ(s.split->manifest.source, "/v/long.mp4");
  ASSERT_EQ(s.split->manifest.segments.size(), 2u);
  EXPECT_EQ(s.split->manifest.segments[1].cut, "end");
  EXPECT_EQ(s.split->manifest.segments[1].frames, 150);
  ASSERT_EQ(s.split->segments.size(), 2u);
  EXPECT_EQ(s.split->segments[1].index, 1);
  EXPECT_DOUBLE_EQ(s.split->segments[1].start, 6.0);
  EXPECT_DOUBLE_EQ(s.split->segments[1].end, 12.0);
  EXPECT_EQ(s.split->segments[1].file, "/v/.split.mp4.omnicut.work/segments/segment-001.mp4");
  EXPECT_EQ(s.split->segments[1].prep, "encode");
  EXPECT_EQ(s.split->segments[1].ledger, "/v/split.mp4.omnicut.d/segment-001.omnicut.json");
  ASSERT_TRUE(s.final_output);
  EXPECT_EQ(s.final_output->remux.video_frames, 288);
  EXPECT_DOUBLE_EQ(s.final_output->remux.range_end, 12.0);
  ASSERT_TRUE(s.final_output->concat);  // the join's "video_copied" and frames
  EXPECT_TRUE(s.final_output->concat->copied);
  EXPECT_EQ(s.final_output->concat->frames, 288);
  EXPECT_FALSE(s.final_output->restore);
  EXPECT_NEAR(s.cost_usd(), 1.651455, 1e-12);

  Session kid = session_from_json(nlohmann::json::parse(kV1Segment), "v1-segment.json");
  EXPECT_EQ(kid.options.segment_of, "/v/split.mp4");
  EXPECT_EQ(kid.options.segment, 0);
  EXPECT_FALSE(kid.options.split);
  EXPECT_EQ(kid.prep.segment, 0);
  EXPECT_EQ(kid.prep.frames, 150);
  EXPECT_DOUBLE_EQ(kid.prep.duration, 6.0);
  EXPECT_EQ(kid.prep.output, "/v/.split.mp4.omnicut.work/segments/segment-000.mp4");
  EXPECT_FALSE(kid.final_output);
}

// A version 1 ledger saved again is written in the current format and reads back the same.
TEST(Ledger, Version1IsRewrittenAsTheCurrentVersion) {
  for (const char* text : {kV1Branch, kV1SplitParent, kV1Segment}) {
    Session v1 = session_from_json(nlohmann::json::parse(text), "v1.json");
    auto path = (test::scratch_dir() / "v.json").string();
    save_session(v1, path);
    EXPECT_EQ(read_json(path)["omnicut_session"], kLedgerVersion);
    Session v2 = load_session(path);
    EXPECT_EQ(v2.version, kLedgerVersion);
    // The same typed session: its current-format JSON is the same but for when it was saved.
    auto a = to_json(v1), b = to_json(v2);
    a.erase("updated_at"), b.erase("updated_at");
    EXPECT_EQ(a, b) << a.dump(1) << "\n---\n" << b.dump(1);
  }
}

TEST(Ledger, AnUnknownVersionIsRefusedInOneLine) {
  for (const auto& [version, want] : std::vector<std::pair<nlohmann::json, std::string>>{
           {3, "newer than this omnicut reads (1 to 2)"}, {0, "unknown ledger format 0"}, {"2", "unknown ledger format \"2\""}}) {
    nlohmann::json j = nlohmann::json::parse(kV1Segment);
    j["omnicut_session"] = version;
    try {
      session_from_json(j, "future.json");
      ADD_FAILURE() << "version " << version << " was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      std::string what = e.what();
      EXPECT_EQ(what.rfind("future.json: ", 0), 0u) << what;
      EXPECT_NE(what.find(want), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(Ledger, AMalformedFieldIsAUsageErrorNamingTheLedger) {
  for (const char* field : {"prep", "options", "split", "final", "options.sync", "billing"}) {
    nlohmann::json j = nlohmann::json::parse(kV1SplitParent);
    j["omnicut_session"] = kLedgerVersion;
    if (std::string(field) == "prep") j["prep"]["start"] = "soon";
    if (std::string(field) == "options") j["options"]["start"] = "soon";
    if (std::string(field) == "options.sync") j["options"]["sync"] = "sideways";
    if (std::string(field) == "billing") j["billing"]["input_usd_per_mtok"] = -1.875;  // would pass any --max-cost
    if (std::string(field) == "split") j["split"]["manifest"].erase("segments");
    if (std::string(field) == "final") j["final"]["remux"].erase("video");  // the v2 shape is required of v2
    try {
      session_from_json(j, "bad.json");
      ADD_FAILURE() << field << " was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage) << field;
      EXPECT_EQ(std::string(e.what()).rfind("bad.json: ", 0), 0u) << e.what();
    }
  }
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
