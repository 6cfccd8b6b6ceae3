// `omnicut emulator [--port N] [--faults SPEC] [--no-auth] [--storage DIR]`: runs the loopback fal
// emulator (tests/emulator) until Ctrl-C or SIGTERM. The first stdout line is exactly
// "listening on http://127.0.0.1:PORT" so a script can read the port; then one access-log line
// per request ("METHOD /path STATUS").
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "common/interrupt.h"
#include "pipeline/cli/command.h"
#include "pipeline/cli/exit_codes.h"
#include "emulator/emulator.h"

namespace omnicut::cli {
namespace {

struct EmulatorOptions {
  int port = 0;
  std::string faults;
  bool no_auth = false;
  std::string storage;
};

int run_emulator(const EmulatorOptions& o) {
  emulator::Options options;
  options.port = o.port;
  options.faults = emulator::parse_faults(o.faults);
  options.require_key = !o.no_auth;
  options.storage_dir = o.storage;
  options.access_log = true;
  emulator::Emulator server(options);
  server.start();
  std::printf("listening on %s\n", server.url().c_str());
  std::fflush(stdout);
  while (!interrupted()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  return kOk;
}

}  // namespace

void add_emulator_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<EmulatorOptions>();
  CLI::App* cmd = root.add_subcommand("emulator", "run a loopback emulator of fal's queue and storage API that really edits");
  cmd->add_option("--port", opts->port, "port on 127.0.0.1 (0 picks a free one)")->check(CLI::Range(0, 65535));
  cmd->add_option("--faults", opts->faults,
                  "faults to inject, e.g. 429x2,status500x1,submit503x1,drop-upload,drop-download,drop-submit,slow=200,slow-submit=2000,fail-job,queue=3,queue-ms=1500,history-lag=5,history-hidden,history-401,pricing-403");
  cmd->add_flag("--no-auth", opts->no_auth, "accept requests without 'Authorization: Key ...'");
  cmd->add_option("--storage", opts->storage, "keep uploads and results in this folder (default: a temporary one, removed at exit)");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions&) { return run_emulator(*opts); }; });
}

}  // namespace omnicut::cli
