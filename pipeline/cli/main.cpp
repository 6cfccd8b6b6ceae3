#include <csignal>
#include <cstdio>
#include <map>
#include <unistd.h>

#include "codecs/av_log.h"
#include "common/interrupt.h"
#include "model/endpoints.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/exit_codes.h"

namespace omnicut::cli {
namespace {

std::multimap<int, CommandSetup>& registry() {
  static std::multimap<int, CommandSetup> commands;
  return commands;
}

void on_interrupt(int) {
  // A third Ctrl-C means the user wants out now, whatever is in flight.
  if (interrupt_count().fetch_add(1) >= 2) _exit(kInterrupted);
}

}  // namespace

RegisterCommand::RegisterCommand(int order, CommandSetup setup) { registry().emplace(order, setup); }

bool want_json(bool json_flag) { return json_flag || !isatty(STDOUT_FILENO); }
bool stderr_is_tty() { return isatty(STDERR_FILENO); }

}  // namespace omnicut::cli

int main(int argc, char** argv) {
  using namespace omnicut;
  CLI::App app{"omnicut: prepare footage for fal's google/gemini-omni-flash/edit, estimate, edit, remux"};
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "show FFmpeg's and the HTTP client's own logs (the key is redacted)");
  std::string endpoints_file;
  app.add_option("--endpoints", endpoints_file,
                 "use this endpoint table (JSON, the shape of model/endpoints.json) instead of the built-in one")
      ->envname("OMNICUT_ENDPOINTS");
  app.set_version_flag("--version", "omnicut 0.1.0");

  cli::Action chosen;
  for (auto& [order, setup] : cli::registry()) setup(app, chosen);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : cli::kUsage;
  }
  try {
    if (!endpoints_file.empty()) use_endpoint_table_file(endpoints_file);
  } catch (const Error& e) {
    std::fprintf(stderr, "omnicut: %s\n", e.what());
    return cli::exit_code_for(e.kind());
  }
  av::install_log_capture(verbose);
  if (verbose) setenv("OMNICUT_VERBOSE", "1", 1);
  std::signal(SIGINT, cli::on_interrupt);
  std::signal(SIGTERM, cli::on_interrupt);
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return chosen ? chosen() : cli::kUsage;
  } catch (const Error& e) {
    std::fprintf(stderr, "omnicut: %s\n", e.what());
    return cli::exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omnicut: internal error: %s\n", e.what());
    return cli::kInternal;
  }
}
