#include "codecs/audio_range.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "codecs/av_error.h"
#include "codecs/input.h"
#include "common/interrupt.h"

extern "C" {
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/samplefmt.h>
}

namespace omnicut {
namespace {

constexpr int kAacFrame = 1024;

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f s", s);
  return buf;
}

void seek_before(AVFormatContext* in, AVStream* st, double seconds) {
  int64_t ts = static_cast<int64_t>(std::floor(std::max(0.0, seconds) / av_q2d(st->time_base)));
  // A failed seek (unseekable input) just means reading from the beginning.
  if (av_seek_frame(in, st->index, ts, AVSEEK_FLAG_BACKWARD) < 0) av_seek_frame(in, st->index, 0, AVSEEK_FLAG_BACKWARD);
}

// Packet copy is only exact when the range starts and ends on packet edges and needs no
// silence: then the copied packets are the range, sample for sample.
std::optional<EncodedAudio> try_copy(AVFormatContext* in, AVStream* st, const AudioRangeSpec& spec,
                                     std::string& why_not) {
  if (st->codecpar->codec_id != AV_CODEC_ID_AAC) {
    why_not = std::string(avcodec_get_name(st->codecpar->codec_id)) + " is not AAC: re-encoded to AAC-LC";
    return std::nullopt;
  }
  if (spec.total - spec.length > kPacketBoundaryTolerance) {
    why_not = "the range is " + seconds_text(spec.total - spec.length) + " short of the video: re-encoded with silence";
    return std::nullopt;
  }
  const double tol = kPacketBoundaryTolerance;
  const double first = spec.origin + spec.start, last = first + spec.length;
  seek_before(in, st, first - 1.0);
  EncodedAudio out;
  auto pkt = av::make_packet();
  double expected = first;
  int64_t shift = AV_NOPTS_VALUE;
  while (av_read_frame(in, pkt.get()) >= 0) {
    if (pkt->stream_index != st->index) {
      av_packet_unref(pkt.get());
      continue;
    }
    if (pkt->pts == AV_NOPTS_VALUE || pkt->duration <= 0) {
      why_not = "AAC packets without timestamps: re-encoded";
      return std::nullopt;
    }
    double t = pkt->pts * av_q2d(st->time_base), end = (pkt->pts + pkt->duration) * av_q2d(st->time_base);
    if (end <= first + tol) {
      av_packet_unref(pkt.get());
      continue;
    }
    if (std::abs(t - expected) > tol) {
      why_not = shift == AV_NOPTS_VALUE
                    ? "the cut at " + seconds_text(spec.start) + " falls inside an AAC packet: re-encoded to AAC-LC"
                    : "the source's AAC packets are not contiguous: re-encoded to AAC-LC";
      return std::nullopt;
    }
    if (end > last + tol) {
      why_not = "the end at " + seconds_text(spec.start + spec.length) + " falls inside an AAC packet: re-encoded to AAC-LC";
      return std::nullopt;
    }
    if (shift == AV_NOPTS_VALUE) shift = pkt->pts;
    auto copy = av::make_packet();
    av_packet_move_ref(copy.get(), pkt.get());
    av_packet_free_side_data(copy.get());  // no priming skip: the copy starts on a whole packet
    copy->pts -= shift;
    copy->dts = copy->pts;
    copy->pos = -1;
    out.packets.push_back(std::move(copy));
    expected = end;
    if (std::abs(end - last) <= tol) break;
  }
  if (std::abs(expected - last) > tol) {
    why_not = "the source's audio ends before the range does: re-encoded with silence";
    return std::nullopt;
  }
  out.params.reset(avcodec_parameters_alloc());
  if (!out.params) throw Error(ErrorKind::internal, spec.source, "out of memory");
  av::check_internal(avcodec_parameters_copy(out.params.get(), st->codecpar), spec.source, "copy audio parameters");
  out.params->codec_tag = 0;
  out.params->initial_padding = 0;  // the priming packet is not part of the copy
  out.params->trailing_padding = 0;
  out.time_base = st->time_base;
  out.copied = true;
  out.duration = spec.length;
  out.reason = "AAC cut on packet boundaries: copied";
  return out;
}

// Decoded samples at the source's rate pass through swr (format, rate, layout) into a FIFO at the
// encoder's; the cut is counted in source samples so that it is exact before any resampling.
class RangeEncoder {
 public:
  RangeEncoder(AVFormatContext* in, AVStream* st, const AudioRangeSpec& spec) : in_(in), st_(st), spec_(spec) {}

