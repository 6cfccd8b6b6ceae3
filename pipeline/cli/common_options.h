// Options that several commands take, declared and read in one place: the range prep cuts
// (--start/--end, and --duration where prep takes it), the endpoint, a pricing file, and what the
// root command's -v means for the HTTP client.
#pragma once
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "client/http.h"
#include "model/endpoints.h"
#include "pipeline/cli/command.h"

namespace omnicut::cli {

// Seconds, read from the command line with parse_time (seconds or [hh:]mm:ss[.ms]).
struct TimeRange {
  std::optional<double> start, end, duration;
};

struct RangeHelp {
  std::string start = "range start: seconds or [hh:]mm:ss[.ms] from the first video frame";
  std::string end = "range end (exclusive)";
  std::string duration;  // empty: the command has no --duration
};

// A time option (seconds or [hh:]mm:ss[.ms]), read as it is parsed: a text that is not a time
// stops the parse with Error(usage) naming the option.
CLI::Option* add_time_option(CLI::App* cmd, const std::string& name, std::optional<double>& value, const std::string& help);

// --start and --end (and --duration, which excludes --end, when `help.duration` says what it
// means).
void add_range_options(CLI::App* cmd, TimeRange& range, const RangeHelp& help = {});

// --endpoint ID, holding the default endpoint's id unless given.
CLI::Option* add_endpoint_option(CLI::App* cmd, std::string& id, const std::string& help);

// --pricing FILE: rates that override the endpoint's (keys as in `estimate --json`'s "billing").
void add_pricing_option(CLI::App* cmd, std::string& path);
// The billing in `path` over `base`; Error(usage) naming the file when it cannot be read.
Billing load_pricing(const std::string& path, const Billing& base);

// The HTTP client's options for the root command's flags (-v: curl's trace, the key redacted).
client::HttpOptions http_options(const GlobalOptions& global);

}  // namespace omnicut::cli
