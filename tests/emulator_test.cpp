// The loopback fal emulator, driven over HTTP with httplib's client: every route, the status
// codes and bodies fal's clients depend on, Range, multipart completed out of order, each fault,
// and the edit it renders (720p, 24 fps, H.264, its own audio, a look that follows the prompt).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <httplib.h>

#include "codecs/testing/synth.h"
#include "common/error.h"
#include "emulator/billing.h"
#include "emulator/emulator.h"
#include "tests/support/test_support.h"

namespace omnicut::test {
namespace {

using nlohmann::json;
namespace em = omnicut::emulator;

const httplib::Headers kKey = {{"Authorization", "Key test-key-123"}};
const std::string kEdit = "/google/gemini-omni-flash/edit";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string pattern_bytes(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

// A test clip: a moving pattern, optionally with a steady tone.
SynthSpec clip(double duration, int width = 320, int height = 240, bool audio = false) {
  SynthSpec spec;
  spec.duration = duration;
  spec.width = width;
  spec.height = height;
  if (audio) spec.audio.push_back(SynthAudio());
  return spec;
}

class EmulatorTest : public ::testing::Test {
 protected:
  void start(em::Faults faults = {}, bool require_key = true) {
    em::Options o;
    o.faults = faults;
    o.require_key = require_key;
    emu = std::make_unique<em::Emulator>(o);
    emu->start();
    client = std::make_unique<httplib::Client>(emu->url());
    client->set_read_timeout(120);
  }
  void SetUp() override { dir = scratch_dir(); }

  std::string path_of(const std::string& url) {
    EXPECT_EQ(url.rfind(emu->url() + "/", 0), 0u) << url << " is not on the emulator";
    return url.substr(emu->url().size());
  }

  // initiate + PUT; returns the initiate response.
  json upload(const std::string& bytes, const std::string& name, const std::string& type) {
    auto r = client->Post("/storage/upload/initiate?storage_type=fal-cdn-v3", kKey,
                          json{{"content_type", type}, {"file_name", name}}.dump(), "application/json");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    json init = json::parse(r->body);
    auto put = client->Put(path_of(init["upload_url"]), bytes, type);
    EXPECT_TRUE(put);
    EXPECT_EQ(put->status, 200);
    return init;
  }

  std::string upload_clip(const SynthSpec& spec, const std::string& name = "clip.mp4") {
    fs::path p = dir / name;
    synthesize(p.string(), spec);
    return upload(read_file(p), name, "video/mp4")["file_url"];
  }

  json submit(const json& input) {
    auto r = client->Post(kEdit, kKey, input.dump(), "application/json");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  }

  // Polls status_url (as fal's clients do) until 200 COMPLETED; returns that status body.
  json wait_completed(const json& submitted, const std::string& logs = "1") {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = client->Get(path_of(submitted["status_url"]) + "?logs=" + logs, kKey);
      EXPECT_TRUE(r);
      if (!r) break;
      json s = json::parse(r->body);
      if (r->status == 200) {
        EXPECT_EQ(s["status"], "COMPLETED");
        return s;
      }
      EXPECT_EQ(r->status, 202);
      EXPECT_TRUE(s["status"] == "IN_QUEUE" || s["status"] == "IN_PROGRESS") << s;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "job never completed";
    return {};
  }

  httplib::Result result_of(const json& submitted) { return client->Get(path_of(submitted["response_url"]), kKey); }

  // Runs one edit of `source_url` and downloads the video; returns its path.
  fs::path edit(const std::string& source_url, const std::string& prompt, const std::string& out_name) {
    json sub = submit({{"prompt", prompt}, {"video_url", source_url}});
    json status = wait_completed(sub);
    EXPECT_FALSE(status.contains("error")) << status;
    auto r = result_of(sub);
    EXPECT_EQ(r->status, 200) << r->body;
    json out = json::parse(r->body);
    auto file = client->Get(path_of(out["video"]["url"]));
    EXPECT_EQ(file->status, 200);
    EXPECT_EQ(file->body.size(), out["video"]["file_size"].get<size_t>());
    fs::path p = dir / out_name;
    std::ofstream(p, std::ios::binary) << file->body;
    return p;
  }

  fs::path dir;
  std::unique_ptr<em::Emulator> emu;
  std::unique_ptr<httplib::Client> client;
};

// ---------------------------------------------------------------- storage

TEST_F(EmulatorTest, InitiateReturnsAbsoluteUrlsAndThePresignedPutNeedsNoKey) {
  start();
  std::string bytes = pattern_bytes(300000, 1);
  json init = upload(bytes, "a b/../c.bin", "application/octet-stream");
  ASSERT_TRUE(init["upload_url"].is_string() && init["file_url"].is_string());
  auto got = client->Get(path_of(init["file_url"]));  // no key either
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, bytes);
  EXPECT_EQ(got->get_header_value("Content-Type"), "application/octet-stream");
  EXPECT_EQ(emu->stats().uploads, 1);
}

TEST_F(EmulatorTest, FilesServeRangesWith206AndContentRange) {
  start();
  std::string bytes = pattern_bytes(100000, 2);
  std::string path = path_of(upload(bytes, "r.bin", "application/octet-stream")["file_url"]);
  auto r = client->Get(path, {{"Range", "bytes=1000-1999"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->get_header_value("Content-Range"), "bytes 1000-1999/100000");
  EXPECT_EQ(r->get_header_value("Content-Length"), "1000");
  EXPECT_EQ(r->body, bytes.substr(1000, 1000));
  auto tail = client->Get(path, {{"Range", "bytes=99000-"}});
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, bytes.substr(99000));
  auto head = client->Head(path);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->get_header_value("Content-Length"), "100000");
  EXPECT_EQ(head->get_header_value("Accept-Ranges"), "bytes");
}

TEST_F(EmulatorTest, PresignedPutWithoutItsSignatureIs403AndFileIs404UntilUploaded) {
  start();
  auto r = client->Post("/storage/upload/initiate", kKey, R"({"content_type":"text/plain","file_name":"x.txt"})",
                        "application/json");
  json init = json::parse(r->body);
  std::string put_path = path_of(init["upload_url"]);
  auto before = client->Get(path_of(init["file_url"]));
  EXPECT_EQ(before->status, 404);
  auto unsigned_put = client->Put(put_path.substr(0, put_path.find('?')), "hello", "text/plain");
  EXPECT_EQ(unsigned_put->status, 403);
  EXPECT_TRUE(json::parse(unsigned_put->body)["detail"].is_string());
}

TEST_F(EmulatorTest, MultipartPartsAnswerEtagInJsonAndHeaderAndCompleteInAnyOrder) {
  start();
  auto r = client->Post("/storage/upload/initiate-multipart?storage_type=fal-cdn-v3", kKey,
                        R"({"content_type":"video/mp4","file_name":"big.mp4"})", "application/json");
  ASSERT_EQ(r->status, 200);
  json init = json::parse(r->body);
  std::string upload_path = path_of(init["upload_url"]);
  auto q = upload_path.find('?');
  std::string base = upload_path.substr(0, q), query = upload_path.substr(q);
  std::vector<std::string> parts = {pattern_bytes(1 << 20, 3), pattern_bytes(1 << 20, 4), pattern_bytes(12345, 5)};
  json list = json::array();
  for (int n : {3, 1, 2}) {
    auto put = client->Put(base + "/" + std::to_string(n) + query, parts[n - 1], "application/octet-stream");
    ASSERT_EQ(put->status, 200) << put->body;
    json answer = json::parse(put->body);
    EXPECT_EQ(answer["partNumber"], n);
    EXPECT_EQ(put->get_header_value("ETag"), "\"" + answer["etag"].get<std::string>() + "\"");
    list.push_back({{"partNumber", n}, {"etag", answer["etag"]}});
  }
  std::swap(list[0], list[2]);  // 2, 1, 3
  auto wrong = list;
  wrong[0]["etag"] = "0000";
  auto bad = client->Post(base + "/complete" + query, json{{"parts", wrong}}.dump(), "application/json");
  EXPECT_EQ(bad->status, 400);
  auto missing = client->Post(base + "/complete" + query, json{{"parts", json::array({list[1], list[2]})}}.dump(),
                              "application/json");
  EXPECT_EQ(missing->status, 400);
  auto done = client->Post(base + "/complete" + query, json{{"parts", list}}.dump(), "application/json");
  ASSERT_EQ(done->status, 200) << done->body;
  auto got = client->Get(path_of(init["file_url"]));
  EXPECT_EQ(got->body, parts[0] + parts[1] + parts[2]);
}

// ---------------------------------------------------------------- auth, 404, validation

TEST_F(EmulatorTest, MissingKeyIs401WithDetailButFilesNeedNone) {
  start();
  for (auto path : {"/storage/upload/initiate", kEdit.c_str()}) {
    auto r = client->Post(path, "{}", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_TRUE(json::parse(r->body)["detail"].is_string());
  }
  auto bad_scheme = client->Get("/google/gemini-omni-flash/requests/x/status", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(bad_scheme->status, 401);
  EXPECT_EQ(emu->stats().submissions, 0);
}

TEST_F(EmulatorTest, ABusyPortIsAnErrorNotASharedPort) {
  start();
  em::Options o;
  o.port = emu->port();
  em::Emulator second(o);
  try {
    second.start();
    FAIL() << "a second emulator started on a port already in use";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::network);
  }
}

TEST_F(EmulatorTest, NoAuthOptionAcceptsRequestsWithoutKey) {
  start({}, false);
  auto r = client->Post("/storage/upload/initiate", R"({"file_name":"a.bin"})", "application/json");
  EXPECT_EQ(r->status, 200);
}

TEST_F(EmulatorTest, UnknownEndpointIs404WithFalsPathDetail) {
  start();
  auto r = client->Post("/acme/nothing/here", kKey, "{}", "application/json");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json::parse(r->body), json({{"detail", "Path /acme/nothing/here not found"}}));
  auto g = client->Get("/nothing", kKey);
  EXPECT_EQ(g->status, 404);
  EXPECT_EQ(json::parse(g->body)["detail"], "Path /nothing not found");
  auto other_app = client->Get("/google/other-app/requests/abc/status", kKey);
  EXPECT_EQ(other_app->status, 404);
}

TEST_F(EmulatorTest, MissingPromptIs422OnTheResultAfterCompleted) {
  start();
  json sub = submit({{"video_url", "http://127.0.0.1:1/x.mp4"}});
  json status = wait_completed(sub);
  EXPECT_TRUE(status["error"].is_string());
  auto r = result_of(sub);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(r->get_header_value("x-fal-billable-units"), "0");  // a refused input bills nothing
  json detail = json::parse(r->body)["detail"];
  ASSERT_TRUE(detail.is_array());
  EXPECT_EQ(detail[0]["loc"], json({"body", "prompt"}));
  EXPECT_TRUE(detail[0]["msg"].is_string() && detail[0]["type"].is_string());
}

TEST_F(EmulatorTest, VideoUrlItCannotFetchOrDecodeIs422) {
  start();
  std::string junk_url = upload(pattern_bytes(5000, 9), "junk.mp4", "video/mp4")["file_url"];
  for (std::string url : {junk_url, std::string("https://example.com/clip.mp4"), emu->url() + "/files/abc/none.mp4"}) {
    json sub = submit({{"prompt", "make it sepia"}, {"video_url", url}});
    wait_completed(sub);
    auto r = result_of(sub);
    EXPECT_EQ(r->status, 422) << url;
    EXPECT_EQ(r->get_header_value("x-fal-billable-units"), "0") << url;
    json detail = json::parse(r->body)["detail"];
    EXPECT_EQ(detail[0]["loc"], json({"body", "video_url"})) << url;
  }
  auto not_json = client->Post(kEdit, kKey, "{nope", "application/json");
  EXPECT_EQ(not_json->status, 422);
  EXPECT_EQ(not_json->get_header_value("x-fal-billable-units"), "0");
  EXPECT_EQ(emu->stats().submissions, 3);
}

TEST_F(EmulatorTest, VideoLongerThanTheEndpointTakesIs422) {
  start();
  std::string url = upload_clip(clip(12.0, 160, 90));
  json sub = submit({{"prompt", "sepia"}, {"video_url", url}});
  wait_completed(sub);
  auto r = result_of(sub);
  EXPECT_EQ(r->status, 422);
  EXPECT_EQ(json::parse(r->body)["detail"][0]["loc"], json({"body", "video_url"}));
}

// ---------------------------------------------------------------- queue

TEST_F(EmulatorTest, FalWebhookGetsOnePostWithThePayloadOrTheError) {
  start();
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<json> hooks;
  httplib::Server receiver;
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response&) {
    std::lock_guard lock(mutex);
    hooks.push_back(json::parse(req.body));
    arrived.notify_all();
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread t([&] { receiver.listen_after_bind(); });
  std::string hook = "http%3A%2F%2F127.0.0.1%3A" + std::to_string(port) + "%2Fhook";  // URL-encoded, as clients send it
  auto r = client->Post(kEdit + "?fal_webhook=" + hook, kKey, R"({"video_url":"http://127.0.0.1:1/x.mp4"})",
                        "application/json");
  ASSERT_EQ(r->status, 200);
  std::string id = json::parse(r->body)["request_id"];
  {
    std::unique_lock lock(mutex);
    arrived.wait_for(lock, std::chrono::seconds(30), [&] { return !hooks.empty(); });
  }
  receiver.stop();
  t.join();
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0]["request_id"], id);
  EXPECT_EQ(hooks[0]["status"], "ERROR");  // no prompt
  EXPECT_EQ(hooks[0]["error"], "Invalid status code: 422");
  EXPECT_EQ(hooks[0]["payload"]["detail"][0]["loc"], json({"body", "prompt"}));
}

