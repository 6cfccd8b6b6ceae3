// fal's answers, as arbitrary as a broken proxy or a changed API could make them, read by the
// client's own calls (submit, status, result, cancel, the poll loop, storage upload, download,
// request history, pricing) over real HTTP from a loopback server in this process that plays
// back the input. Every call must end in its result or an omnicut::Error: a crash, a sanitizer
// report or any other exception is a finding.
//
// Input (text, so seeds and mutations stay readable): the first line names the call; then each
// answer, in the order requests arrive, after a line "--": its status on the first line, header
// lines "Name: value" up to an empty line, then the body. Requests beyond the script get 404.
// All HTTP goes to the loopback server (http_proxy), whatever host an answer names. Statuses the
// client repeats get "Retry-After: 0", so a run never sleeps; the fuzzed Retry-After value goes
// through parse_retry_after directly.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "client/download.h"
#include "client/fal.h"
#include "client/history.h"
#include "client/pricing.h"
#include "client/queue.h"
#include "client/storage.h"
#include "common/error.h"

namespace {

namespace fs = std::filesystem;
using namespace omnicut::client;

struct Answer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Script {
  std::mutex mutex;
  std::deque<Answer> answers;
};

Script& script() {
  static Script s;
  return s;
}

Answer next_answer() {
  std::lock_guard<std::mutex> lock(script().mutex);
  if (script().answers.empty()) return Answer{404, {}, R"({"detail":"not in the script"})"};
  Answer a = std::move(script().answers.front());
  script().answers.pop_front();
  return a;
}

void serve(const httplib::Request&, httplib::Response& res) {
  Answer a = next_answer();
  // 1xx would have curl wait for a final answer that never comes.
  res.status = std::clamp(a.status, 200, 599);
  bool repeated = res.status == 429 || res.status >= 500;
  std::string content_type = "application/json";
  for (const auto& [name, value] : a.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "content-type") content_type = value;
    else if (lower == "content-length" || (repeated && lower == "retry-after")) continue;
    else res.set_header(name, value);
  }
  if (repeated) res.set_header("Retry-After", "0");
  res.set_content(a.body, content_type);
}

struct Loopback {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  fs::path dir;

  Loopback() {
    server.Get(".*", serve);
    server.Post(".*", serve);
    server.Put(".*", serve);
    server.Delete(".*", serve);
    // One request per connection: idle keep-alive connections would hold the pool's threads.
    server.set_keep_alive_max_count(1);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const std::string proxy = "http://127.0.0.1:" + std::to_string(port);
    ::setenv("http_proxy", proxy.c_str(), 1);
    ::setenv("https_proxy", proxy.c_str(), 1);
    ::unsetenv("no_proxy");
    ::unsetenv("NO_PROXY");
    dir = fs::temp_directory_path() / ("omnicut-fuzz-fal-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "clip.mp4") << "not really a clip";
  }
  ~Loopback() {
    server.stop();
    thread.join();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Loopback& loopback() {
  static Loopback l;
  return l;
}

// "first line\n--\n200\nName: v\n\nbody\n--\n..." -> the call's name and the answers.
std::string read_script(const std::string& text, std::deque<Answer>& answers) {
  const std::string sep = "\n--\n";
  size_t end = text.find(sep);
  std::string call = text.substr(0, std::min(text.find('\n'), end));
  while (end != std::string::npos) {
    size_t start = end + sep.size();
    end = text.find(sep, start);
    std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    Answer a;
    size_t line_end = part.find('\n');
    a.status = std::atoi(part.substr(0, line_end).c_str());
    size_t pos = line_end == std::string::npos ? part.size() : line_end + 1;
    while (pos < part.size()) {
      size_t eol = part.find('\n', pos);
      std::string line = part.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
      pos = eol == std::string::npos ? part.size() : eol + 1;
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      size_t value = line.find_first_not_of(' ', colon + 1);
      a.headers.emplace_back(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
    }
    a.body = part.substr(std::min(pos, part.size()));
    answers.push_back(std::move(a));
  }
  return call;
}

void call_fal(const std::string& call, const Fal& fal, const fs::path& dir) {
  const std::string endpoint = "google/gemini-omni-flash/edit";
  const Submission job = submission_for(fal, endpoint, "req-1");
  if (call == "submit") {
    (void)submit(fal, endpoint, {{"video_url", "https://v3.fal.media/files/a/clip.mp4"}, {"prompt", "p"}});
  } else if (call == "status") {
    (void)status(fal, job);
  } else if (call == "result") {
    (void)result(fal, job);
  } else if (call == "cancel") {
    (void)cancel(fal, job);
  } else if (call == "wait") {
    WaitOptions o;
    o.poll_interval_s = 0;
    o.on_update = [](const JobStatus&, const std::vector<LogLine>&) {};
    (void)wait_for_result(fal, job, o);
  } else if (call == "upload") {
    (void)upload_file(fal, dir / "clip.mp4");
  } else if (call == "upload-multipart") {
    UploadOptions o;
    o.multipart_threshold = 0;
    (void)upload_file(fal, dir / "clip.mp4", o);
  } else if (call == "history") {
    ListOptions o;
    o.max_pages = 4;
    (void)list_requests(fal, endpoint, std::chrono::system_clock::now(), o);
  } else if (call == "pricing") {
    (void)fetch_unit_price(fal, endpoint);
  } else if (call == "download") {
    (void)download_file(fal, RemoteFile{"http://127.0.0.1/files/out.mp4", "video/mp4", "out.mp4", std::nullopt},
                        dir / "out.mp4");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Loopback& server = loopback();
  std::deque<Answer> answers;
  const std::string call = read_script(std::string(reinterpret_cast<const char*>(data), size), answers);
  for (const auto& a : answers) {
    for (const auto& [name, value] : a.headers) {
      (void)parse_retry_after(value);
      (void)parse_billable_units(value);
    }
    (void)safe_file_name(a.body, "fallback.mp4");
    // A result's file, as edit_turn.cpp reads it: the body itself, or its "video" field.
    auto body = nlohmann::json::parse(a.body, nullptr, false);
    for (const auto& file : {body, body.is_object() ? body.value("video", nlohmann::json()) : nlohmann::json()}) {
      try {
        (void)RemoteFile::from_json(file);
      } catch (const omnicut::Error&) {
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(script().mutex);
    script().answers = std::move(answers);
  }
  static const Fal fal{FalUrls::at_origin("http://127.0.0.1:" + std::to_string(server.port)),
                       Http(Credentials("fuzz-key-id:fuzz-key-secret"), HttpOptions{})};
  try {
    call_fal(call, fal, server.dir);
  } catch (const omnicut::Error&) {
  }
  std::lock_guard<std::mutex> lock(script().mutex);
  script().answers.clear();
  return 0;
}
