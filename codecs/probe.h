// probe: what a media file holds, read from its headers and the first few seconds of packets
// (never a full decode), as plain data (codecs/media_info.h) for the plan and the CLI. Opened
// through av::open_media, so its origin and true duration are the ones every other operation uses
// (a live recording's length is read from its last packets).
#pragma once
#include <string>

#include "codecs/media_info.h"

namespace omnicut {

// Throws omnicut::Error naming `path` and the cause when the file cannot be read as media
// (codecs/input.h classifies missing, directory, empty, not media, truncated).
MediaInfo probe(const std::string& path);

namespace av {
struct OpenedMedia;
}
// What both probes (this and codecs/header_probe.h) report alike: the container's fields, its
// durations and the origin, and a stream's start on the container's clock.
MediaInfo media_info_of(const av::OpenedMedia& media);
double stream_start(const av::OpenedMedia& media, int index);

}  // namespace omnicut