TEST_F(EmulatorTest, SubmitStatusResultFollowFalsShapes) {
  start();
  std::string url = upload_clip(clip(3.0, 320, 240, true));
  json sub = submit({{"prompt", "make it black and white"}, {"video_url", url}});
  std::string id = sub["request_id"];
  std::string base = emu->url() + "/google/gemini-omni-flash/requests/" + id;  // no /edit subpath
  EXPECT_EQ(sub["status"], "IN_QUEUE");
  EXPECT_EQ(sub["queue_position"], 0);
  EXPECT_EQ(sub["response_url"], base);
  EXPECT_EQ(sub["status_url"], base + "/status");
  EXPECT_EQ(sub["cancel_url"], base + "/cancel");

  json done = wait_completed(sub);
  ASSERT_TRUE(done["logs"].is_array());
  ASSERT_FALSE(done["logs"].empty());
  for (const auto& entry : done["logs"])
    for (auto key : {"message", "level", "source", "timestamp"}) EXPECT_TRUE(entry[key].is_string()) << key;
  EXPECT_GT(done["metrics"]["inference_time"].get<double>(), 0);
  EXPECT_FALSE(done.contains("error"));

  for (auto logs : {"0", "false"}) {
    auto quiet = client->Get(path_of(sub["status_url"]) + "/?logs=" + logs, kKey);  // trailing slash too
    EXPECT_EQ(quiet->status, 200);
    json q = json::parse(quiet->body);
    EXPECT_TRUE(q.contains("logs") && q["logs"].is_null()) << logs;
  }

  for (std::string suffix : {"", "/"}) {
    auto r = client->Get(path_of(sub["response_url"]) + suffix, kKey);
    ASSERT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("x-fal-request-id"), id);
    json out = json::parse(r->body);
    // Exactly fal's result body for this endpoint: {"video": File}, File = url, content_type,
    // file_name, file_size; the bill travels in a header, not in the body.
    ASSERT_EQ(out.size(), 1u) << out;
    ASSERT_TRUE(out.contains("video")) << out;
    std::set<std::string> keys;
    for (const auto& [key, value] : out["video"].items()) keys.insert(key);
    EXPECT_EQ(keys, (std::set<std::string>{"url", "content_type", "file_name", "file_size"}));
    EXPECT_EQ(out["video"]["content_type"], "video/mp4");
    EXPECT_TRUE(out["video"]["file_name"].is_string());
    EXPECT_GT(out["video"]["file_size"].get<int64_t>(), 1000);
    ASSERT_TRUE(r->has_header("x-fal-billable-units"));
    EXPECT_GT(std::stod(r->get_header_value("x-fal-billable-units")), 0.1);
  }
  em::Stats stats = emu->stats();
  EXPECT_EQ(stats.submissions, 1);
  EXPECT_EQ(stats.video_urls, std::vector<std::string>{url});
}

