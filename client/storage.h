// fal storage upload, the presigned flow fal's JS client uses: initiate -> PUT, or for files over
// 90 MB initiate-multipart -> 10 MB part PUTs -> complete. Always streamed from disk with a read
// callback, so memory stays flat whatever the file size.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "client/fal.h"

namespace omnicut::client {

struct UploadOptions {
  std::string content_type;                      // empty: from the extension
  std::string file_name;                         // empty: the file's own name
  uint64_t multipart_threshold = 90ull * 1000 * 1000;
  uint64_t part_size = 10ull * 1024 * 1024;
  ProgressFn progress;                           // bytes of the file sent, and its size
};

struct UploadResult {
  std::string file_url;                          // what to pass as video_url
  uint64_t size = 0;
  std::string content_type;
  std::string file_name;
  int parts = 0;                                 // 0 for a single PUT
};

// Throws Error(not_found) for an unreadable file, Error(auth/network/remote) from the calls.
UploadResult upload_file(const Fal& fal, const std::filesystem::path& file, const UploadOptions& options = {});

// "video/mp4", "video/quicktime", ... from the extension; application/octet-stream otherwise.
std::string content_type_for(const std::filesystem::path& file);

}  // namespace omnicut::client
