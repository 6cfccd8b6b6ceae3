#include "pipeline/media/prep_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace omnicut {
namespace {

constexpr int kMinSide = 16;       // below this no encoder or model makes sense of the picture
constexpr int kMaxSide = 16384;    // beyond H.264 level limits and any real camera
constexpr double kAspectSlack = 0.01;  // aspect differences below 1% are scaled, not padded

template <typename... Args>
std::string format(const char* fmt, Args... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

int even_down(double v) { return std::max(2, static_cast<int>(std::floor(v / 2)) * 2); }
int even_near(double v) { return std::max(2, static_cast<int>(std::lround(v / 2)) * 2); }

// "4:3", "16:9", "9:16"... for the usual shapes, else "1.85:1".
std::string aspect_name(int w, int h) {
  static const std::pair<int, int> known[] = {{16, 9}, {9, 16}, {4, 3}, {3, 4}, {1, 1}, {21, 9}, {9, 21},
                                              {3, 2}, {2, 3}, {5, 4}, {4, 5}, {2, 1}, {1, 2}};
  double r = static_cast<double>(w) / h;
  for (auto [a, b] : known)
    if (std::abs(r / (static_cast<double>(a) / b) - 1) < kAspectSlack) return format("%d:%d", a, b);
  return r >= 1 ? format("%.2f:1", r) : format("1:%.2f", 1 / r);
}

// A constant rate as an exact fraction: NTSC rates as N*1000/1001, others to the millihertz.
Rational to_rational(double fps) {
  if (fps <= 0) return {0, 1};
  if (std::abs(fps - std::round(fps)) < 0.001) return {static_cast<int>(std::lround(fps)), 1};
  double ntsc = fps * 1001 / 1000;
  if (std::abs(ntsc - std::round(ntsc)) < 0.01) return {static_cast<int>(std::lround(ntsc)) * 1000, 1001};
  int num = static_cast<int>(std::lround(fps * 1000)), den = 1000;
  int g = std::gcd(num, den);
  return {num / g, den / g};
}

std::string fps_text(double fps) {
  if (std::abs(fps - std::round(fps)) < 0.001) return format("%.0f", fps);
  std::string s = format("%.2f", fps);  // 29.97, 12.5
  return s.back() == '0' ? s.substr(0, s.size() - 1) : s;
}

std::string why_unusable(const MediaInfo& info) {
  if (!info.video) return info.audio.empty() ? "no video stream" : "no video stream (audio only)";
  const VideoInfo& v = *info.video;
  if (!v.decodable) return "the video codec (" + v.codec + ") cannot be decoded by this FFmpeg";
  if (v.width < kMinSide || v.height < kMinSide || v.width > kMaxSide || v.height > kMaxSide)
    return format("absurd picture size %dx%d (each side must be %d to %d pixels)", v.width, v.height, kMinSide, kMaxSide);
  return "";
}

std::string orientation_action(const VideoInfo& v) {
  if (v.rotation && v.mirrored) return format("rotate %d° and mirror", v.rotation);
  if (v.rotation) return format("rotate %d°", v.rotation);
  if (v.mirrored) return "mirror";
  return "";
}

// Fit the upright square-pixel picture into the endpoint's frame: letterbox/pillarbox or crop.
Geometry plan_geometry(const VideoInfo& v, int dw, int dh, int ow, int oh, Fit fit, std::vector<std::string>& actions) {
  Geometry g;
  g.rotation = v.rotation;
  g.mirrored = v.mirrored;
  g.sar = v.sar;
  g.out_width = g.scale_width = ow;
  g.out_height = g.scale_height = oh;
  double src = static_cast<double>(dw) / dh, dst = static_cast<double>(ow) / oh;
  bool same_shape = std::abs(src / dst - 1) < kAspectSlack;
  if (!same_shape && fit == Fit::pad) {
    double k = std::min(static_cast<double>(ow) / dw, static_cast<double>(oh) / dh);
    g.scale_width = std::min(ow, even_near(dw * k));
    g.scale_height = std::min(oh, even_near(dh * k));
    actions.push_back("pad " + aspect_name(dw, dh) + " to " + aspect_name(ow, oh));
  } else if (!same_shape) {
    Rect r{0, 0, even_down(dw), even_down(dh)};
    if (src > dst) r.width = std::min(r.width, even_near(dh * dst));
    else r.height = std::min(r.height, even_near(dw / dst));
    // Offsets even too, so 4:2:0 chroma stays aligned with luma.
    r.x = (dw - r.width) / 2 / 2 * 2;
    r.y = (dh - r.height) / 2 / 2 * 2;
    g.crop = r;
    actions.push_back("crop " + aspect_name(dw, dh) + " to " + aspect_name(ow, oh));
  }
  if (g.scale_width != dw || g.scale_height != dh)
    actions.push_back(format("scale %dx%d to %dx%d", dw, dh, g.scale_width, g.scale_height));
  return g;
}

void plan_pixels(const VideoInfo& v, PrepPlan& p) {
  if (v.bit_depth > 8) p.actions.push_back(format("%d-bit to 8-bit", v.bit_depth));
  bool yuv420 = v.pix_fmt == "yuv420p" || v.pix_fmt == "yuvj420p" || v.pix_fmt.rfind("yuv420p1", 0) == 0;
  if (!yuv420 && !v.pix_fmt.empty()) p.actions.push_back("convert " + v.pix_fmt + " to yuv420p");
  if (v.color_range == "pc") p.actions.push_back("full range to limited range");
  if (v.hdr) {
    p.actions.push_back("tone-map HDR");
    p.spec.tonemap = true;
  }
}

void plan_rate(const VideoInfo& v, const Endpoint& ep, const PrepRequest& req, PrepPlan& p) {
  double source = v.vfr ? v.peak_fps : v.fps;
  double target = std::min(source, ep.max_fps);
  if (req.fps) {
    if (*req.fps <= 0 || *req.fps > ep.max_fps)
      throw Error(ErrorKind::usage, "--fps", format("%g is outside 1 to %g (the endpoint's maximum)", *req.fps, ep.max_fps));
    target = *req.fps;
  }
  p.spec.fps = to_rational(target);
  if (v.vfr) p.actions.push_back("variable frame rate to constant " + fps_text(target) + " fps");
  else if (source > 0 && std::abs(source - target) > 0.001)
    p.actions.push_back("frame rate " + fps_text(source) + " to " + fps_text(target) + " fps");
}

std::string video_copy_blocker(const VideoInfo& v, const PrepPlan& p, const Endpoint& ep) {
  const Geometry& g = p.spec.geometry;
  if (std::find(ep.video_codecs.begin(), ep.video_codecs.end(), v.codec) == ep.video_codecs.end())
    return "video codec " + v.codec + " is not " + ep.video_codecs.front();
  if (v.pix_fmt != "yuv420p") return "pixel format " + v.pix_fmt + " is not yuv420p";
  if (v.hdr) return "HDR needs tone-mapping";
  if (v.rotation || v.mirrored) return "the picture must be rotated or mirrored";
  if (!(v.sar == Rational{1, 1})) return format("pixels are not square (SAR %d:%d)", v.sar.num, v.sar.den);
  if (v.width != g.out_width || v.height != g.out_height)
    return format("video is %dx%d, not %dx%d", v.width, v.height, g.out_width, g.out_height);
  if (v.vfr) return "variable frame rate";
  if (std::abs(p.spec.fps.value() - v.fps) > 0.001) return "the frame rate changes";
  return "";
}

void plan_audio(const MediaInfo& info, PrepPlan& p) {
  p.audio_complies = true;
  for (const AudioInfo& a : info.audio) {
    if (!a.decodable) {
      p.actions.push_back(format("ignore undecodable audio track %d", a.index));
    } else if (p.spec.audio_stream >= 0) {
      p.actions.push_back(format("drop extra audio track %d", a.index));
    } else {
      p.spec.audio_stream = a.index;
      p.audio_complies = a.codec == "aac" && a.sample_rate == p.spec.sample_rate && a.channels == p.spec.channels;
      if (!p.audio_complies)
        p.actions.push_back(format("audio %s %d Hz %s to AAC-LC 48 kHz stereo", a.codec.c_str(), a.sample_rate,
                                   a.layout.empty() ? format("%d ch", a.channels).c_str() : a.layout.c_str()));
    }
  }
}

bool container_complies(const MediaInfo& info, const Endpoint& ep) {
  for (const auto& c : ep.containers)
    if (info.container.find(c) != std::string::npos) return true;
  return false;
}

// Everything but the time range: geometry, pixels, rate, streams, verdict inputs.
PrepPlan plan_streams(const MediaInfo& info, const Endpoint& ep, const PrepRequest& req) {
  PrepPlan p;
  p.spec.input = info.path;
  p.spec.crf = req.crf;
  p.spec.preset = req.preset;
  p.unusable_reason = why_unusable(info);
  if (!p.unusable_reason.empty()) {
    p.verdict = Verdict::unusable;
    p.copy_blocker = p.unusable_reason;
    return p;
  }
  const VideoInfo& v = *info.video;
  p.spec.video_stream = v.index;
  p.display_width = v.display_width > 0 ? v.display_width : v.width;
  p.display_height = v.display_height > 0 ? v.display_height : v.height;
  bool portrait = p.display_height > p.display_width;
  int ow = portrait ? ep.short_side : ep.long_side, oh = portrait ? ep.long_side : ep.short_side;
  if (auto o = orientation_action(v); !o.empty()) p.actions.push_back(o);
  if (!(v.sar == Rational{1, 1})) p.actions.push_back(format("make pixels square (SAR %d:%d)", v.sar.num, v.sar.den));
  p.spec.geometry = plan_geometry(v, p.display_width, p.display_height, ow, oh, req.fit, p.actions);
  plan_pixels(v, p);
  plan_rate(v, ep, req, p);
  if (v.codec != "h264") p.actions.push_back("re-encode " + v.codec + " to H.264");
  if (!container_complies(info, ep)) p.actions.push_back("write MP4 instead of " + info.container);
  plan_audio(info, p);
  std::string video_blocker = video_copy_blocker(v, p, ep);
  p.video_complies = video_blocker.empty();
  p.copy_blocker = !video_blocker.empty() ? video_blocker : p.audio_complies ? "" : "audio is not AAC 48 kHz stereo";
  return p;
}

// Ranges run from the origin to the end of the video (MediaInfo::length); a MediaInfo built by
// hand (tests) may give only the container's duration.
double file_duration(const MediaInfo& info) {
  if (info.length > 0) return info.length;
  if (info.duration > 0) return info.duration;
  return info.video ? info.video->duration : 0;
}

int segments_for(double length, double max) { return std::max(1, static_cast<int>(std::ceil(length / max - 1e-9))); }

void finish_verdict(PrepPlan& p) {
  if (p.verdict != Verdict::unusable) p.verdict = p.actions.empty() ? Verdict::ok : Verdict::needs_prep;
}

}  // namespace

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::ok: return "ok";
    case Verdict::needs_prep: return "needs_prep";
    case Verdict::unusable: return "unusable";
  }
  return "unusable";
}

