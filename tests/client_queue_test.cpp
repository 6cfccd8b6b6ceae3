// The queue against the emulator: submit -> status (queue position, logs) -> result, with each
// fault the client must survive or report in one line, and the rule that a submit whose answer
// was lost is never sent again (it would bill twice).
#include <chrono>
#include <set>

#include <gtest/gtest.h>

#include "client/download.h"
#include "client/queue.h"
#include "client/storage.h"
#include "codecs/testing/synth.h"
#include "common/error.h"
#include "tests/client_fixture.h"

namespace omnicut::test {
namespace {

using client::JobState;
using nlohmann::json;

const std::string kEndpoint = "google/gemini-omni-flash/edit";

// A short clip the emulator can really edit, uploaded; returns its URL.
std::string upload_clip(const client::Fal& fal, const fs::path& dir) {
  SynthSpec spec;
  spec.duration = 1.0;
  auto path = (dir / "clip.mp4").string();
  synthesize(path, spec);
  return client::upload_file(fal, path).file_url;
}

client::WaitOptions fast_polls() {
  client::WaitOptions w;
  w.poll_interval_s = 0.05;
  w.timeout_s = 120;
  return w;
}

Error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error was thrown";
  return Error(ErrorKind::internal, "none");
}

TEST(ClientQueue, SubmitPollsAndFetchesTheEditedVideo) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  auto video_url = upload_clip(fal, dir);
  auto job = client::submit(fal, kEndpoint, {{"prompt", "make it black and white"}, {"video_url", video_url}});
  EXPECT_FALSE(job.request_id.empty());
  // Status, result and cancel live under owner/app, without the /edit subpath.
  const std::string app_base = env.emu.url() + "/google/gemini-omni-flash/requests/" + job.request_id;
  EXPECT_EQ(job.status_url, app_base + "/status");
  EXPECT_EQ(job.response_url, app_base);
  EXPECT_EQ(job.cancel_url, app_base + "/cancel");

  std::vector<JobState> states;
  std::vector<client::LogLine> shown;
  auto wait = fast_polls();
  wait.on_update = [&](const client::JobStatus& st, const std::vector<client::LogLine>& fresh) {
    states.push_back(st.state);
    shown.insert(shown.end(), fresh.begin(), fresh.end());
  };
  auto result = client::wait_for_result(fal, job, wait);
  EXPECT_EQ(result.request_id, job.request_id);
  // The bill comes back as the header was sent (curl, an independent reader, sees the same).
  ASSERT_TRUE(result.billed);
  auto headers = run_program("curl", {"-s", "-D", "-", "-o", "/dev/null", "-H", std::string("Authorization: Key ") + kTestKey,
                                      job.response_url});
  ASSERT_EQ(headers.exit_code, 0) << headers.err;
  EXPECT_NE(headers.out.find("x-fal-billable-units: " + result.billed->raw + "\r\n"), std::string::npos) << headers.out;
  ASSERT_TRUE(result.billed->value) << result.billed->raw;
  EXPECT_GT(*result.billed->value, 0);
  EXPECT_DOUBLE_EQ(*result.billed->value, std::stod(result.billed->raw));
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), JobState::completed);
  EXPECT_TRUE(std::is_sorted(states.begin(), states.end()));
  EXPECT_EQ(env.emu.stats().submissions, 1);
  ASSERT_EQ(env.emu.stats().video_urls.size(), 1u);
  EXPECT_EQ(env.emu.stats().video_urls[0], video_url);

  // Logs arrive whole on every poll; each line was passed on exactly once.
  auto final_logs = client::status(fal, job, true).logs;
  ASSERT_EQ(shown.size(), final_logs.size());
  std::set<std::string> unique;
  for (const auto& l : shown) unique.insert(l.timestamp + "|" + l.message);
  EXPECT_EQ(unique.size(), shown.size());

  auto file = client::RemoteFile::from_json(result.output.at("video"));
  auto got = client::download_file(fal, file, dir / "edited.mp4");
  auto probe = ffprobe(dir / "edited.mp4");
  ASSERT_FALSE(probe["streams"].empty());
  EXPECT_EQ(got.size, fs::file_size(dir / "edited.mp4"));
  // fal's File always carries file_size for this endpoint, and the emulator sends it.
  ASSERT_TRUE(file.file_size.has_value());
  EXPECT_EQ(got.size, *file.file_size);
}

