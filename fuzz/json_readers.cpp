// Arbitrary bytes as each JSON file omnicut reads back, read exactly as the product reads it (by
// path, through pipeline/support/json_file.h or the jobs file's line reader): the session ledger
// (then shown as `history` shows it, and saved and read again as --resume does), the prep sidecar,
// the split manifest, the batch ledger, a batch jobs file, an endpoint table (--endpoints; its rows
// then priced and asked for each resolution) and a pricing file (--pricing). Every refusal must be an
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
#include "pipeline/cli/common_options.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/media/manifest.h"
#include "pipeline/media/prep_sidecar.h"
#include "pipeline/money/cost_model.h"

#include <nlohmann/json.hpp>

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

// A table's rows are used as estimate and edit use them: each resolution resolved and priced.
void use_endpoint_rows(const std::string& text, const std::string& path) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return;  // the file reader refuses it before the rows are read
  std::vector<omnicut::Endpoint> rows;
  try {
    rows = omnicut::parse_endpoint_table(doc, path);
  } catch (const omnicut::Error&) {
    return;
  }
  for (const auto& row : rows) {
    omnicut::CostModel model(row.billing);
    std::vector<std::optional<std::string>> asks{std::nullopt};
    for (const auto& size : row.resolutions) asks.push_back(size.name);
    for (const auto& ask : asks)
      expect_error_or_success([&] {
        const std::string r = omnicut::resolve_resolution(row, ask);
        (void)model.turn(5.0, true, "Make it anime.", row.takes_resolution() ? r : "");
        (void)model.billed_usd(5.034667, r);
      });
  }
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
  use_endpoint_rows(std::string(reinterpret_cast<const char*>(data), size), path);
  expect_error_or_success([&] {
    omnicut::CostModel model(omnicut::cli::load_pricing(path, omnicut::default_endpoint().billing));
    (void)model.turn(5.0, true, "Make it anime.");
  });
  return 0;
}