  EncodedAudio run(std::string reason) {
    open_decoder();
    seek_before(in_, st_, spec_.origin + spec_.start - 0.5);
    decode_range();
    open_encoder_if_needed(nullptr);
    flush_resampler();
    EncodedAudio out = encode_all();
    out.reason = std::move(reason);
    return out;
  }

 private:
  void open_decoder() {
    const AVCodec* codec = avcodec_find_decoder(st_->codecpar->codec_id);
    if (!codec) throw Error(ErrorKind::unsupported, spec_.source, "no decoder for its audio");
    dec_.reset(avcodec_alloc_context3(codec));
    av::check_internal(avcodec_parameters_to_context(dec_.get(), st_->codecpar), spec_.source, "decoder parameters");
    dec_->pkt_timebase = st_->time_base;
    av::check(avcodec_open2(dec_.get(), codec, nullptr), ErrorKind::unsupported, spec_.source, "cannot open audio decoder");
  }

  // The output keeps the source's rate and layout when AAC takes them, else 48 kHz stereo.
  void open_encoder_if_needed(const AVFrame* first) {
    if (enc_) return;
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!codec) throw Error(ErrorKind::unsupported, spec_.source, "this FFmpeg has no AAC encoder");
    int in_rate = first ? first->sample_rate : (dec_->sample_rate > 0 ? dec_->sample_rate : 48000);
    AVChannelLayout in_layout{};
    if (first && first->ch_layout.nb_channels > 0) av_channel_layout_copy(&in_layout, &first->ch_layout);
    else if (dec_->ch_layout.nb_channels > 0) av_channel_layout_copy(&in_layout, &dec_->ch_layout);
    else av_channel_layout_default(&in_layout, 2);
    if (in_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&in_layout, in_layout.nb_channels);
    auto in_fmt = first ? static_cast<AVSampleFormat>(first->format) : dec_->sample_fmt;
    if (in_fmt == AV_SAMPLE_FMT_NONE) in_fmt = AV_SAMPLE_FMT_FLTP;

    enc_.reset(avcodec_alloc_context3(codec));
    enc_->sample_rate = supported_rate(codec, in_rate) ? in_rate : 48000;
    if (supported_layout(codec, in_layout)) av_channel_layout_copy(&enc_->ch_layout, &in_layout);
    else av_channel_layout_default(&enc_->ch_layout, 2);
    enc_->sample_fmt = AV_SAMPLE_FMT_FLTP;
    enc_->time_base = {1, enc_->sample_rate};
    enc_->bit_rate = 64000LL * std::min(enc_->ch_layout.nb_channels, 6);
    enc_->profile = FF_PROFILE_AAC_LOW;
    enc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av::check(avcodec_open2(enc_.get(), codec, nullptr), ErrorKind::internal, spec_.source, "cannot open AAC encoder");

    SwrContext* raw = nullptr;
    av::check_internal(swr_alloc_set_opts2(&raw, &enc_->ch_layout, enc_->sample_fmt, enc_->sample_rate, &in_layout,
                                           in_fmt, in_rate, 0, nullptr),
                       spec_.source, "resampler options");
    swr_.reset(raw);
    av::check_internal(swr_init(swr_.get()), spec_.source, "resampler");
    fifo_ = FifoPtr(av_audio_fifo_alloc(enc_->sample_fmt, enc_->ch_layout.nb_channels, kAacFrame));
    if (!fifo_) throw Error(ErrorKind::internal, spec_.source, "out of memory");
    in_rate_ = in_rate, in_fmt_ = in_fmt, in_channels_ = in_layout.nb_channels;
    av_channel_layout_uninit(&in_layout);
    want_ = std::llround((spec_.origin + spec_.start) * in_rate_);
    stop_ = want_ + std::llround(spec_.length * in_rate_);
  }

  static bool supported_rate(const AVCodec* codec, int rate) {
    if (!codec->supported_samplerates) return true;
    for (const int* r = codec->supported_samplerates; *r; ++r)
      if (*r == rate) return true;
    return false;
  }
  static bool supported_layout(const AVCodec* codec, const AVChannelLayout& layout) {
    if (!codec->ch_layouts) return layout.nb_channels <= 2;
    for (const AVChannelLayout* l = codec->ch_layouts; l->nb_channels; ++l)
      if (!av_channel_layout_compare(l, &layout)) return true;
    return false;
  }