TEST(ClientQueue, StaysInQueueForNPollsWithPositions) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.queue_polls = 4;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "sepia"}, {"video_url", upload_clip(fal, dir)}});
  int in_queue = 0;
  auto wait = fast_polls();
  wait.on_update = [&](const client::JobStatus& st, const std::vector<client::LogLine>&) {
    if (st.state == JobState::in_queue) {
      ++in_queue;
      EXPECT_GE(st.queue_position, 0);
    }
  };
  auto result = client::wait_for_result(fal, job, wait);
  EXPECT_GE(in_queue, 4);
  EXPECT_TRUE(result.output.contains("video"));
}

TEST(ClientQueue, Status500And503AreRetried) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.status_errors = 3;  // alternating 503 and 500
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "night"}, {"video_url", upload_clip(fal, dir)}});
  auto result = client::wait_for_result(fal, job, fast_polls());
  EXPECT_TRUE(result.output.contains("video"));
}

TEST(ClientQueue, RateLimitedSubmitIsRetriedOnceAccepted) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  auto video_url = upload_clip(fal, dir);
  emulator::Faults faults;
  faults.rate_limit = 2;
  env.emu.set_faults(faults);
  auto started = std::chrono::steady_clock::now();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "mirror"}, {"video_url", video_url}});
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 1.9)
      << "two Retry-After: 1 answers were not honoured";
  EXPECT_FALSE(job.request_id.empty());
  EXPECT_EQ(env.emu.stats().submissions, 1);
}

TEST(ClientQueue, SubmitWhoseAnswerIsLostIsNotSentAgain) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  auto video_url = upload_clip(fal, dir);
  emulator::Faults faults;
  faults.drop_submit = true;
  env.emu.set_faults(faults);
  auto e = error_of([&] { client::submit(fal, kEndpoint, {{"prompt", "anime"}, {"video_url", video_url}}); });
  EXPECT_EQ(e.kind(), ErrorKind::network);
  EXPECT_NE(std::string(e.what()).find("may have accepted"), std::string::npos) << e.what();
  EXPECT_EQ(env.emu.stats().submissions, 1) << "the submit was sent again: the job would be billed twice";
}

TEST(ClientQueue, SubmitToAClosedPortIsRetriedAndNamesTheCause) {
  // Nothing listens: the request never left, so repeating it is safe, and the error says why.
  client::Fal fal{client::FalUrls::at_origin("http://127.0.0.1:9"), client::Http(client::Credentials(kTestKey), test_http_options())};
  auto e = error_of([&] { client::submit(fal, kEndpoint, {{"prompt", "x"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::network);
  EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("attempts"), std::string::npos) << e.what();
}

TEST(ClientQueue, FailedJobIsOneClearLine) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  auto video_url = upload_clip(fal, dir);
  emulator::Faults faults;
  faults.fail_job = true;
  env.emu.set_faults(faults);
  auto job = client::submit(fal, kEndpoint, {{"prompt", "sepia"}, {"video_url", video_url}});
  auto e = error_of([&] { client::wait_for_result(fal, job, fast_polls()); });
  EXPECT_EQ(e.kind(), ErrorKind::remote);
  std::string what = e.what();
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  EXPECT_NE(what.find(job.request_id), std::string::npos) << what;
  EXPECT_NE(what.find("failed"), std::string::npos) << what;
}

TEST(ClientQueue, UnfetchableVideoUrlIs422NamingTheField) {
  EmulatedFal env;
  auto fal = env.fal();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "sepia"}, {"video_url", env.emu.url() + "/files/00ff/none.mp4"}});
  auto e = error_of([&] { client::wait_for_result(fal, job, fast_polls()); });
  EXPECT_EQ(e.kind(), ErrorKind::remote);
  std::string what = e.what();
  EXPECT_NE(what.find("video_url: "), std::string::npos) << what;
  EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  EXPECT_EQ(what.find('{'), std::string::npos) << "raw JSON in the message: " << what;
}

