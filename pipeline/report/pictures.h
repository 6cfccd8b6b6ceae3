// The pictures of one step of a report (the source as prepped, a turn's result, the final): a
// contact sheet of evenly spaced frames and a larger poster frame, upright, decoded once
// (codecs/thumbnails.h), kept in the report's folder. Made again only when the media is newer
// than them, so `omnicut report` regenerates a page without the network from what is there: a
// turn whose result was not kept keeps the pictures the edit made of it.
#pragma once
#include <optional>
#include <string>

namespace omnicut {

struct StepPictures {
  std::string sheet;   // PNG paths (absolute)
  std::string poster;
};

// Pictures of `media` (over [start, end) when given) named `name` in `folder`; nullopt when the
// media is gone and no earlier pictures are there, or when they cannot be made (`why` says so).
std::optional<StepPictures> step_pictures(const std::string& media, std::optional<double> start, std::optional<double> end,
                                          const std::string& folder, const std::string& name, std::string& why);

}  // namespace omnicut
