// Arbitrary bytes as each JSON file omnicut reads back, read exactly as the product reads it (by
// path, through pipeline/support/json_file.h or the jobs file's line reader): the session ledger
// (then shown as `history` shows it, and saved and read again as --resume does), the prep sidecar,
// the split manifest, the batch ledger and a batch jobs file. Every refusal must be an
// omnicut::Error; a crash, a sanitizer report or any other exception is a finding, and so is a
// ledger this omnicut accepted that it cannot read again once it saved it.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"
#include "pipeline/batch/batch_jobs.h"
#include "pipeline/batch/batch_ledger.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/media/manifest.h"
#include "pipeline/media/prep_sidecar.h"

namespace {

namespace fs = std::filesystem;

const fs::path& work_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("omnicut-fuzz-json-" + std::to_string(::getpid()));
  return dir;
}

const std::string& input_path() {
  static const std::string path = [] {
    fs::create_directories(work_dir());
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(work_dir(), ec);
    });
    return (work_dir() / "input.json").string();
  }();
  return path;
}

template <class Read>
void expect_error_or_success(Read read) {
  try {
    read();
  } catch (const omnicut::Error&) {
  }
}

void read_ledger(const std::string& path) {
  omnicut::Session s;
  try {
    s = omnicut::load_session(path);
  } catch (const omnicut::Error&) {
    return;
  }
  (void)omnicut::total_cost_text(s);
  for (const auto& turn : s.turns) (void)omnicut::cost_text(turn);
  (void)s.completed_turns();
  (void)s.last_completed();
  // What --resume saves must read again; a throw here escapes as a finding.
  (void)omnicut::session_from_json(omnicut::to_json(s), path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = input_path();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  read_ledger(path);
  expect_error_or_success([&] { (void)omnicut::read_sidecar_file(path, "no sidecar"); });
  expect_error_or_success([&] { (void)omnicut::read_manifest(path); });
  expect_error_or_success([&] {
    omnicut::BatchLedger ledger = omnicut::load_batch_ledger(path);
    (void)omnicut::batch_ledger_from_json(omnicut::to_json(ledger), path);
  });
  expect_error_or_success([&] { (void)omnicut::jobs_from_file(path, work_dir() / "out", {"a prompt"}); });
  return 0;
}
