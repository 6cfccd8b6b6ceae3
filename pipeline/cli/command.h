// Each cli/cmd_*.cpp adds one subcommand through a RegisterCommand object at namespace scope, so
// adding a command touches no shared file. The subcommand's parse callback stores the action to
// run; main() runs it after parsing and maps omnicut::Error to the documented exit codes.
#pragma once
#include <functional>

#include <CLI/CLI.hpp>

namespace omnicut::cli {

using Action = std::function<int()>;
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