TEST_F(EmulatorTest, BillableUnitsAreTheEditsTokenCostInDollars) {
  start();
  std::string url = upload_clip(clip(4.0, 320, 240, true));
  std::string prompt = "make it sepia please";  // 20 characters = 5 tokens
  json sub = submit({{"prompt", prompt}, {"video_url", url}});
  wait_completed(sub);
  auto r = result_of(sub);
  ASSERT_EQ(r->status, 200);
  std::string units = r->get_header_value("x-fal-billable-units");
  // A decimal string as fal's SDK writes it: an integer, or 8 decimals.
  EXPECT_TRUE(std::regex_match(units, std::regex(R"(\d+(\.\d{8})?)"))) << units;
  // 4 s of input: 5,792 video + 32 audio tokens a second, plus the prompt; 5,792 a second out;
  // at $1.875 / $21.875 per 1M tokens, one unit a dollar (emulator/billing.h).
  double usd = (4 * (5792 + 32) + 5) * 1.875e-6 + 4 * 5792 * 21.875e-6;
  EXPECT_NEAR(std::stod(units), usd, usd * 0.1);
  // Only the result GET carries the bill.
  EXPECT_FALSE(client->Get(path_of(sub["status_url"]), kKey)->has_header("x-fal-billable-units"));
}

