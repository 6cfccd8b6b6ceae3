// The lightest probe: the container's header only (no stream-info search, no packets, no
// decoding), for `estimate` over thousands of files. It fills what pricing needs (duration,
// whether there is video and audio, the picture size) and leaves the rest of MediaInfo at its
// defaults; use codecs/probe.h when orientation, frame rate or pixel format matter. It opens
// through av::open_media's quick path (MP4/MOV/Matroska headers; the stream-info search for the
// rest) and reads packets only when the container gives no duration (a live recording).
#pragma once
#include <string>

#include "codecs/media_info.h"

namespace omnicut {

// Throws omnicut::Error naming `path` and the cause (missing, a directory, empty, not media,
// truncated).
MediaInfo probe_headers(const std::string& path);

}  // namespace omnicut
