#include "codecs/prep_filters.h"

#include <vector>

namespace omnicut {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

// Undo the display matrix: mirror first, then the clockwise rotation (codecs/media_info.h).
// A mirror followed by a quarter turn is one transpose variant, so no extra pass is spent on it.
std::vector<std::string> upright(const Geometry& g) {
  switch (((g.rotation % 360) + 360) % 360) {
    case 90: return {g.mirrored ? "transpose=clock_flip" : "transpose=clock"};
    case 180: return g.mirrored ? std::vector<std::string>{"vflip"} : std::vector<std::string>{"hflip", "vflip"};
    case 270: return {g.mirrored ? "transpose=cclock_flip" : "transpose=cclock"};
    default: return g.mirrored ? std::vector<std::string>{"hflip"} : std::vector<std::string>{};
  }
}

// The crop is given in square-pixel coordinates; it is applied to the upright but still
// anamorphic picture, so that the single scale that follows also makes the pixels square
// (one resampling pass instead of two).
std::string crop_filter(const Geometry& g) {
  const Rect& r = *g.crop;
  bool quarter_turn = ((g.rotation % 180) + 180) % 180 == 90;
  double sar = g.sar.num > 0 && g.sar.den > 0 ? g.sar.value() : 1.0;
  double horizontal = quarter_turn ? 1.0 : 1.0 / sar;  // stored pixels per square pixel, across
  double vertical = quarter_turn ? 1.0 / sar : 1.0;    // and down (a quarter turn swaps the axes)
  auto px = [](double v) { return std::to_string(static_cast<long>(v + 0.5)); };
  return "crop=" + px(r.width * horizontal) + ":" + px(r.height * vertical) + ":" + px(r.x * horizontal) + ":" +
         px(r.y * vertical) + ":exact=1";
}

// PQ/HLG to SDR BT.709 through linear light with zimg (the Hable curve, as mpv and most guides
// use), then back to limited-range 4:2:0.
const char* kToneMap =
    "zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,"
    "zscale=t=bt709:m=bt709:r=tv";

}  // namespace

std::string video_filters(const TranscodeSpec& spec, Rational fps) {
  const Geometry& g = spec.geometry;
  // The frame rate first: frames before the range start and frames a lower rate drops are
  // discarded before any pixel work is spent on them.
  std::vector<std::string> parts{"fps=" + std::to_string(fps.num) + "/" + std::to_string(fps.den) + ":start_time=0"};
  for (auto& p : upright(g)) parts.push_back(p);
  if (g.crop) parts.push_back(crop_filter(g));
  if (g.scale_width > 0 && g.scale_height > 0) {
    parts.push_back("scale=" + std::to_string(g.scale_width) + ":" + std::to_string(g.scale_height) +
                    ":out_range=tv");
  }
  if (spec.tonemap) parts.push_back(kToneMap);
  if (g.out_width > g.scale_width || g.out_height > g.scale_height) {
    parts.push_back("pad=" + std::to_string(g.out_width) + ":" + std::to_string(g.out_height) +
                    ":(ow-iw)/2:(oh-ih)/2:black");
  }
  parts.push_back("setsar=1");
  parts.push_back("format=yuv420p");
  return join(parts);
}

std::string upright_filters(const Geometry& g) { return join(upright(g)); }

std::string hdr_to_sdr_filters() { return kToneMap; }

std::string audio_filters(const TranscodeSpec& spec) {
  std::string layout = spec.channels == 1 ? "mono" : spec.channels == 2 ? "stereo" : std::to_string(spec.channels) + "c";
  return "aresample=" + std::to_string(spec.sample_rate) + ",aformat=sample_fmts=fltp:sample_rates=" +
         std::to_string(spec.sample_rate) + ":channel_layouts=" + layout;
}

}  // namespace omnicut
