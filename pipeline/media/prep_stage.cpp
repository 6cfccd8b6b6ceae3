#include "pipeline/media/prep_stage.h"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "codecs/keyframes.h"
#include "codecs/probe.h"
#include "common/error.h"
#include "pipeline/media/prep_sidecar.h"

namespace omnicut {
namespace fs = std::filesystem;
namespace {

void refuse_overwriting_input(const std::string& input, const std::string& output) {
  std::error_code ec;
  bool same = fs::exists(output, ec) && fs::equivalent(input, output, ec);
  if (same || fs::weakly_canonical(input, ec) == fs::weakly_canonical(output, ec))
    throw Error(ErrorKind::usage, output, "the output would overwrite the input; choose another -o");
  if (fs::is_directory(output, ec)) throw Error(ErrorKind::usage, output, "is a directory; -o takes a file name");
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

std::string audio_copy_reason(const PrepPlan& plan, const CutPoints& cut) {
  if (plan.spec.audio_stream < 0) return "";
  if (!plan.audio_complies) return "audio re-encoded to AAC-LC 48 kHz stereo";
  if (!cut.audio_start_aligned || !cut.audio_end_aligned) return "audio re-encoded: the cut splits an AAC packet";
  return "";
}

PrepSidecar sidecar_for(const PrepOutcome& o) {
  PrepSidecar s;
  s.source = o.input;
  s.start = o.plan.range_start;
  s.end = o.plan.range_end;
  s.geometry = o.plan.spec.geometry;
  s.source_display_width = o.plan.display_width;
  s.source_display_height = o.plan.display_height;
  s.fps = o.fps;
  s.path = o.path.copy_video ? "copy" : "encode";
  return s;
}

}  // namespace

PrepPath choose_path(const PrepPlan& plan) {
  PrepPath p;
  const TranscodeSpec& s = plan.spec;
  if (!plan.video_complies) {
    p.reason = plan.copy_blocker.empty() ? "the video needs re-encoding" : plan.copy_blocker;
    // The sound does not depend on the picture: a complying track cut on packet boundaries is
    // copied beside the re-encoded video (lossless, and no AAC encode: the ffmpeg CLI's -c:a aac
    // costs about 5% of this prep's CPU).
    if (s.audio_stream >= 0 && plan.audio_complies)
      p.copy_audio = audio_copy_reason(plan, find_cut_points(s.input, -1, s.audio_stream, s.start, s.end)).empty();
    return p;
  }
  CutPoints cut = find_cut_points(s.input, s.video_stream, s.audio_stream, s.start, s.end);
  if (!cut.start_on_keyframe) {
    p.reason = "the start " + seconds_text(s.start) + " s is not on a keyframe (the one before is at " +
               seconds_text(cut.keyframe_before) + " s)";
    return p;
  }
  if (!cut.end_on_keyframe) {
    p.reason = "the end is not on a keyframe";
    return p;
  }
  p.copy_video = true;
  std::string audio = audio_copy_reason(plan, cut);
  p.copy_audio = s.audio_stream >= 0 && audio.empty();
  p.reason = "the source range already complies and starts on a keyframe" + (audio.empty() ? "" : "; " + audio);
  return p;
}

PrepOutcome run_prep(const std::string& input, const std::string& output, const PrepRequest& request,
                     const Endpoint& endpoint, std::function<void(double, double)> progress) {
  refuse_overwriting_input(input, output);  // before the probe: the first thing wrong is said first
  return run_prep(plan_prep(probe(input), endpoint, request), output, std::move(progress));
}

PrepOutcome run_prep(const PrepPlan& plan, const std::string& output, std::function<void(double, double)> progress) {
  refuse_overwriting_input(plan.spec.input, output);
  PrepOutcome o;
  o.input = plan.spec.input;
  o.output = output;
  o.plan = plan;
  o.path = choose_path(o.plan);
  TranscodeSpec spec = o.plan.spec;
  spec.output = output;
  spec.copy_video = o.path.copy_video;
  spec.copy_audio = o.path.copy_audio;
  spec.progress = std::move(progress);
  o.result = transcode(spec);
  const Geometry& g = spec.geometry;
  o.width = g.out_width;
  o.height = g.out_height;
  o.fps = spec.fps.value();
  o.has_audio = spec.audio_stream >= 0;
  o.size = fs::file_size(output);
  o.sidecar = sidecar_path(output).string();
  o.sidecar_record = sidecar_for(o);
  try {
    write_sidecar(output, o.sidecar_record);
  } catch (...) {
    std::error_code ec;
    fs::remove(output, ec);  // a clip without its sidecar cannot be restored: leave neither
    throw;
  }
  return o;
}

nlohmann::json prep_json(const PrepOutcome& o) {
  return {{"input", o.input},
          {"output", o.output},
          {"path", o.path.copy_video ? "copy" : "encode"},
          {"reason", o.path.reason},
          {"audio", !o.has_audio ? "none" : o.path.copy_audio ? "copy" : "encode"},
          {"start", o.plan.range_start},
          {"end", o.plan.range_end},
          {"duration", o.result.video_duration},
          {"audio_duration", o.result.audio_duration},
          {"frames", o.result.video_frames},
          {"width", o.width},
          {"height", o.height},
          {"fps", o.fps},
          {"size", o.size},
          {"actions", o.plan.actions},
          {"sidecar", o.sidecar}};
}

}  // namespace omnicut
