#include "codecs/filtered_render.h"

#include <cmath>
#include <numbers>
#include <optional>

#include "codecs/audio_encoder.h"
#include "codecs/av_error.h"
#include "codecs/filter_graph.h"
#include "codecs/input.h"
#include "codecs/mp4_writer.h"
#include "common/interrupt.h"

namespace omnicut::av {
namespace {

constexpr int kToneChunk = 4096;  // samples per generated frame

class FilteredRenderer {
 public:
  explicit FilteredRenderer(const FilteredRender& spec) : spec_(spec), writer_(spec.output) {}
  FilteredRenderResult run();

 private:
  void open();
  void decode(AVPacket* pkt);
  void pull_video();
  void place_tone(int64_t until);
  void write_audio(bool final);
  int64_t samples_for_video() const;
  void report_progress();

  const FilteredRender& spec_;
  Mp4Writer writer_;
  OpenedMedia media_;
  CodecContext dec_;
  std::optional<FilterChain> filter_;
  std::optional<AudioEncoder> audio_;
  int audio_out_ = -1;
  int64_t origin_ticks_ = 0;
  int64_t video_end_ = 0;  // end of the last decoded picture, ticks after the origin
  int64_t frames_ = 0;
  double last_progress_ = -1;
  Frame frame_ = make_frame();
  Frame filtered_ = make_frame();
  Frame tone_ = make_frame();
};

void FilteredRenderer::open() {
  media_ = open_media(spec_.input);
  if (!media_.video) throw Error(ErrorKind::unsupported, spec_.input, "no video stream");
  origin_ticks_ = media_.ticks(media_.video, 0);
  dec_ = open_decoder(media_.video, spec_.input);
  filter_.emplace(FilterChain::video(dec_.get(), media_.video->time_base, spec_.video_filter, spec_.input));
  writer_.add_video_encoder({.width = filter_->output_width(),
                             .height = filter_->output_height(),
                             .fps = spec_.fps,
                             .crf = spec_.crf,
                             .preset = spec_.preset});
  if (spec_.tone) {
    audio_.emplace(spec_.tone->sample_rate, spec_.tone->channels, writer_.global_header(), spec_.output);
    audio_out_ = writer_.add_encoded(audio_->context());
  }
  writer_.start();
}

void FilteredRenderer::decode(AVPacket* pkt) {
  int ret = avcodec_send_packet(dec_.get(), pkt);
  // A damaged packet costs a picture, as in the ffmpeg CLI; the stream goes on.
  if (ret < 0 && ret != AVERROR_EOF && ret != AVERROR_INVALIDDATA)
    check(ret, ErrorKind::not_media, spec_.input, "decoding failed");
  while (true) {
    ret = avcodec_receive_frame(dec_.get(), frame_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    if (ret == AVERROR_INVALIDDATA) continue;
    check(ret, ErrorKind::not_media, spec_.input, "decoding failed");
    int64_t ts = frame_->best_effort_timestamp != AV_NOPTS_VALUE ? frame_->best_effort_timestamp : frame_->pts;
    frame_->pts = ts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : ts - origin_ticks_;
    if (frame_->pts != AV_NOPTS_VALUE) video_end_ = std::max(video_end_, frame_->pts + frame_->pkt_duration);
    filter_->push(frame_.get());
    av_frame_unref(frame_.get());
    pull_video();
  }
}

void FilteredRenderer::pull_video() {
  while (filter_->pull(filtered_.get())) {
    writer_.encode_video(filtered_.get());
    av_frame_unref(filtered_.get());
    ++frames_;
    report_progress();
  }
  write_audio(false);
}

int64_t FilteredRenderer::samples_for_video() const {
  return static_cast<int64_t>(std::llround(frames_ / spec_.fps.value() * spec_.tone->sample_rate));
}

// The tone is written only as far as the video, so that it ends exactly with it.
void FilteredRenderer::place_tone(int64_t until) {
  const Tone& t = *spec_.tone;
  while (audio_->placed() < until) {
    const int64_t first = audio_->placed();
    av_frame_unref(tone_.get());
    tone_->nb_samples = static_cast<int>(std::min<int64_t>(until - first, kToneChunk));
    tone_->format = AV_SAMPLE_FMT_FLTP;
    tone_->sample_rate = t.sample_rate;
    tone_->pts = first;
    check_internal(av_channel_layout_copy(&tone_->ch_layout, &audio_->context()->ch_layout), spec_.output,
                   "channel layout");
    check_internal(av_frame_get_buffer(tone_.get(), 0), spec_.output, "audio frame");
    for (int i = 0; i < tone_->nb_samples; ++i) {
      auto v = static_cast<float>(t.amplitude * std::sin(2 * std::numbers::pi * t.hz * double(first + i) / t.sample_rate));
      for (int c = 0; c < t.channels; ++c) reinterpret_cast<float*>(tone_->extended_data[c])[i] = v;
    }
    audio_->place(tone_.get());
  }
}

void FilteredRenderer::write_audio(bool final) {
  if (!audio_) return;
  auto sink = [&](AVPacket* p) {
    p->stream_index = audio_out_;
    av_packet_rescale_ts(p, audio_->context()->time_base, writer_.time_base(audio_out_));
    writer_.write(p);
  };
  const int64_t limit = samples_for_video();
  place_tone(limit);
  if (final) audio_->finish(limit, sink);
  else audio_->encode_until(limit, sink);
}

void FilteredRenderer::report_progress() {
  double done = frames_ / spec_.fps.value();
  if (!spec_.progress || done - last_progress_ < 0.2) return;
  last_progress_ = done;
  spec_.progress(done, media_.end());
}

FilteredRenderResult FilteredRenderer::run() {
  open();
  auto pkt = make_packet();
  while (!filter_->ended()) {
    if (interrupted()) throw Error(ErrorKind::interrupted, spec_.output, "interrupted");
    int ret = av_read_frame(media_.get(), pkt.get());
    if (ret == AVERROR_EOF) break;
    check(ret, ErrorKind::not_media, spec_.input, "cannot read packets");
    if (pkt->stream_index == media_.video->index) decode(pkt.get());
    av_packet_unref(pkt.get());
  }
  decode(nullptr);
  filter_->close(video_end_);  // keeps the last picture for the fps filter
  pull_video();
  if (frames_ == 0) throw Error(ErrorKind::unsupported, spec_.input, "no video frames could be decoded");
  write_audio(true);
  writer_.finish();
  return {.video_frames = writer_.video_frames(),
          .video_duration = static_cast<double>(writer_.video_frames()) / spec_.fps.value(),
          .audio_duration = audio_ ? static_cast<double>(audio_->encoded()) / spec_.tone->sample_rate : 0,
          .width = filter_->output_width(),
          .height = filter_->output_height()};
}

}  // namespace

FilteredRenderResult render_filtered(const FilteredRender& spec) {
  FilteredRenderer r(spec);
  return r.run();
}

}  // namespace omnicut::av