TEST(EmulatorBilling, UnitsAreWrittenAsFalsSdkWritesThem) {
  EXPECT_EQ(em::format_billable_units(42), "42");
  EXPECT_EQ(em::format_billable_units(0), "0");
  EXPECT_EQ(em::format_billable_units(0.0871), "0.08710000");
  EXPECT_EQ(em::format_billable_units(3.14159265), "3.14159265");
  Billing b = find_endpoint("google/gemini-omni-flash/edit").billing;
  // 1 s with audio, a 4-character prompt, 1 s out: (5792 + 32 + 1) * 1.875 + 5792 * 21.875 micro-dollars.
  EXPECT_NEAR(em::billable_units(b, 1.0, true, 1.0, 4), (5825 * 1.875 + 5792 * 21.875) / 1e6, 1e-8);
  EXPECT_NEAR(em::billable_units(b, 1.0, false, 1.0, 0), (5792 * 1.875 + 5792 * 21.875) / 1e6, 1e-8);
}

TEST_F(EmulatorTest, QueuePositionsCountTheJobsAheadAndStatusStreamEndsCompleted) {
  start(em::parse_faults("queue=2"));
  std::string url = upload_clip(clip(3.0));
  json first = submit({{"prompt", "night"}, {"video_url", url}});
  json second = submit({{"prompt", "mirror"}, {"video_url", url}});
  EXPECT_EQ(second["queue_position"], 1);
  auto s = client->Get(path_of(second["status_url"]), kKey);
  EXPECT_EQ(s->status, 202);
  EXPECT_EQ(json::parse(s->body)["queue_position"], 1);

  // The stream's events count as polls; it ends with COMPLETED and then closes.
  auto stream = client->Get(path_of(first["status_url"]) + "/stream?logs=1", kKey);
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_NE(stream->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
  std::vector<json> events;
  std::istringstream lines(stream->body);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("data: ", 0) == 0) events.push_back(json::parse(line.substr(6)));
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events.front()["status"], "IN_QUEUE");
  EXPECT_EQ(events.back()["status"], "COMPLETED");
  for (size_t i = 0; i + 1 < events.size(); ++i) EXPECT_NE(events[i]["status"], "COMPLETED");
  wait_completed(second);
}

