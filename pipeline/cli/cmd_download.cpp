// `omnicut download URL [-o FILE] [--json]`: fetches a result file the way `edit` does: streamed
// to a temporary file beside FILE, resumed with Range after a dropped connection, size checked,
// renamed into place only when complete. No key needed (fal's result files are public).
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "client/download.h"
#include "client/fal.h"
#include "client/fal_urls.h"
#include "common/error.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/cli/exit_codes.h"
#include "pipeline/cli/reporters.h"
#include "pipeline/support/format.h"

namespace omnicut::cli {
namespace {

struct DownloadCliOptions {
  std::string url;
  std::string output;
  bool json = false;
  std::string fal_url;
};

// The URL's last path segment, sanitised, when no -o was given.
std::string default_output(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  return client::safe_file_name(path.substr(path.find_last_of('/') + 1), "download.bin");
}

int run_download(const DownloadCliOptions& o, const GlobalOptions& global) {
  auto fal = client::Fal::from_env(o.fal_url, /*key_required=*/false, http_options(global));
  if (client::url_origin(o.url).empty()) throw Error(ErrorKind::usage, o.url, "not an http:// or https:// URL");
  client::RemoteFile file;
  file.url = o.url;
  std::string dest = o.output.empty() ? default_output(o.url) : o.output;
  // -o says "replace it"; a name taken from the URL must not silently overwrite a file here.
  if (o.output.empty() && std::filesystem::exists(dest))
    throw Error(ErrorKind::output, dest, "already exists; choose another name with -o");
  auto progress = make_reporter(progress_mode());
  progress->stage("download", std::filesystem::path(dest).filename().string());
  client::DownloadOptions options;
  options.progress = [&](uint64_t done, uint64_t total) { progress->progress(double(done), double(total), "bytes"); };
  client::DownloadResult got = client::download_file(fal, file, dest, options);
  progress->finish(format_bytes(got.size));
  if (want_json(o.json)) {
    nlohmann::json j = {{"url", o.url}, {"file", dest}, {"size", got.size}, {"resumes", got.resumes}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "file     " << dest << "\n"
              << "size     " << format_bytes(got.size) << "\n";
    if (got.resumes) std::cout << "resumed  " << got.resumes << " time(s) after dropped connections\n";
  }
  return kOk;
}

}  // namespace

void add_download_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<DownloadCliOptions>();
  CLI::App* cmd = root.add_subcommand("download", "download a result file URL (resumes dropped transfers)");
  cmd->add_option("url", opts->url, "http(s) URL of the file")->required();
  cmd->add_option("-o,--output", opts->output, "where to write it (default: the URL's file name, here)");
  cmd->add_flag("--json", opts->json, "JSON output {url, file, size, resumes} (also when stdout is not a terminal)");
  cmd->add_option("--fal-url", opts->fal_url, "fal origin (the key is sent only to it; env OMNICUT_FAL_URL)");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions& global) { return run_download(*opts, global); }; });
}

}  // namespace omnicut::cli
