#include "emulator/render.h"

#include <cmath>
#include <vector>

#include "codecs/filtered_render.h"
#include "codecs/prep_filters.h"
#include "codecs/probe.h"
#include "common/error.h"
#include "emulator/looks.h"

namespace omnicut::emulator {

namespace {

int even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2)) * 2); }

// Fit the upright display picture inside the output size's canvas for its orientation, padded.
Geometry output_geometry(const VideoInfo& v, const OutputSize& size) {
  bool portrait = v.display_height > v.display_width;
  Geometry g;
  g.rotation = v.rotation;
  g.mirrored = v.mirrored;
  g.sar = v.sar;
  g.out_width = portrait ? size.short_side : size.long_side;
  g.out_height = portrait ? size.long_side : size.short_side;
  double aspect = v.display_height > 0 ? static_cast<double>(v.display_width) / v.display_height : 16.0 / 9;
  if (aspect >= static_cast<double>(g.out_width) / g.out_height) {
    g.scale_width = g.out_width;
    g.scale_height = std::min(g.out_height, even(g.out_width / aspect));
  } else {
    g.scale_height = g.out_height;
    g.scale_width = std::min(g.out_width, even(g.out_height * aspect));
  }
  return g;
}

// The model's picture: its frame rate, upright, scaled into the canvas (square pixels), SDR,
// padded, then the look; the frame rate first so that no pixel work is spent on dropped frames.
std::string edit_filters(const VideoInfo& v, const Geometry& g, Rational fps, const std::string& look, const TimeFault& time) {
  auto n = [](int x) { return std::to_string(x); };
  std::vector<std::string> parts;
  if (time.retime > 0 && time.retime != 1) parts.push_back("setpts=" + std::to_string(time.retime) + "*PTS");
  parts.push_back("fps=" + n(fps.num) + "/" + n(fps.den) + ":start_time=0");
  if (time.shift_s > 0) parts.push_back("tpad=start_duration=" + std::to_string(time.shift_s) + ":start_mode=clone");
  if (auto upright = upright_filters(g); !upright.empty()) parts.push_back(upright);
  parts.push_back("scale=" + n(g.scale_width) + ":" + n(g.scale_height) + ":out_range=tv");
  if (v.hdr) parts.push_back(hdr_to_sdr_filters());
  if (g.out_width > g.scale_width || g.out_height > g.scale_height)
    parts.push_back("pad=" + n(g.out_width) + ":" + n(g.out_height) + ":(ow-iw)/2:(oh-ih)/2:black");
  parts.push_back("setsar=1");
  parts.push_back(look);
  parts.push_back("format=yuv420p");
  std::string chain;
  for (const auto& p : parts) chain += (chain.empty() ? "" : ",") + p;
  return chain;
}

}  // namespace

RenderResult render_edit(const std::string& input, const std::string& output, const std::string& prompt,
                         const Endpoint& endpoint, const OutputSize& size,
                         const std::function<void(double, double)>& progress, const TimeFault& time) {
  MediaInfo info = probe(input);
  if (!info.video) throw Error(ErrorKind::unsupported, input, "no video stream");
  if (!info.video->decodable) throw Error(ErrorKind::unsupported, input, "this FFmpeg cannot decode " + info.video->codec);
  Look look = look_for_prompt(prompt);
  Geometry geometry = output_geometry(*info.video, size);

  av::FilteredRender spec;
  spec.input = input;
  spec.output = output;
  spec.fps = {static_cast<int>(std::lround(endpoint.output_fps)), 1};
  spec.video_filter = edit_filters(*info.video, geometry, spec.fps, look.filter, time);
  spec.crf = 23;
  // Above 720p the stand-in's look matters less than keeping a 4k render of a test clip quick.
  spec.preset = size.short_side > 720 ? "ultrafast" : "veryfast";
  spec.tone = av::Tone{};  // the model re-synthesises the soundtrack: a steady 440 Hz stands in
  spec.progress = progress;
  av::FilteredRenderResult done = av::render_filtered(spec);

  return {.look = look.name,
          .input_duration = info.video->duration > 0 ? info.video->duration : info.duration,
          .input_has_audio = !info.audio.empty(),
          .output_duration = done.video_duration,
          .file_duration = std::max(done.video_duration, done.audio_duration),
          .width = done.width,
          .height = done.height};
}

}  // namespace omnicut::emulator
