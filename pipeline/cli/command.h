// Each cli/cmd_*.cpp adds one subcommand through a RegisterCommand object at namespace scope, so
// adding a command touches no shared file. The subcommand's parse callback stores the action to
// run; main() runs it after parsing, with the root's GlobalOptions, and maps omnicut::Error to
// the documented exit codes.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace omnicut::cli {

// The root command's own flags, handed to the chosen subcommand when it runs.
struct GlobalOptions {
  bool verbose = false;  // -v: FFmpeg's and the HTTP client's own logs
  std::string endpoints_file;  // --endpoints / OMNICUT_ENDPOINTS: a table replacing the built-in one
};

using Action = std::function<int(const GlobalOptions&)>;
using CommandSetup = void (*)(CLI::App& root, Action& chosen);

struct RegisterCommand {
  // `order` sets the position in --help (probe 10, prep 20, estimate 30, ...).
  RegisterCommand(int order, CommandSetup setup);
};

// JSON output when asked for, or when stdout is not a terminal (piped into jq, a file...).
bool want_json(bool json_flag);
// Progress bars and colours only when stderr is a terminal.
bool stderr_is_tty();

}  // namespace omnicut::cli