TEST_F(EmulatorTest, CancelAnswersLikeFal) {
  start(em::parse_faults("queue=1000"));  // held in the queue
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  auto c = client->Put(path_of(sub["cancel_url"]), kKey, "", "application/json");
  EXPECT_EQ(c->status, 202);
  EXPECT_EQ(json::parse(c->body)["status"], "CANCELLATION_REQUESTED");
  auto r = result_of(sub);
  EXPECT_EQ(r->status, 499);
  auto again = client->Put(path_of(sub["cancel_url"]), kKey, "", "application/json");
  EXPECT_EQ(again->status, 400);
  EXPECT_EQ(json::parse(again->body)["status"], "ALREADY_COMPLETED");
  auto unknown = client->Put("/google/gemini-omni-flash/requests/nope/cancel", kKey, "", "application/json");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["status"], "NOT_FOUND");
}

// ---------------------------------------------------------------- faults

TEST_F(EmulatorTest, ParseFaultsReadsEverySpecAndRefusesUnknownOnes) {
  em::Faults f =
      em::parse_faults("429x2,status500x3,drop-upload,drop-download,drop-submit,slow=200,fail-job,queue=4,no-bill");
  EXPECT_EQ(f.rate_limit, 2);
  EXPECT_EQ(f.status_errors, 3);
  EXPECT_EQ(f.status_error_code, 500);
  EXPECT_TRUE(f.drop_upload && f.drop_download && f.drop_submit && f.fail_job && f.no_bill);
  EXPECT_EQ(f.slow_ms, 200);
  EXPECT_EQ(f.queue_polls, 4);
  f = em::parse_faults("submit503x2,slow-submit=1500,queue-ms=700");
  EXPECT_EQ(f.submit_unavailable, 2);
  EXPECT_EQ(f.slow_submit_ms, 1500);
  EXPECT_EQ(f.queue_ms, 700);
  EXPECT_EQ(em::parse_faults("").rate_limit, 0);
  EXPECT_THROW(em::parse_faults("explode"), Error);
  EXPECT_THROW(em::parse_faults("429xmany"), Error);
}

TEST_F(EmulatorTest, RateLimitAnswers429WithRetryAfterForTheNextNRequests) {
  start(em::parse_faults("429x2"));
  for (int i = 0; i < 2; ++i) {
    auto r = client->Post("/storage/upload/initiate", kKey, "{}", "application/json");
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    EXPECT_TRUE(json::parse(r->body)["detail"].is_string());
  }
  auto ok = client->Post("/storage/upload/initiate", kKey, "{}", "application/json");
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(emu->stats().rate_limited, 2);
}

