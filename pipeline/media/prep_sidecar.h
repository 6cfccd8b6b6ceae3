// What prep did to a clip, written beside it as OUT.prep.json, so that `remux --restore` can
// undo it exactly (put the edited picture back at the source's geometry and place it on the
// source's timeline). Plain data with JSON (de)serialisation; no FFmpeg.
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "codecs/transcode.h"

namespace omnicut {

struct PrepSidecar {
  std::string source;              // the input file, as given to prep
  double start = 0;                // range in the source, seconds from its first video frame
  double end = 0;
  Geometry geometry;               // what prep applied: rotation, mirror, SAR, crop, scale, pad
  int source_display_width = 0;    // the source's upright display size
  int source_display_height = 0;
  double fps = 0;                  // the clip's constant frame rate
  std::string path;                // "copy" or "encode"
};

// `{"source","start","end","geometry":{"rotation","mirrored","sar":"N:D","crop":{"x","y","width",
// "height"}|null,"scale_width","scale_height","out_width","out_height"},"source_display_width",
// "source_display_height","fps","path"}`
nlohmann::json sidecar_to_json(const PrepSidecar& s);
// Throws Error(not_media, subject, cause) when a field is missing or malformed.
PrepSidecar sidecar_from_json(const nlohmann::json& j, const std::string& subject);

// The sidecar's name for a prep output: "clip.mp4" -> "clip.mp4.prep.json".
std::filesystem::path sidecar_path(const std::filesystem::path& output);
// Written atomically. Throws Error(output).
void write_sidecar(const std::filesystem::path& output, const PrepSidecar& s);
// Throws Error(not_found) when absent, Error(not_media) when unreadable.
PrepSidecar read_sidecar(const std::filesystem::path& output);
// The sidecar file itself, by its own path; `missing` is the error cause when it is absent.
PrepSidecar read_sidecar_file(const std::filesystem::path& path, const std::string& missing);

}  // namespace omnicut