TEST(ClientQueue, MissingKeyIsAuthError) {
  EmulatedFal env;
  auto fal = env.fal(std::nullopt);
  auto e = error_of([&] { client::submit(fal, kEndpoint, {{"prompt", "x"}, {"video_url", "http://x/y.mp4"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::auth);
  EXPECT_NE(std::string(e.what()).find("401"), std::string::npos) << e.what();
  EXPECT_EQ(env.emu.stats().submissions, 0);
}

TEST(ClientQueue, UnknownEndpointIs404) {
  EmulatedFal env;
  auto e = error_of([&] { client::submit(env.fal(), "nobody/nothing", {{"prompt", "x"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::usage);
  EXPECT_NE(std::string(e.what()).find("404"), std::string::npos) << e.what();
  auto malformed = error_of([&] { client::submit(env.fal(), "justone", {{"prompt", "x"}}); });
  EXPECT_EQ(malformed.kind(), ErrorKind::usage);
}

TEST(ClientQueue, CancelIsAccepted) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.queue_polls = 1000;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "sepia"}, {"video_url", upload_clip(fal, dir)}});
  EXPECT_EQ(client::status(fal, job).state, JobState::in_queue);
  EXPECT_TRUE(client::cancel(fal, job));
  auto st = client::status(fal, job);
  EXPECT_EQ(st.state, JobState::completed);
  auto e = error_of([&] { client::result(fal, job); });
  EXPECT_EQ(e.kind(), ErrorKind::remote);
}

TEST(ClientQueue, ResultWithoutTheBillHeaderSaysNothingWasReported) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.no_bill = true;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "sepia"}, {"video_url", upload_clip(fal, dir)}});
  auto result = client::wait_for_result(fal, job, fast_polls());
  EXPECT_TRUE(result.output.contains("video"));
  EXPECT_FALSE(result.billed);
}

TEST(ClientQueue, BillableUnitsParseOnlyAsADecimalAndKeepTheirText) {
  for (auto [raw, value] : std::vector<std::pair<std::string, double>>{
           {"42", 42}, {"3.14159265", 3.14159265}, {"0.00001230", 0.0000123}, {"0", 0}, {" 7 ", 7}, {".5", 0.5}}) {
    auto b = client::parse_billable_units(raw);
    EXPECT_EQ(b.raw, raw);
    ASSERT_TRUE(b.value) << raw;
    EXPECT_DOUBLE_EQ(*b.value, value) << raw;
  }
  for (std::string raw : {"", " ", "-1", "1e3", "abc", "nan", "inf", "1.2.3", "0x10", "+3", "."}) {
    auto b = client::parse_billable_units(raw);
    EXPECT_EQ(b.raw, raw);
    EXPECT_FALSE(b.value) << raw;
  }
}

TEST(ClientQueue, SlowResponsesStillComplete) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.slow_ms = 300;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto job = client::submit(fal, kEndpoint, {{"prompt", "cartoon"}, {"video_url", upload_clip(fal, dir)}});
  auto result = client::wait_for_result(fal, job, fast_polls());
  EXPECT_TRUE(result.output.contains("video"));
}

TEST(ClientQueue, AnswerSlowerThanTheTimeoutFailsInsteadOfHanging) {
  emulator::Faults faults;
  faults.slow_ms = 3000;
  EmulatedFal env(faults);
  auto options = test_http_options();
  options.json_timeout_s = 1;
  auto fal = env.fal(client::Credentials(kTestKey), options);
  auto started = std::chrono::steady_clock::now();
  auto e = error_of([&] { client::submit(fal, kEndpoint, {{"prompt", "x"}, {"video_url", "http://x/y.mp4"}}); });
  EXPECT_EQ(e.kind(), ErrorKind::network);
  EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  // A submit that timed out after sending is not repeated: one attempt, about one second.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), 2.9);
}

}  // namespace
}  // namespace omnicut::test
