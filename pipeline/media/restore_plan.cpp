#include "pipeline/media/restore_plan.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace omnicut {
namespace {

int even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2)) * 2); }

}  // namespace

RestorePlan plan_restore(const PrepSidecar& s, int edited_width, int edited_height, int max_height) {
  const Geometry& g = s.geometry;
  if (g.out_width <= 0 || g.out_height <= 0 || g.scale_width <= 0 || g.scale_height <= 0 || edited_width <= 0 ||
      edited_height <= 0)
    throw Error(ErrorKind::usage, s.source, "the prep sidecar has no usable geometry");
  // The picture prep scaled sits centred on its canvas; FFmpeg's pad filter puts it on even
  // offsets for 4:2:0.
  const double kx = static_cast<double>(edited_width) / g.out_width, ky = static_cast<double>(edited_height) / g.out_height;
  Rect content{((g.out_width - g.scale_width) / 2) & ~1, ((g.out_height - g.scale_height) / 2) & ~1, g.scale_width,
               g.scale_height};
  Rect crop{static_cast<int>(std::lround(content.x * kx)), static_cast<int>(std::lround(content.y * ky)),
            std::min(edited_width, static_cast<int>(std::lround(content.width * kx))),
            std::min(edited_height, static_cast<int>(std::lround(content.height * ky)))};

  double w = g.crop ? g.crop->width : s.source_display_width;
  double h = g.crop ? g.crop->height : s.source_display_height;
  if (w <= 0 || h <= 0) w = g.scale_width, h = g.scale_height;
  if (max_height > 0 && h > max_height) w = w * max_height / h, h = max_height;

  RestorePlan plan;
  plan.width = even(w);
  plan.height = even(h);
  bool whole = crop.x == 0 && crop.y == 0 && crop.width == edited_width && crop.height == edited_height;
  if (!whole) plan.geometry.crop = crop;
  plan.geometry.scale_width = plan.geometry.out_width = plan.width;
  plan.geometry.scale_height = plan.geometry.out_height = plan.height;
  return plan;
}

}  // namespace omnicut
