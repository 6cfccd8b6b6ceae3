// Downloads a result File: streamed to a temporary file beside the destination, resumed with Range
// after a dropped connection, its size checked against Content-Length and file_size, and renamed
// into place only when complete. Only http/https URLs are followed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "client/fal.h"

namespace omnicut::client {

// fal's File object.
struct RemoteFile {
  std::string url;
  std::string content_type;
  std::string file_name;
  std::optional<uint64_t> file_size;
  // Throws Error(remote) when `j` has no string "url".
  static RemoteFile from_json(const nlohmann::json& j);
};

struct DownloadOptions {
  ProgressFn progress;            // bytes written so far, and the expected size (0 if unknown)
  int max_resumes = 8;            // Range requests after dropped connections
};

struct DownloadResult {
  std::filesystem::path path;
  uint64_t size = 0;
  int resumes = 0;                // how many times it continued after a dropped connection
  uint64_t resumed_bytes = 0;     // bytes kept from before a resume (a 206 to our Range request)
};

// Throws Error(remote) for a non-http(s) URL or a size mismatch, Error(output) when the
// destination cannot be written, Error(network) when the transfer cannot be completed.
DownloadResult download_file(const Fal& fal, const RemoteFile& file, const std::filesystem::path& dest,
                             const DownloadOptions& options = {});

// A server-given name made safe to use inside a folder: its last path component, with control
// characters, separators and leading dots removed; `fallback` when nothing usable is left.
std::string safe_file_name(const std::string& server_name, const std::string& fallback);

}  // namespace omnicut::client
