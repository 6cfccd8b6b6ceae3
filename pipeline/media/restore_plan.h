// `remux --restore`: the geometry that undoes prep's on an edited clip, from prep's sidecar. The
// padding prep added is cropped away and the picture scaled back to the source's upright display
// size (or the part of it prep kept when it cropped), optionally capped at a height. The result
// stays upright with square pixels: rotation and anamorphic pixels are not put back, because
// players show it the same way and every editor reads it right.
#pragma once
#include "codecs/transcode.h"
#include "pipeline/media/prep_sidecar.h"

namespace omnicut {

struct RestorePlan {
  Geometry geometry;          // for transcode() on the edited clip
  int width = 0, height = 0;  // the restored picture
};

// `edited_width` x `edited_height` is the edited clip's picture (the model may return another
// size than prep sent: the crop scales with it). `max_height` 0 = no cap. Throws Error(usage)
// for a sidecar whose numbers do not describe a picture.
RestorePlan plan_restore(const PrepSidecar& sidecar, int edited_width, int edited_height, int max_height = 0);

}  // namespace omnicut