TEST_F(EmulatorTest, Submit503AnswersTheNextNSubmitsWithoutQueueingThem) {
  start(em::parse_faults("submit503x2"));
  const std::string body = R"({"prompt":"x","video_url":"http://127.0.0.1:1/a.mp4"})";
  for (int i = 0; i < 2; ++i) {
    auto r = client->Post(kEdit, kKey, body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_TRUE(json::parse(r->body)["detail"].is_string());
  }
  EXPECT_EQ(emu->stats().submissions, 0);
  EXPECT_EQ(emu->stats().submits_unavailable, 2);
  json sub = submit(json::parse(body));
  EXPECT_EQ(emu->stats().submissions, 1);
  wait_completed(sub);
}

TEST_F(EmulatorTest, StatusErrorsAnswer503Then500ThenRecover) {
  start(em::parse_faults("statusx2"));
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  auto a = client->Get(path_of(sub["status_url"]), kKey);
  auto b = client->Get(path_of(sub["status_url"]), kKey);
  EXPECT_EQ(a->status, 503);
  EXPECT_EQ(b->status, 500);
  EXPECT_TRUE(json::parse(a->body)["detail"].is_string());
  wait_completed(sub);
}

TEST_F(EmulatorTest, QueueFaultHoldsAJobInQueueForNPolls) {
  start(em::parse_faults("queue=3"));
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // it would have started by now
    auto r = client->Get(path_of(sub["status_url"]), kKey);
    EXPECT_EQ(r->status, 202);
    EXPECT_EQ(json::parse(r->body)["status"], "IN_QUEUE") << "poll " << i;
  }
  wait_completed(sub);
}

TEST_F(EmulatorTest, AJobHeldForPollsThatNobodyReadsStartsAnywayAndIsListed) {
  // A killed client's job: fal runs it whether or not anyone polls, and lists it once it starts.
  start(em::parse_faults("queue=1000"));
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  const std::string history = "/v1/models/requests/by-endpoint?endpoint_id=google/gemini-omni-flash/edit";
  EXPECT_EQ(json::parse(client->Get(history, kKey)->body)["items"].size(), 0u);  // still held
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  auto h = client->Get(history, kKey);
  ASSERT_EQ(h->status, 200) << h->body;
  EXPECT_EQ(json::parse(h->body)["items"].size(), 1u);
  wait_completed(sub);
}

TEST_F(EmulatorTest, QueueMsHoldsAJobInQueueForATimeWhetherPolledOrNot) {
  start(em::parse_faults("queue-ms=800"));
  const auto t0 = std::chrono::steady_clock::now();
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it would have started by now
  auto r = client->Get(path_of(sub["status_url"]), kKey);
  EXPECT_EQ(json::parse(r->body)["status"], "IN_QUEUE");
  // Not polled again: it still starts (and is listed in the request history) once its time is up.
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  auto h = client->Get("/v1/models/requests/by-endpoint?endpoint_id=google/gemini-omni-flash/edit", kKey);
  ASSERT_EQ(h->status, 200) << h->body;
  EXPECT_EQ(json::parse(h->body)["items"].size(), 1u);
  wait_completed(sub);
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 0.8);
  EXPECT_EQ(emu->stats().queue_delayed, 1);
}

TEST_F(EmulatorTest, SlowSubmitQueuesTheJobAtOnceAndAnswersLate) {
  start(em::parse_faults("slow-submit=600"));
  const auto t0 = std::chrono::steady_clock::now();
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  const double answered_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_GE(answered_ms, 590);
  // The job started while its answer was held.
  auto r = client->Get(path_of(sub["status_url"]), kKey);
  EXPECT_NE(json::parse(r->body)["status"], "IN_QUEUE") << r->body;
  EXPECT_EQ(emu->stats().slow_submits, 1);
}

TEST_F(EmulatorTest, FailJobCompletesWithErrorAndTheResultAnswers500) {
  start(em::parse_faults("fail-job"));
  json sub = submit({{"prompt", "x"}, {"video_url", "http://127.0.0.1:1/x.mp4"}});
  json done = wait_completed(sub);
  EXPECT_TRUE(done["error"].is_string());
  EXPECT_EQ(done["error_type"], "runner_disconnected");
  auto r = result_of(sub);
  EXPECT_EQ(r->status, 500);
  EXPECT_TRUE(json::parse(r->body)["detail"].is_string());
  EXPECT_FALSE(r->has_header("x-fal-billable-units"));  // an app error sets no units
}

TEST_F(EmulatorTest, DropUploadCutsTheFirstPutAndAcceptsTheRetry) {
  start(em::parse_faults("drop-upload"));
  std::string bytes = pattern_bytes(4 << 20, 6);
  auto r = client->Post("/storage/upload/initiate", kKey, R"({"file_name":"d.bin"})", "application/json");
  json init = json::parse(r->body);
  auto first = client->Put(path_of(init["upload_url"]), bytes, "application/octet-stream");
  EXPECT_TRUE(!first || first->status >= 400) << "the first PUT should not succeed";
  EXPECT_EQ(client->Get(path_of(init["file_url"]))->status, 404);
  auto retry = client->Put(path_of(init["upload_url"]), bytes, "application/octet-stream");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 200);
  EXPECT_EQ(client->Get(path_of(init["file_url"]))->body, bytes);
}

