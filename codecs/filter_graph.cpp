#include "codecs/filter_graph.h"

#include "codecs/av_error.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
}

namespace omnicut::av {
namespace {

std::string rational(AVRational r) { return std::to_string(r.num) + "/" + std::to_string(r.den); }

}  // namespace

FilterChain FilterChain::video(const AVCodecContext* dec, AVRational time_base, const std::string& chain,
                               const std::string& subject, int threads) {
  AVRational sar = dec->sample_aspect_ratio.num > 0 ? dec->sample_aspect_ratio : AVRational{1, 1};
  std::string args = "video_size=" + std::to_string(dec->width) + "x" + std::to_string(dec->height) +
                     ":pix_fmt=" + std::to_string(dec->pix_fmt) + ":time_base=" + rational(time_base) +
                     ":pixel_aspect=" + rational(sar);
  if (dec->framerate.num > 0) args += ":frame_rate=" + rational(dec->framerate);
  FilterChain f(subject);
  f.build("buffer", args, "buffersink", chain, threads);
  return f;
}

FilterChain FilterChain::audio(const AVCodecContext* dec, AVRational time_base, const std::string& chain,
                               const std::string& subject, int frame_size) {
  char layout[128] = {};
  AVChannelLayout ch = {};
  if (dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&ch, dec->ch_layout.nb_channels);
  else av_channel_layout_copy(&ch, &dec->ch_layout);
  av_channel_layout_describe(&ch, layout, sizeof layout);
  av_channel_layout_uninit(&ch);
  std::string args = "time_base=" + rational(time_base) + ":sample_rate=" + std::to_string(dec->sample_rate) +
                     ":sample_fmt=" + av_get_sample_fmt_name(dec->sample_fmt) + ":channel_layout=" + layout;
  FilterChain f(subject);
  f.build("abuffer", args, "abuffersink", chain, 1);
  if (frame_size > 0) av_buffersink_set_frame_size(f.sink_, static_cast<unsigned>(frame_size));
  return f;
}

void FilterChain::build(const char* source, const std::string& source_args, const char* sink,
                        const std::string& chain, int threads) {
  graph_.reset(avfilter_graph_alloc());
  if (!graph_) throw Error(ErrorKind::internal, subject_, "out of memory for a filter graph");
  graph_->nb_threads = threads;
  // The ffmpeg CLI scales with bicubic; the same here keeps quality (and benchmarks) comparable.
  graph_->scale_sws_opts = av_strdup("flags=bicubic");
  check_internal(avfilter_graph_create_filter(&source_, avfilter_get_by_name(source), "in", source_args.c_str(),
                                              nullptr, graph_.get()),
                 subject_, std::string("filter source (") + source_args + ")");
  check_internal(avfilter_graph_create_filter(&sink_, avfilter_get_by_name(sink), "out", nullptr, nullptr,
                                              graph_.get()),
                 subject_, "filter sink");
  if (chain.empty()) {
    check_internal(avfilter_link(source_, 0, sink_, 0), subject_, "filter link");
  } else {
    AVFilterInOut* outputs = avfilter_inout_alloc();
    AVFilterInOut* inputs = avfilter_inout_alloc();
    if (!outputs || !inputs) throw Error(ErrorKind::internal, subject_, "out of memory for a filter graph");
    outputs->name = av_strdup("in"), outputs->filter_ctx = source_, outputs->pad_idx = 0, outputs->next = nullptr;
    inputs->name = av_strdup("out"), inputs->filter_ctx = sink_, inputs->pad_idx = 0, inputs->next = nullptr;
    int ret = avfilter_graph_parse_ptr(graph_.get(), chain.c_str(), &inputs, &outputs, nullptr);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    check(ret, ErrorKind::unsupported, subject_, "cannot build filters \"" + chain + "\"");
  }
  check(avfilter_graph_config(graph_.get(), nullptr), ErrorKind::unsupported, subject_,
        "cannot configure filters \"" + chain + "\"");
}

void FilterChain::push(AVFrame* frame) {
  int ret = av_buffersrc_add_frame_flags(source_, frame, 0);
  check(ret, ErrorKind::unsupported, subject_, "filtering failed");
}

void FilterChain::close(int64_t pts) {
  check(av_buffersrc_close(source_, pts, AV_BUFFERSRC_FLAG_PUSH), ErrorKind::unsupported, subject_, "filtering failed");
}

bool FilterChain::pull(AVFrame* out) {
  int ret = av_buffersink_get_frame(sink_, out);
  if (ret == AVERROR(EAGAIN)) return false;
  if (ret == AVERROR_EOF) {
    ended_ = true;
    return false;
  }
  check(ret, ErrorKind::unsupported, subject_, "filtering failed");
  return true;
}

AVRational FilterChain::output_time_base() const { return av_buffersink_get_time_base(sink_); }
AVRational FilterChain::output_frame_rate() const { return av_buffersink_get_frame_rate(sink_); }
int FilterChain::output_width() const { return av_buffersink_get_w(sink_); }
int FilterChain::output_height() const { return av_buffersink_get_h(sink_); }

}  // namespace omnicut::av
