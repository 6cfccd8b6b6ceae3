#include "pipeline/media/prep_sidecar.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "common/error.h"
#include "pipeline/support/json_file.h"

namespace omnicut {
namespace {

std::string sar_text(Rational r) { return std::to_string(r.num) + ":" + std::to_string(r.den); }

Rational sar_from(const std::string& text, const std::string& subject) {
  auto colon = text.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument(text);
    Rational r{std::stoi(text.substr(0, colon)), std::stoi(text.substr(colon + 1))};
    if (r.num <= 0 || r.den <= 0) throw std::invalid_argument(text);
    return r;
  } catch (const std::exception&) {
    throw Error(ErrorKind::not_media, subject, "sidecar: bad sar \"" + text + "\" (want N:D)");
  }
}

nlohmann::json geometry_to_json(const Geometry& g) {
  nlohmann::json crop = nullptr;
  if (g.crop) crop = {{"x", g.crop->x}, {"y", g.crop->y}, {"width", g.crop->width}, {"height", g.crop->height}};
  return {{"rotation", g.rotation},         {"mirrored", g.mirrored},         {"sar", sar_text(g.sar)},
          {"crop", crop},                   {"scale_width", g.scale_width},   {"scale_height", g.scale_height},
          {"out_width", g.out_width},       {"out_height", g.out_height}};
}

Geometry geometry_from_json(const nlohmann::json& j, const std::string& subject) {
  Geometry g;
  g.rotation = j.at("rotation").get<int>();
  g.mirrored = j.at("mirrored").get<bool>();
  g.sar = sar_from(j.at("sar").get<std::string>(), subject);
  if (j.contains("crop") && !j["crop"].is_null()) {
    const auto& c = j["crop"];
    g.crop = Rect{c.at("x").get<int>(), c.at("y").get<int>(), c.at("width").get<int>(), c.at("height").get<int>()};
  }
  g.scale_width = j.at("scale_width").get<int>();
  g.scale_height = j.at("scale_height").get<int>();
  g.out_width = j.at("out_width").get<int>();
  g.out_height = j.at("out_height").get<int>();
  return g;
}

}  // namespace

nlohmann::json sidecar_to_json(const PrepSidecar& s) {
  return {{"source", s.source},
          {"start", s.start},
          {"end", s.end},
          {"geometry", geometry_to_json(s.geometry)},
          {"source_display_width", s.source_display_width},
          {"source_display_height", s.source_display_height},
          {"fps", s.fps},
          {"path", s.path}};
}

PrepSidecar sidecar_from_json(const nlohmann::json& j, const std::string& subject) {
  try {
    PrepSidecar s;
    s.source = j.at("source").get<std::string>();
    s.start = j.at("start").get<double>();
    s.end = j.at("end").get<double>();
    s.geometry = geometry_from_json(j.at("geometry"), subject);
    s.source_display_width = j.at("source_display_width").get<int>();
    s.source_display_height = j.at("source_display_height").get<int>();
    s.fps = j.at("fps").get<double>();
    s.path = j.at("path").get<std::string>();
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorKind::not_media, subject, std::string("sidecar: ") + e.what());
  }
}

std::filesystem::path sidecar_path(const std::filesystem::path& output) {
  return std::filesystem::path(output.string() + ".prep.json");
}

void write_sidecar(const std::filesystem::path& output, const PrepSidecar& s) {
  write_json_file(sidecar_path(output), sidecar_to_json(s), "sidecar");
}

PrepSidecar read_sidecar(const std::filesystem::path& output) {
  return read_sidecar_file(sidecar_path(output), "no prep sidecar (was this clip made by omnicut prep?)");
}

PrepSidecar read_sidecar_file(const std::filesystem::path& path, const std::string& missing) {
  auto j = read_json_object(path, missing, ErrorKind::not_media, "sidecar is not valid JSON");
  return sidecar_from_json(j, path.string());
}

}  // namespace omnicut
