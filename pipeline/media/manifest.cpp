#include "pipeline/media/manifest.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "pipeline/support/json_file.h"

namespace omnicut {

nlohmann::json manifest_to_json(const SplitManifest& m) {
  nlohmann::json segs = nlohmann::json::array();
  for (const auto& s : m.segments)
    segs.push_back({{"index", s.index}, {"file", s.file}, {"start", s.start}, {"end", s.end},
                    {"duration", s.end - s.start}, {"cut", s.cut}, {"frames", s.frames}});
  return {{"version", m.version},           {"source", m.source},
          {"endpoint", m.endpoint},         {"min_duration", m.min_duration},
          {"max_duration", m.max_duration}, {"scene_changes", m.scene_changes},
          {"segments", segs}};
}

SplitManifest manifest_from_json(const nlohmann::json& j, const std::string& subject) {
  SplitManifest m;
  try {
    m.version = j.at("version").get<int>();
    m.source = j.at("source").get<std::string>();
    m.endpoint = j.value("endpoint", "");
    m.min_duration = j.value("min_duration", 0.0);
    m.max_duration = j.value("max_duration", 0.0);
    m.scene_changes = j.value("scene_changes", std::vector<double>{});
    for (const auto& s : j.at("segments"))
      m.segments.push_back({s.at("index").get<int>(), s.at("file").get<std::string>(), s.at("start").get<double>(),
                            s.at("end").get<double>(), s.value("cut", ""), s.value("frames", int64_t{0})});
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::not_media, subject, std::string("not a split manifest: ") + e.what());
  }
  if (m.version != 1) throw Error(ErrorKind::not_media, subject, "unknown manifest version " + std::to_string(m.version));
  if (m.segments.empty()) throw Error(ErrorKind::not_media, subject, "the manifest lists no segments");
  for (size_t i = 0; i < m.segments.size(); ++i) {
    const auto& s = m.segments[i];
    if (s.end <= s.start) throw Error(ErrorKind::not_media, subject, "segment " + std::to_string(i) + " ends before it starts");
    if (i > 0 && std::abs(s.start - m.segments[i - 1].end) > 1e-6)
      throw Error(ErrorKind::not_media, subject,
                  "segments " + std::to_string(i - 1) + " and " + std::to_string(i) + " leave a gap or overlap");
  }
  return m;
}

void write_manifest(const std::filesystem::path& path, const SplitManifest& m) {
  write_json_file(path, manifest_to_json(m), "manifest");
}

SplitManifest read_manifest(const std::filesystem::path& path) {
  auto j = read_json_object(path, "no such manifest", ErrorKind::not_media, "the manifest is not valid JSON");
  return manifest_from_json(j, path.string());
}

}  // namespace omnicut
