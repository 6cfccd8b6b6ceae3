// Opening a user's file for reading, with every way it can fail turned into one clear error:
// missing, a directory, unreadable, empty, not media, truncated.
#pragma once
#include <string>

#include "codecs/av_ptr.h"

namespace omnicut::av {

// Checks the path is a readable, non-empty regular file; throws Error(not_found|not_media).
void check_readable_file(const std::string& path);

// Opens and reads stream info (as ffprobe does). Throws Error naming `path` and the cause.
InputFormat open_input(const std::string& path);

}  // namespace omnicut::av