TEST_F(EmulatorTest, DropDownloadCutsTheFirstGetHalfWayAndRangeResumes) {
  start();
  std::string bytes = pattern_bytes(3 << 20, 7);
  std::string path = path_of(upload(bytes, "dl.bin", "application/octet-stream")["file_url"]);
  emu->set_faults(em::parse_faults("drop-download"));
  std::string got;
  auto first = client->Get(path, [&](const char* d, size_t n) {
    got.append(d, n);
    return true;
  });
  EXPECT_FALSE(first) << "a cut transfer is an error for the client";
  EXPECT_GT(got.size(), 0u);
  EXPECT_LT(got.size(), bytes.size());
  EXPECT_EQ(got, bytes.substr(0, got.size()));
  auto rest = client->Get(path, {{"Range", "bytes=" + std::to_string(got.size()) + "-"}});
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->status, 206);
  EXPECT_EQ(got + rest->body, bytes);
}

TEST_F(EmulatorTest, DropSubmitAcceptsTheJobButLosesTheAnswer) {
  start(em::parse_faults("drop-submit"));
  auto r = client->Post(kEdit, kKey, R"({"prompt":"x","video_url":"http://127.0.0.1:1/a.mp4"})", "application/json");
  EXPECT_FALSE(r && r->status == 200);
  EXPECT_EQ(emu->stats().submissions, 1);  // billed although the client saw no answer
  EXPECT_EQ(emu->stats().video_urls, std::vector<std::string>{"http://127.0.0.1:1/a.mp4"});
}

TEST_F(EmulatorTest, SlowDelaysEveryResponse) {
  start(em::parse_faults("slow=300"));
  auto t0 = std::chrono::steady_clock::now();
  auto r = client->Get("/nothing", kKey);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r->status, 404);
  EXPECT_GE(ms, 290);
}

// ---------------------------------------------------------------- the edit

struct Plane {
  double y = 0, u = 0, v = 0;
};