  void decode_range() {
    auto pkt = av::make_packet();
    auto frame = av::make_frame();
    bool done = false;
    while (!done) {
      if (interrupted()) throw Error(ErrorKind::interrupted, spec_.source, "interrupted");
      int ret = av_read_frame(in_, pkt.get());
      if (ret < 0) {
        avcodec_send_packet(dec_.get(), nullptr);
        done = true;
      } else if (pkt->stream_index != st_->index) {
        av_packet_unref(pkt.get());
        continue;
      } else {
        ret = avcodec_send_packet(dec_.get(), pkt.get());
        av_packet_unref(pkt.get());
        if (ret < 0 && ret != AVERROR(EAGAIN)) continue;  // a damaged packet: its samples become a gap
      }
      while (avcodec_receive_frame(dec_.get(), frame.get()) >= 0) {
        bool enough = take_frame(frame.get());
        av_frame_unref(frame.get());
        if (enough) return;
      }
    }
  }

  // Returns true once the range is complete.
  bool take_frame(AVFrame* f) {
    open_encoder_if_needed(f);
    // frame->pts, not best_effort_timestamp: only pts moves past the samples the decoder skips
    // (AAC priming, Opus pre-skip).
    int64_t ts = f->pts != AV_NOPTS_VALUE ? f->pts : f->best_effort_timestamp;
    int64_t pos = ts == AV_NOPTS_VALUE ? next_ : av_rescale_q(ts, st_->time_base, {1, in_rate_});
    // Timestamps in coarse time bases (Matroska's 1 ms) wobble; keep the running count unless
    // the jump is real.
    if (next_ != AV_NOPTS_VALUE && std::llabs(pos - next_) <= std::max<int64_t>(in_rate_ / 500, 1)) pos = next_;
    next_ = pos + f->nb_samples;
    if (pos > want_) push_silence(std::min(pos, stop_) - want_);
    int64_t offset = want_ - pos;
    int64_t take = std::min<int64_t>(f->nb_samples - offset, stop_ - want_);
    if (offset >= 0 && take > 0) {
      const uint8_t* planes[AV_NUM_DATA_POINTERS] = {};
      int bps = av_get_bytes_per_sample(static_cast<AVSampleFormat>(f->format));
      bool planar = av_sample_fmt_is_planar(static_cast<AVSampleFormat>(f->format));
      int nplanes = planar ? f->ch_layout.nb_channels : 1;
      int step = planar ? bps : bps * f->ch_layout.nb_channels;
      for (int p = 0; p < nplanes && p < AV_NUM_DATA_POINTERS; ++p) planes[p] = f->extended_data[p] + offset * step;
      convert(planes, static_cast<int>(take));
      want_ += take;
      used_ += take;
    }
    return want_ >= stop_;
  }

  void push_silence(int64_t samples) {
    if (samples <= 0) return;
    uint8_t** buf = nullptr;
    const int chunk = 4096;
    av::check_internal(av_samples_alloc_array_and_samples(&buf, nullptr, in_channels_, chunk, in_fmt_, 0),
                       spec_.source, "silence buffer");
    av_samples_set_silence(buf, 0, chunk, in_channels_, in_fmt_);
    for (int64_t left = samples; left > 0; left -= chunk)
      convert(const_cast<const uint8_t**>(buf), static_cast<int>(std::min<int64_t>(left, chunk)));
    av_freep(&buf[0]);
    av_freep(&buf);
    want_ += samples;
  }

