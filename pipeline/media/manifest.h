// The split manifest (DIR/manifest.json): the source, and for each segment its file (relative to
// the manifest) and exact source range. `join` reads it to order the edited parts and to lay the
// source's audio over their whole range.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace omnicut {

struct ManifestSegment {
  int index = 0;
  std::string file;            // relative to the manifest's folder, e.g. "segment-000.mp4"
  double start = 0, end = 0;   // seconds from the source's first frame
  std::string cut;             // "scene", "even" or "end"
  int64_t frames = 0;          // video frames prep wrote
};

struct SplitManifest {
  int version = 1;
  std::string source;          // absolute path of the split input
  std::string endpoint;
  double min_duration = 0, max_duration = 0;
  std::vector<double> scene_changes;
  std::vector<ManifestSegment> segments;
  double start() const { return segments.empty() ? 0 : segments.front().start; }
  double end() const { return segments.empty() ? 0 : segments.back().end; }
};

// `{"version":1,"source","endpoint","min_duration","max_duration","scene_changes":[..],
//   "segments":[{"index","file","start","end","duration","cut","frames"}]}`
nlohmann::json manifest_to_json(const SplitManifest& m);
// Throws Error(not_media, subject, cause) for missing or inconsistent fields (segments out of
// order, gaps or overlaps).
SplitManifest manifest_from_json(const nlohmann::json& j, const std::string& subject);

void write_manifest(const std::filesystem::path& path, const SplitManifest& m);  // atomic; Error(output)
SplitManifest read_manifest(const std::filesystem::path& path);                 // Error(not_found|not_media)

}  // namespace omnicut