// Mean Y, U, V of the frame at `t` seconds, decoded by the ffmpeg CLI (an independent decoder).
Plane frame_means(const fs::path& file, double t, int w, int h, std::string* luma = nullptr) {
  auto r = run_program("ffmpeg", {"-v", "error", "-ss", std::to_string(t), "-i", file.string(), "-frames:v", "1",
                                  "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  size_t ys = static_cast<size_t>(w) * h, cs = ys / 4;
  EXPECT_EQ(r.out.size(), ys + 2 * cs);
  if (r.out.size() != ys + 2 * cs) return {};
  auto mean = [&](size_t from, size_t n) {
    double s = 0;
    for (size_t i = from; i < from + n; ++i) s += static_cast<unsigned char>(r.out[i]);
    return s / n;
  };
  if (luma) *luma = r.out.substr(0, ys);
  return {mean(0, ys), mean(ys, cs), mean(ys + cs, cs)};
}

std::string pcm(const fs::path& file) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-vn", "-t", "1.5", "-ac", "1", "-ar", "8000",
                                  "-f", "s16le", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST_F(EmulatorTest, EditIs720p24fpsH264WithItsOwnAudio) {
  start();
  SynthSpec spec = clip(3.0, 320, 240, true);
  spec.fps = {30, 1};
  spec.audio[0].tone_hz = 1000;  // not the emulator's own tone
  fs::path source = dir / "src.mp4";
  synthesize(source.string(), spec);
  std::string url = upload(read_file(source), "src.mp4", "video/mp4")["file_url"];
  fs::path out = edit(url, "a gentle colour grade", "out.mp4");
  json probe = ffprobe(out);
  json video, audio;
  for (const auto& s : probe["streams"]) (s["codec_type"] == "video" ? video : audio) = s;
  ASSERT_FALSE(video.is_null());
  ASSERT_FALSE(audio.is_null()) << "the model's output carries its own audio track";
  EXPECT_EQ(video["codec_name"], "h264");
  EXPECT_EQ(video["width"], 1280);
  EXPECT_EQ(video["height"], 720);
  EXPECT_EQ(video["avg_frame_rate"], "24/1");
  EXPECT_NEAR(std::stod(probe["format"]["duration"].get<std::string>()), 3.0, 0.2);
  std::string a = pcm(source), b = pcm(out);
  ASSERT_GT(a.size(), 1000u);
  ASSERT_GT(b.size(), 1000u);
  size_t n = std::min(a.size(), b.size()) / 2, differing = 0;
  for (size_t i = 0; i < n; ++i)
    if (std::abs(reinterpret_cast<const int16_t*>(a.data())[i] - reinterpret_cast<const int16_t*>(b.data())[i]) > 512)
      ++differing;
  EXPECT_GT(differing, n / 4) << "the edited audio should not be the source's";
}

TEST_F(EmulatorTest, PortraitInputGivesPortraitOutput) {
  start();
  std::string url = upload_clip(clip(3.0, 240, 320));
  json out = ffprobe(edit(url, "sepia", "portrait.mp4"));
  EXPECT_EQ(out["streams"][0]["width"], 720);
  EXPECT_EQ(out["streams"][0]["height"], 1280);
}

TEST_F(EmulatorTest, TheLookFollowsThePromptsWords) {
  start();
  std::string url = upload_clip(clip(3.0, 320, 180));
  std::string grade_luma, bw_luma, mirror_bw_luma;
  Plane grade = frame_means(edit(url, "make it pop", "grade.mp4"), 1.0, 1280, 720, &grade_luma);
  Plane bw = frame_means(edit(url, "turn it black and white", "bw.mp4"), 1.0, 1280, 720, &bw_luma);
  Plane sepia = frame_means(edit(url, "old sepia film", "sepia.mp4"), 1.0, 1280, 720);
  Plane night = frame_means(edit(url, "make it night", "night.mp4"), 1.0, 1280, 720);
  frame_means(edit(url, "Black and White, mirror it", "mbw.mp4"), 1.0, 1280, 720, &mirror_bw_luma);
  Plane anime = frame_means(edit(url, "anime style", "anime.mp4"), 1.0, 1280, 720);

  EXPECT_NEAR(bw.u, 128, 2);  // no chroma left
  EXPECT_NEAR(bw.v, 128, 2);
  EXPECT_GT(std::abs(grade.u - 128) + std::abs(grade.v - 128), 4) << "the source is colourful";
  EXPECT_GT(sepia.v, 131);  // warm: red-difference up, blue-difference down
  EXPECT_LT(sepia.u, 125);
  EXPECT_LT(night.y, grade.y - 15);
  EXPECT_GT(std::abs(anime.y - grade.y) + std::abs(anime.u - grade.u) + std::abs(anime.v - grade.v), 2);
  // Mirrored: each row of the mirrored frame is the plain black-and-white row reversed.
  ASSERT_EQ(mirror_bw_luma.size(), bw_luma.size());
  double err = 0;
  for (int y = 0; y < 720; ++y)
    for (int x = 0; x < 1280; ++x)
      err += std::abs(static_cast<unsigned char>(mirror_bw_luma[y * 1280 + x]) -
                      static_cast<unsigned char>(bw_luma[y * 1280 + (1279 - x)]));
  EXPECT_LT(err / (1280.0 * 720), 6) << "mirror should flip left and right";
  double unflipped = 0;
  for (size_t i = 0; i < bw_luma.size(); ++i)
    unflipped += std::abs(static_cast<unsigned char>(mirror_bw_luma[i]) - static_cast<unsigned char>(bw_luma[i]));
  EXPECT_GT(unflipped / bw_luma.size(), err / (1280.0 * 720) + 3);
}

TEST_F(EmulatorTest, FetchesVideoUrlFromAnotherLoopbackServer) {
  start();
  fs::path source = dir / "served.mp4";
  synthesize(source.string(), clip(3.0));
  httplib::Server other;
  std::string bytes = read_file(source);
  other.Get("/clip.mp4", [&](const httplib::Request&, httplib::Response& res) { res.set_content(bytes, "video/mp4"); });
  int port = other.bind_to_any_port("127.0.0.1");
  std::thread t([&] { other.listen_after_bind(); });
  fs::path out = edit("http://127.0.0.1:" + std::to_string(port) + "/clip.mp4", "mirror", "fetched.mp4");
  other.stop();
  t.join();
  EXPECT_EQ(ffprobe(out)["streams"][0]["width"], 1280);
}

// ---------------------------------------------------------------- the CLI

TEST(EmulatorCommand, PrintsItsAddressLogsEachRequestAndExitsZeroOnSigterm) {
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    close(pipefd[0]);
    execl(OMNICUT_BIN, OMNICUT_BIN, "emulator", "--port", "0", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipefd[1]);
  FILE* out = fdopen(pipefd[0], "r");
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, out), nullptr);
  std::cmatch m;
  ASSERT_TRUE(std::regex_match(line, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+)\n)"))) << line;
  httplib::Client c("127.0.0.1", std::stoi(m[1].str()));
  auto r = c.Get("/nowhere", kKey);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  ASSERT_NE(fgets(line, sizeof line, out), nullptr);
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(GET /nowhere 404\n)"))) << line;
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  fclose(out);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace omnicut::test
