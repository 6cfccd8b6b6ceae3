// What `omnicut probe` prints for one file: the stable JSON object (documented in the README)
// and the compact human block, from probe's MediaInfo and the endpoint verdict (prep_plan.h).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "codecs/media_info.h"
#include "pipeline/media/prep_plan.h"

namespace omnicut {

nlohmann::json probe_json(const MediaInfo& info, const PrepPlan& verdict);
// A file that could not be read: {"path", "error"}.
nlohmann::json probe_error_json(const std::string& path, const std::string& error);

std::string probe_table(const MediaInfo& info, const PrepPlan& verdict);
std::string probe_error_table(const std::string& path, const std::string& error);

}  // namespace omnicut