  void convert(const uint8_t** in, int count) {
    int cap = swr_get_out_samples(swr_.get(), count);
    if (cap <= 0) cap = count;
    uint8_t** out = nullptr;
    av::check_internal(av_samples_alloc_array_and_samples(&out, nullptr, enc_->ch_layout.nb_channels, cap,
                                                          enc_->sample_fmt, 0),
                       spec_.source, "resample buffer");
    int got = swr_convert(swr_.get(), out, cap, in, count);
    if (got > 0) av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(out), got);
    av_freep(&out[0]);
    av_freep(&out);
    av::check_internal(got, spec_.source, "resample");
  }

  void flush_resampler() {
    if (want_ < stop_) {
      source_ended_early_ = true;
      push_silence(stop_ - want_);
    }
    while (swr_get_delay(swr_.get(), enc_->sample_rate) > 0) {
      int before = av_audio_fifo_size(fifo_.get());
      convert(nullptr, 0);
      if (av_audio_fifo_size(fifo_.get()) == before) break;
    }
  }

  EncodedAudio encode_all() {
    EncodedAudio out;
    const int64_t total = std::llround(spec_.total * enc_->sample_rate);
    auto frame = av::make_frame();
    for (int64_t pos = 0; pos < total; pos += kAacFrame) {
      if (interrupted()) throw Error(ErrorKind::interrupted, spec_.source, "interrupted");
      int n = static_cast<int>(std::min<int64_t>(kAacFrame, total - pos));
      frame->nb_samples = n;
      frame->format = enc_->sample_fmt;
      frame->sample_rate = enc_->sample_rate;
      av_channel_layout_copy(&frame->ch_layout, &enc_->ch_layout);
      av::check_internal(av_frame_get_buffer(frame.get(), 0), spec_.source, "audio frame");
      int got = av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->extended_data), n);
      if (got < n)
        av_samples_set_silence(frame->extended_data, std::max(got, 0), n - std::max(got, 0),
                               enc_->ch_layout.nb_channels, enc_->sample_fmt);
      frame->pts = pos;
      av::check_internal(avcodec_send_frame(enc_.get(), frame.get()), spec_.source, "encode audio");
      av_frame_unref(frame.get());
      drain(out);
    }
    av::check_internal(avcodec_send_frame(enc_.get(), nullptr), spec_.source, "flush audio encoder");
    drain(out);
    out.params.reset(avcodec_parameters_alloc());
    if (!out.params) throw Error(ErrorKind::internal, spec_.source, "out of memory");
    av::check_internal(avcodec_parameters_from_context(out.params.get(), enc_.get()), spec_.source, "AAC parameters");
    out.time_base = enc_->time_base;
    out.duration = static_cast<double>(total) / enc_->sample_rate;
    double real = static_cast<double>(used_) / in_rate_;
    out.padded = std::max(0.0, spec_.total - real);
    if (out.padded < 0.5 / in_rate_) out.padded = 0;
    return out;
  }

  void drain(EncodedAudio& out) {
    while (true) {
      auto pkt = av::make_packet();
      int ret = avcodec_receive_packet(enc_.get(), pkt.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
      av::check_internal(ret, spec_.source, "encode audio");
      out.packets.push_back(std::move(pkt));
    }
  }

  struct FifoDeleter {
    void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
  };
  using FifoPtr = std::unique_ptr<AVAudioFifo, FifoDeleter>;

  AVFormatContext* in_;
  AVStream* st_;
  const AudioRangeSpec& spec_;
  av::CodecContext dec_, enc_;
  av::Swr swr_;
  FifoPtr fifo_;
  int in_rate_ = 0, in_channels_ = 0;
  AVSampleFormat in_fmt_ = AV_SAMPLE_FMT_NONE;
  int64_t want_ = 0, stop_ = 0, used_ = 0, next_ = AV_NOPTS_VALUE;
  bool source_ended_early_ = false;
};

}  // namespace

EncodedAudio cut_audio_range(const AudioRangeSpec& spec) {
  auto in = av::open_input(spec.source);
  return cut_audio_range(in.get(), spec);
}

EncodedAudio cut_audio_range(AVFormatContext* in, const AudioRangeSpec& spec) {
  if (spec.stream < 0 || spec.stream >= static_cast<int>(in->nb_streams))
    throw Error(ErrorKind::internal, spec.source, "no audio stream " + std::to_string(spec.stream));
  for (unsigned i = 0; i < in->nb_streams; ++i)
    in->streams[i]->discard = static_cast<int>(i) == spec.stream ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
  AVStream* st = in->streams[spec.stream];
  std::string why_not;
  auto copied = try_copy(in, st, spec, why_not);
  EncodedAudio out = copied ? std::move(*copied) : RangeEncoder(in, st, spec).run(why_not);
  out.source_codec = avcodec_get_name(st->codecpar->codec_id);
  return out;
}

}  // namespace omnicut
