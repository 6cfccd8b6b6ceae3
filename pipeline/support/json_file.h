// The small JSON files omnicut keeps (prep sidecars, split manifests, pricing overrides, session
// ledgers) are read and written the same way: one place for the error lines and the atomic write.
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace omnicut {

// Throws Error(not_found, path, missing) when it cannot be opened, and Error(bad_kind, path,
// invalid) when it is not a JSON object.
nlohmann::json read_json_object(const std::filesystem::path& path, const std::string& missing, ErrorKind bad_kind,
                                const std::string& invalid);

// Through a temporary file renamed into place; Error(output, path, "cannot write the " + what).
void write_text_file(const std::filesystem::path& path, const std::string& text, const std::string& what);
// Pretty-printed, as write_text_file.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& j, const std::string& what);

}  // namespace omnicut