PrepPlan assess(const MediaInfo& info, const Endpoint& ep) {
  PrepPlan p = plan_streams(info, ep, PrepRequest{});
  double length = file_duration(info);
  p.range_start = 0;
  p.range_end = length;
  p.segments_needed = segments_for(length, ep.max_duration);
  if (p.verdict != Verdict::unusable && length < ep.min_duration) {
    p.verdict = Verdict::unusable;
    p.unusable_kind = ErrorKind::too_long;
    p.unusable_reason = format("%.2f s is shorter than the endpoint's %g s minimum", length, ep.min_duration);
  } else if (p.verdict != Verdict::unusable && length > ep.max_duration) {
    p.actions.insert(p.actions.begin(), format("trim %.1f s to %g s, or split into %d segments", length,
                                               ep.max_duration, p.segments_needed));
  }
  finish_verdict(p);
  return p;
}

PrepPlan plan_prep(const MediaInfo& info, const Endpoint& ep, const PrepRequest& req) {
  PrepPlan p = plan_streams(info, ep, req);
  if (p.verdict == Verdict::unusable) throw Error(ErrorKind::unsupported, info.path, p.unusable_reason);
  if (req.end && req.duration) throw Error(ErrorKind::usage, info.path, "give --end or --duration, not both");
  const double length = file_duration(info);
  const double start = req.start.value_or(0);
  const double end = req.end ? *req.end : req.duration ? start + *req.duration : length;
  const bool trimmed = req.start || req.end || req.duration;
  const double slack = 1e-3;  // container durations are rounded to the millisecond
  if (start < 0 || start >= length)
    throw Error(ErrorKind::usage, info.path, format("--start %.2f s is outside the file (0 to %.2f s)", start, length));
  if (end <= start) throw Error(ErrorKind::usage, info.path, format("the range %.2f-%.2f s is empty", start, end));
  if (end > length + slack)
    throw Error(ErrorKind::usage, info.path, format("the range ends at %.2f s, past the end of the file (%.2f s)", end, length));
  p.range_start = start;
  p.range_end = std::min(end, length);
  const double span = p.range_end - p.range_start;
  p.segments_needed = segments_for(span, ep.max_duration);
  if (span > ep.max_duration + slack) {
    std::string what = trimmed ? format("the range %.2f-%.2f s (%.2f s)", p.range_start, p.range_end, span) : format("%.2f s", span);
    throw Error(ErrorKind::too_long, info.path,
                format("%s is longer than the endpoint's %g s limit: trim with --start %g --end %g (or --duration %g), or split into %d segments",
                       what.c_str(), ep.max_duration, p.range_start, p.range_start + ep.max_duration, ep.max_duration,
                       p.segments_needed));
  }
  if (span < ep.min_duration - slack) {
    std::string what = trimmed ? format("the range %.2f-%.2f s (%.2f s)", p.range_start, p.range_end, span) : format("%.2f s", span);
    throw Error(ErrorKind::too_long, info.path, format("%s is shorter than the endpoint's %g s minimum", what.c_str(), ep.min_duration));
  }
  p.spec.start = p.range_start;
  if (p.range_end < length - slack) p.spec.end = p.range_end;
  if (p.range_start > 0 || p.spec.end)
    p.actions.insert(p.actions.begin(), format("trim to %.2f-%.2f s", p.range_start, p.range_end));
  finish_verdict(p);
  return p;
}

}  // namespace omnicut
