// probe(), plan_prep() and prep(): the public faces of codecs/probe.h and pipeline/media/prep_*.h.
#include "api/endpoint_choice.h"
#include "codecs/probe.h"
#include "omnicut/prep.h"
#include "omnicut/probe.h"
#include "pipeline/media/prep_plan.h"
#include "pipeline/media/prep_stage.h"

namespace omnicut::api {
namespace {

VideoStream video_of(const VideoInfo& v) {
  VideoStream s;
  s.codec = v.codec;
  s.width = v.width, s.height = v.height;
  s.display_width = v.display_width, s.display_height = v.display_height;
  s.rotation = v.rotation;
  s.fps = v.fps;
  s.variable_frame_rate = v.vfr;
  s.hdr = v.hdr;
  s.pixel_format = v.pix_fmt;
  return s;
}

Verdict verdict_of(omnicut::Verdict v) {
  switch (v) {
    case omnicut::Verdict::ok: return Verdict::ok;
    case omnicut::Verdict::needs_prep: return Verdict::needs_prep;
    case omnicut::Verdict::unusable: break;
  }
  return Verdict::unusable;
}

PrepRequest request_of(const PrepOptions& o) {
  PrepRequest r;
  r.start = o.start, r.end = o.end, r.duration = o.duration;
  r.fit = o.fit == Fit::crop ? omnicut::Fit::crop : omnicut::Fit::pad;
  r.fps = o.fps;
  r.crf = o.crf;
  r.preset = o.preset;
  return r;
}

}  // namespace

ProbeResult probe(const std::string& path, const std::string& endpoint) {
  const Endpoint& ep = endpoint_named(endpoint);
  MediaInfo info = omnicut::probe(path);
  omnicut::PrepPlan plan = assess(info, ep);
  ProbeResult r;
  r.path = info.path;
  r.container = info.container;
  r.size = info.size;
  r.duration = info.duration;
  r.length = info.length;
  if (info.video) r.video = video_of(*info.video);
  for (const auto& a : info.audio) r.audio.push_back({a.codec, a.sample_rate, a.channels, a.language});
  r.verdict = verdict_of(plan.verdict);
  r.actions = plan.actions;
  r.unusable_reason = plan.unusable_reason;
  return r;
}

PrepPlan plan_prep(const std::string& input, const PrepOptions& options) {
  const Endpoint& ep = endpoint_named(options.endpoint);
  omnicut::PrepPlan plan = omnicut::plan_prep(omnicut::probe(input), ep, request_of(options));
  PrepPath path = choose_path(plan);
  PrepPlan p;
  p.verdict = verdict_of(plan.verdict);
  p.actions = plan.actions;
  p.start = plan.range_start, p.end = plan.range_end;
  p.width = plan.spec.geometry.out_width, p.height = plan.spec.geometry.out_height;
  p.fps = plan.spec.fps.value();
  p.copy_video = path.copy_video;
  p.reason = path.reason;
  return p;
}

PrepResult prep(const std::string& input, const std::string& output, const PrepOptions& options, ProgressCallback progress) {
  PrepOutcome o = run_prep(input, output, request_of(options), endpoint_named(options.endpoint), std::move(progress));
  PrepResult r;
  r.output = o.output;
  r.sidecar = o.sidecar;
  r.copied_video = o.path.copy_video;
  r.reason = o.path.reason;
  r.actions = o.plan.actions;
  r.width = o.width, r.height = o.height;
  r.fps = o.fps;
  r.duration = o.result.video_duration;
  r.has_audio = o.has_audio;
  r.size = o.size;
  return r;
}

}  // namespace omnicut::api
