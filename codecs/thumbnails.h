// A contact sheet: evenly spaced frames of a clip tiled into one PNG. The video is decoded
// forward from tile to tile, with a seek only where a keyframe lies between the frames decoded
// and the next tile, so no frame is decoded twice and a long GOP is never decoded again per tile.
// Tiles are upright as a player displays them: the display matrix's mirror and rotation are
// applied (a phone's portrait clip gives portrait tiles).
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace omnicut {

struct ContactSheetSpec {
  std::string input;
  std::string output;      // PNG, written atomically
  int cols = 4, rows = 3;
  int tile_width = 320;    // each tile's width; the height follows the upright display aspect ratio
  // The part of the clip the tiles are spaced over, seconds after the origin (default: all of it).
  std::optional<double> start, end;
  // Also a poster: the middle tile's frame, this wide, as its own PNG (from the same decode).
  std::string poster;
  int poster_width = 640;
};

struct ContactSheet {
  std::string output;
  int width = 0, height = 0;          // of the sheet
  int tile_width = 0, tile_height = 0;
  std::vector<double> times;          // seconds after the origin (codecs/input.h), one per tile, row by row
  int frames_decoded = 0;             // pictures the decoder returned, all tiles (and the poster) together
  int poster_width = 0, poster_height = 0;  // 0 without a poster
};

// Throws omnicut::Error: usage (cols/rows/width out of range), not_found/not_media, unsupported
// (no decodable video), output.
ContactSheet make_contact_sheet(const ContactSheetSpec& spec);

}  // namespace omnicut
