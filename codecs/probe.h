// probe: what a media file holds, read from its headers and the first few seconds of packets
// (never a full decode), as plain data (codecs/media_info.h) for the plan and the CLI.
#pragma once
#include <string>

#include "codecs/media_info.h"

namespace omnicut {

// Throws omnicut::Error naming `path` and the cause when the file cannot be read as media
// (codecs/input.h classifies missing, directory, empty, not media, truncated).
MediaInfo probe(const std::string& path);

}  // namespace omnicut
