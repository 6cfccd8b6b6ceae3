// The lightest probe: the container's header only (no stream-info search, no packets, no
// decoding), for `estimate` over thousands of files. It fills what pricing needs (duration,
// whether there is video and audio, the picture size) and leaves the rest of MediaInfo at its
// defaults; use codecs/probe.h when orientation, frame rate or pixel format matter. Formats whose
// header carries no duration (MPEG-TS, raw streams) fall back to FFmpeg's stream-info search.
#pragma once
#include <string>

#include "codecs/media_info.h"

namespace omnicut {

// Throws omnicut::Error naming `path` and the cause (missing, a directory, empty, not media,
// truncated).
MediaInfo probe_headers(const std::string& path);

}  // namespace omnicut
