// The subcommands: each cli/cmd_*.cpp defines one add_*_command, which adds its subcommand to the
// root and, when the command line chooses it, stores the action to run. main.cpp lists them all,
// in --help order, runs the chosen action after parsing with the root's GlobalOptions, and maps
// omnicut::Error to the documented exit codes.
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

void add_probe_command(CLI::App& root, Action& chosen);
void add_prep_command(CLI::App& root, Action& chosen);
void add_estimate_command(CLI::App& root, Action& chosen);
void add_edit_command(CLI::App& root, Action& chosen);
void add_history_command(CLI::App& root, Action& chosen);
void add_report_command(CLI::App& root, Action& chosen);
void add_upload_command(CLI::App& root, Action& chosen);
void add_download_command(CLI::App& root, Action& chosen);
void add_remux_command(CLI::App& root, Action& chosen);
void add_split_command(CLI::App& root, Action& chosen);
void add_join_command(CLI::App& root, Action& chosen);
void add_thumbs_command(CLI::App& root, Action& chosen);
void add_sync_command(CLI::App& root, Action& chosen);
void add_emulator_command(CLI::App& root, Action& chosen);

// JSON output when asked for, or when stdout is not a terminal (piped into jq, a file...).
bool want_json(bool json_flag);
// Progress bars and colours only when stderr is a terminal.
bool stderr_is_tty();
// `--version`: omnicut's own, then the FFmpeg and libcurl it runs with (the loaded libraries), a
// line each.
std::string version_text();

}  // namespace omnicut::cli
