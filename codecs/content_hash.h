// A fast fingerprint of a source file for the session ledger: SHA-256 over the file size and its
// first and last MiB (the whole file when it is under 2 MiB). It tells "the same footage" from
// "another file under the same name" in milliseconds whatever the size; it is not a full-content
// integrity check. Lives in codecs/ because the SHA-256 comes from libavutil.
#pragma once
#include <string>

namespace omnicut {

inline constexpr const char* kContentHashMethod = "sha256(size, first MiB, last MiB)";

// "sha256:<64 hex digits>". Throws Error(not_found) when the file cannot be read.
std::string content_hash(const std::string& path);

}  // namespace omnicut
