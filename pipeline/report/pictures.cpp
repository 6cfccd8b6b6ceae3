#include "pipeline/report/pictures.h"

#include <filesystem>

#include "codecs/thumbnails.h"
#include "common/error.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

bool fresh(const fs::path& picture, const fs::path& media) {
  std::error_code ec;
  if (!fs::is_regular_file(picture, ec)) return false;
  if (!fs::is_regular_file(media, ec)) return true;  // the media is gone: what was made of it stands
  return fs::last_write_time(picture, ec) >= fs::last_write_time(media, ec);
}

}  // namespace

std::optional<StepPictures> step_pictures(const std::string& media, std::optional<double> start, std::optional<double> end,
                                          const std::string& folder, const std::string& name, std::string& why) {
  StepPictures p{(fs::path(folder) / (name + "-sheet.png")).string(), (fs::path(folder) / (name + "-poster.png")).string()};
  if (!media.empty() && fresh(p.sheet, media) && fresh(p.poster, media)) return p;
  std::error_code ec;
  if (media.empty() || !fs::is_regular_file(media, ec)) {
    why = "not kept on this machine";
    return std::nullopt;
  }
  ContactSheetSpec spec;
  spec.input = media, spec.output = p.sheet, spec.poster = p.poster;
  spec.cols = 4, spec.rows = 2, spec.tile_width = 240, spec.poster_width = 640;
  spec.start = start, spec.end = end;
  try {
    fs::create_directories(folder);
    make_contact_sheet(spec);
  } catch (const Error& e) {
    why = e.what();
    return std::nullopt;
  }
  return p;
}

}  // namespace omnicut
