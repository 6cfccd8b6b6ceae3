#include "emulator/render.h"

#include <cmath>
#include <filesystem>

#include "codecs/probe.h"
#include "codecs/transcode.h"
#include "common/error.h"
#include "emulator/looks.h"

namespace omnicut::emulator {

namespace {

int even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2)) * 2); }

// Fit the upright display picture inside the endpoint's canvas for its orientation, padded.
Geometry output_geometry(const VideoInfo& v, const Endpoint& endpoint) {
  bool portrait = v.display_height > v.display_width;
  Geometry g;
  g.rotation = v.rotation;
  g.mirrored = v.mirrored;
  g.sar = v.sar;
  g.out_width = portrait ? endpoint.short_side : endpoint.long_side;
  g.out_height = portrait ? endpoint.long_side : endpoint.short_side;
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

}  // namespace

RenderResult render_edit(const std::string& input, const std::string& output, const std::string& prompt,
                         const Endpoint& endpoint, const std::function<void(double, double)>& progress) {
  MediaInfo info = probe(input);
  if (!info.video) throw Error(ErrorKind::unsupported, input, "no video stream");
  if (!info.video->decodable) throw Error(ErrorKind::unsupported, input, "this FFmpeg cannot decode " + info.video->codec);
  Look look = look_for_prompt(prompt);

  TranscodeSpec spec;
  spec.input = input;
  spec.output = output;
  spec.video_stream = info.video->index;
  spec.geometry = output_geometry(*info.video, endpoint);
  spec.fps = {static_cast<int>(std::lround(endpoint.output_fps)), 1};
  spec.crf = 23;
  spec.preset = "veryfast";
  spec.tonemap = info.video->hdr;
  spec.look_filter = look.filter;
  spec.audio_stream = -1;
  spec.synth_audio = true;
  spec.progress = progress;
  TranscodeResult done = transcode(spec);

  return {.look = look.name,
          .input_duration = info.video->duration > 0 ? info.video->duration : info.duration,
          .input_has_audio = !info.audio.empty(),
          .output_duration = done.video_duration,
          .width = spec.geometry.out_width,
          .height = spec.geometry.out_height};
}

}  // namespace omnicut::emulator
