#include <csignal>
#include <cstdio>
#include <unistd.h>

#include "codecs/av_log.h"
#include "common/interrupt.h"
#include "model/endpoints.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/exit_codes.h"

namespace omnicut::cli {
namespace {

// Every subcommand, in the order --help lists them.
constexpr CommandSetup kCommands[] = {
    add_probe_command,    add_prep_command,  add_estimate_command, add_edit_command,
    add_history_command,  add_report_command, add_upload_command, add_download_command, add_remux_command,
    add_split_command,    add_join_command,  add_thumbs_command,   add_sync_command, add_emulator_command,
};

void on_interrupt(int) {
  // A third Ctrl-C means the user wants out now, whatever is in flight.
  if (interrupt_count().fetch_add(1) >= 2) _exit(kInterrupted);
}

}  // namespace
}  // namespace omnicut::cli

int main(int argc, char** argv) {
  using namespace omnicut;
  CLI::App app{"omnicut: prepare footage for fal's google/gemini-omni-flash/edit, estimate, edit, remux"};
  app.require_subcommand(1);
  cli::GlobalOptions global;
  app.add_flag("-v,--verbose", global.verbose, "show FFmpeg's and the HTTP client's own logs (the key is redacted)");
  app.add_option("--endpoints", global.endpoints_file,
                 "use this endpoint table (JSON, the shape of model/endpoints.json) instead of the built-in one")
      ->envname("OMNICUT_ENDPOINTS");
  app.set_version_flag("--version", cli::version_text, "print omnicut's version and the FFmpeg and libcurl it runs with");

  cli::Action chosen;
  for (cli::CommandSetup setup : cli::kCommands) setup(app, chosen);

  try {
    try {
      app.parse(argc, argv);  // options such as --start are read as they are parsed: Error(usage)
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      return rc == 0 ? 0 : cli::kUsage;
    }
    if (!global.endpoints_file.empty()) use_endpoint_table_file(global.endpoints_file);
    av::install_log_capture(global.verbose);
    std::signal(SIGINT, cli::on_interrupt);
    std::signal(SIGTERM, cli::on_interrupt);
    std::signal(SIGPIPE, SIG_IGN);
    return chosen ? chosen(global) : cli::kUsage;
  } catch (const Error& e) {
    std::fprintf(stderr, "omnicut: %s\n", e.what());
    return cli::exit_code_for(e.kind());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "omnicut: internal error: %s\n", e.what());
    return cli::kInternal;
  }
}
