// Arbitrary bytes read as a user's media file, through what `omnicut probe` does (probe, the
// endpoint verdict, the JSON and the table), what `estimate` does (the header-only probe) and
// prep's plan for the whole file. A file that is not media must end in omnicut::Error; anything
// else (a crash, a sanitizer report, another exception) is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "codecs/av_log.h"
#include "codecs/header_probe.h"
#include "codecs/probe.h"
#include "common/error.h"
#include "model/endpoints.h"
#include "pipeline/media/prep_plan.h"
#include "pipeline/media/probe_report.h"

namespace {

// A private folder per process, removed at exit; the input is rewritten there for every run
// (FFmpeg opens media by path here).
const std::filesystem::path& work_dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("omnicut-fuzz-media-" + std::to_string(::getpid()));
  return dir;
}

const std::string& input_path() {
  static const std::string path = [] {
    std::filesystem::create_directories(work_dir());
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(work_dir(), ec);
    });
    omnicut::av::install_log_capture(false);
    return (work_dir() / "input.mp4").string();
  }();
  return path;
}

void probe_and_plan(const std::string& path) {
  const omnicut::Endpoint& endpoint = omnicut::default_endpoint();
  try {
    omnicut::MediaInfo info = omnicut::probe(path);
    omnicut::PrepPlan verdict = omnicut::assess(info, endpoint);
    (void)omnicut::probe_json(info, verdict).dump();
    (void)omnicut::probe_table(info, verdict);
    (void)omnicut::plan_prep(info, endpoint, omnicut::PrepRequest{});
  } catch (const omnicut::Error&) {
  }
  try {
    (void)omnicut::probe_headers(path);
  } catch (const omnicut::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = input_path();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  probe_and_plan(path);
  return 0;
}
