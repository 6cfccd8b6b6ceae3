#include "pipeline/media/join_stage.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "pipeline/media/manifest.h"
#include "pipeline/media/remux_stage.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;

std::string secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

// Parts named after their segments ("segment-002.edited.mp4") go where the manifest puts them;
// otherwise the order given is the order joined.
std::vector<std::string> manifest_order(const std::vector<std::string>& parts, const SplitManifest& m,
                                        const std::string& subject) {
  if (parts.size() != m.segments.size())
    throw Error(ErrorKind::usage, subject,
                std::to_string(parts.size()) + " parts given for a manifest of " + std::to_string(m.segments.size()) +
                    " segments");
  std::vector<std::string> ordered;
  for (const auto& seg : m.segments) {
    std::string stem = fs::path(seg.file).stem().string();
    std::string found;
    int matches = 0;
    for (const auto& p : parts)
      if (fs::path(p).filename().string().rfind(stem, 0) == 0) found = p, ++matches;
    if (matches != 1) return parts;
    ordered.push_back(found);
  }
  return ordered;
}

}  // namespace

JoinOutcome run_join(const JoinRequest& req) {
  if (req.parts.empty()) throw Error(ErrorKind::usage, req.output, "no parts to join");
  JoinOutcome out;
  std::optional<SplitManifest> manifest = req.manifest_record;
  if (!manifest && !req.manifest.empty()) manifest = read_manifest(req.manifest);
  const std::string manifest_name = req.manifest.empty() ? "the split's manifest" : req.manifest;
  out.order = manifest ? manifest_order(req.parts, *manifest, manifest_name) : req.parts;

  fs::path o(req.output);
  AtomicFile scratch(o.parent_path() / (o.stem().string() + ".joined-video.mp4"));
  out.concat = concat_videos(out.order, scratch.temp_path().string());
  if (manifest) {
    for (size_t i = 0; i < out.order.size(); ++i) {
      const auto& seg = manifest->segments[i];
      double want = seg.end - seg.start, got = out.concat.part_durations[i];
      if (std::abs(got - want) > remux_range_tolerance(want))
        throw Error(ErrorKind::usage, out.order[i],
                    "lasts " + secs(got) + " but segment " + std::to_string(seg.index) + " (" + seg.file + ") is " +
                        secs(want) + ": not the parts of " + manifest_name + ", or not in its order");
    }
  }
  RemuxSpec spec;
  spec.video = scratch.temp_path().string();
  spec.audio = req.audio;
  spec.output = req.output;
  spec.require_audio = req.require_audio;
  if (manifest) {
    spec.start = manifest->start();
    spec.end = manifest->end();
  }
  try {
    out.remux = remux(spec);
  } catch (const Error& e) {
    // Name the joined parts, not the scratch file they were concatenated into.
    std::string msg = e.what();
    if (auto at = msg.find(spec.video); at != std::string::npos) msg.replace(at, spec.video.size(), "the joined parts");
    throw Error(e.kind(), msg);
  }
  out.remux.output = req.output;
  return out;
}

nlohmann::json to_json(const ConcatResult& c) {
  return {{"copied", c.copied}, {"reason", c.reason}, {"frames", c.frames}, {"duration", c.duration},
          {"part_durations", c.part_durations}};
}

ConcatResult concat_result_from_json(const nlohmann::json& j, const std::string& subject) {
  try {
    ConcatResult c;
    c.copied = j.at("copied").get<bool>();
    c.reason = j.at("reason").get<std::string>();
    c.frames = j.at("frames").get<int64_t>();
    c.duration = j.at("duration").get<double>();
    c.part_durations = j.at("part_durations").get<std::vector<double>>();
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::not_media, subject, std::string("not a concat result: ") + e.what());
  }
}

nlohmann::json to_json(const JoinOutcome& o) {
  nlohmann::json j = to_json(o.remux);
  j["parts"] = o.order;
  j["concat"] = to_json(o.concat);
  return j;
}

}  // namespace omnicut
