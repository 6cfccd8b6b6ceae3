// `omnicut upload FILE [--json] [--fal-url URL]`: uploads a file to fal's storage (as fal's own
// clients do) and prints the URL to pass as video_url. Needs FAL_KEY (exit 9 without it).
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "client/fal.h"
#include "client/storage.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/cli/reporters.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

struct UploadCliOptions {
  std::string file;
  bool json = false;
  std::string fal_url;
};

int run_upload(const UploadCliOptions& o, const GlobalOptions& global) {
  auto fal = client::Fal::from_env(o.fal_url, true, http_options(global));
  auto progress = make_reporter(progress_mode());
  progress->stage("upload", std::filesystem::path(o.file).filename().string());
  client::UploadOptions options;
  options.progress = [&](uint64_t done, uint64_t total) { progress->progress(double(done), double(total), "bytes"); };
  client::UploadResult up = client::upload_file(fal, o.file, options);
  progress->finish(format_bytes(up.size));
  if (want_json(o.json)) {
    nlohmann::json j = {{"file", o.file}, {"url", up.file_url}, {"size", up.size}, {"content_type", up.content_type}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "file          " << o.file << "\n"
              << "size          " << format_bytes(up.size) << (up.parts ? " (" + std::to_string(up.parts) + " parts)" : "") << "\n"
              << "content type  " << up.content_type << "\n"
              << "url           " << up.file_url << "\n";
  }
  return kOk;
}

}  // namespace

void add_upload_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<UploadCliOptions>();
  CLI::App* cmd = root.add_subcommand("upload", "upload a file to fal's storage and print its URL (needs FAL_KEY)");
  cmd->add_option("file", opts->file, "the file to upload")->required();
  cmd->add_flag("--json", opts->json, "JSON output {file, url, size, content_type} (also when stdout is not a terminal)");
  cmd->add_option("--fal-url", opts->fal_url, "send every fal call to this origin, e.g. the local emulator (env OMNICUT_FAL_URL)");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions& global) { return run_upload(*opts, global); }; });
}

}  // namespace omnicut::cli
