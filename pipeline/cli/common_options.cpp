#include "pipeline/cli/common_options.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "pipeline/support/json_file.h"
#include "pipeline/support/time_value.h"

namespace omnicut::cli {
CLI::Option* add_time_option(CLI::App* cmd, const std::string& name, std::optional<double>& value, const std::string& help) {
  auto read = [&value, name](const std::string& text) { value = parse_time(text, name); };
  return cmd->add_option_function<std::string>(name, read, help)->type_name("T");
}

void add_range_options(CLI::App* cmd, TimeRange& range, const RangeHelp& help) {
  add_time_option(cmd, "--start", range.start, help.start);
  CLI::Option* end = add_time_option(cmd, "--end", range.end, help.end);
  if (!help.duration.empty()) end->excludes(add_time_option(cmd, "--duration", range.duration, help.duration));
}

CLI::Option* add_endpoint_option(CLI::App* cmd, std::string& id, const std::string& help) {
  id = default_endpoint().id;
  return cmd->add_option("--endpoint", id, help)->type_name("ID")->capture_default_str();
}

void add_pricing_option(CLI::App* cmd, std::string& path) {
  cmd->add_option("--pricing", path, "JSON file overriding the endpoint's billing rules (keys as in estimate --json's \"billing\")")
      ->type_name("FILE");
}

Billing load_pricing(const std::string& path, const Billing& base) {
  auto j = read_json_object(path, "cannot read the pricing file", ErrorKind::usage,
                            "the pricing file is not a JSON object (keys as in `estimate --json`'s \"billing\")");
  try {
    return billing_from_json(j, base, path);
  } catch (const nlohmann::json::exception& e) {  // a key of the wrong type ("input_usd_per_mtok": "cheap")
    throw Error(ErrorKind::usage, path, std::string("a malformed pricing file: ") + e.what());
  }
}

client::HttpOptions http_options(const GlobalOptions& global) {
  client::HttpOptions options;
  options.verbose = global.verbose;
  return options;
}

}  // namespace omnicut::cli
