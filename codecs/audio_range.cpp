#include "codecs/audio_range.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "codecs/av_error.h"
#include "codecs/filter_graph.h"
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

// To a packet at or before `seconds` on the container's clock. Not clamped at zero: a source's
// first packet (its encoder's priming, the copy's pre-roll) may lie before it. Before the first
// packet, or on an unseekable input, back to the very first packet.
void seek_before(AVFormatContext* in, AVStream* st, double seconds) {
  int64_t ts = static_cast<int64_t>(std::floor(seconds / av_q2d(st->time_base)));
  if (av_seek_frame(in, st->index, ts, AVSEEK_FLAG_BACKWARD) < 0)
    av_seek_frame(in, st->index, INT64_MIN, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY);
}

// An AAC-LC encoder at `rate` and `layout`, raw packets with the configuration in extradata.
av::CodecContext open_aac_encoder(int rate, const AVChannelLayout& layout, const std::string& subject) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) throw Error(ErrorKind::unsupported, subject, "this FFmpeg has no AAC encoder");
  av::CodecContext enc(avcodec_alloc_context3(codec));
  if (!enc) throw Error(ErrorKind::internal, subject, "out of memory for an AAC encoder");
  enc->sample_rate = rate;
  av::check_internal(av_channel_layout_copy(&enc->ch_layout, &layout), subject, "channel layout");
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
  enc->time_base = {1, rate};
  enc->bit_rate = 64000LL * std::min(layout.nb_channels, 6);
  enc->profile = FF_PROFILE_AAC_LOW;
  enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av::check(avcodec_open2(enc.get(), codec, nullptr), ErrorKind::internal, subject, "cannot open AAC encoder");
  return enc;
}

// Raw AAC frames decode under any AudioSpecificConfig with the same object type, rate index,
// channel configuration and GASpecificConfig bits (frame length 1024, no core coder): compare the
// first two bytes, and refuse the escape codes and PCE layouts this comparison cannot cover.
bool same_simple_aac_config(const AVCodecParameters* a, const AVCodecContext* b) {
  auto simple = [](const uint8_t* d, int size) {
    return d && size >= 2 && (d[0] >> 3) != 31 && (((d[0] & 7) << 1) | (d[1] >> 7)) != 15 && ((d[1] >> 3) & 15) != 0;
  };
  return simple(a->extradata, a->extradata_size) && simple(b->extradata, b->extradata_size) &&
         a->extradata[0] == b->extradata[0] && a->extradata[1] == b->extradata[1];
}

// `count` packets of silence the source's decoder takes as its own: AAC-LC with the source's
// rate, layout and configuration; nullopt when the encoder cannot match it.
std::optional<std::vector<av::Packet>> aac_silence(const AVCodecParameters* source, int64_t count,
                                                   const std::string& subject) {
  AVChannelLayout layout{};
  if (source->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&layout, source->ch_layout.nb_channels);
  else av::check_internal(av_channel_layout_copy(&layout, &source->ch_layout), subject, "channel layout");
  av::CodecContext enc;
  try {
    enc = open_aac_encoder(source->sample_rate, layout, subject);
  } catch (const Error&) {
    av_channel_layout_uninit(&layout);
    return std::nullopt;  // a rate or layout AAC-LC has no configuration for
  }
  av_channel_layout_uninit(&layout);
  if (!same_simple_aac_config(source, enc.get()) || enc->frame_size != kAacFrame) return std::nullopt;
  std::vector<av::Packet> out;
  auto frame = av::make_frame();
  auto receive = [&] {
    for (auto pkt = av::make_packet(); avcodec_receive_packet(enc.get(), pkt.get()) >= 0; pkt = av::make_packet())
      out.push_back(std::move(pkt));
  };
  for (int64_t sent = 0; static_cast<int64_t>(out.size()) < count; ++sent) {
    frame->nb_samples = kAacFrame;
    frame->format = enc->sample_fmt;
    frame->sample_rate = enc->sample_rate;
    av::check_internal(av_channel_layout_copy(&frame->ch_layout, &enc->ch_layout), subject, "channel layout");
    av::check_internal(av_frame_get_buffer(frame.get(), 0), subject, "audio frame");
    av_samples_set_silence(frame->extended_data, 0, kAacFrame, enc->ch_layout.nb_channels, enc->sample_fmt);
    frame->pts = sent * kAacFrame;
    av::check_internal(avcodec_send_frame(enc.get(), frame.get()), subject, "encode silence");
    av_frame_unref(frame.get());
    receive();
  }
  out.resize(static_cast<size_t>(count));
  return out;
}

std::string ms_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", s * 1000);
  return buf;
}

std::string retiming_text(const AudioRangeSpec& spec) {
  char buf[96];
  std::string t;
  if (spec.lead > 0) t = "delayed by " + ms_text(spec.lead);
  if (spec.tempo != 1) {
    std::snprintf(buf, sizeof buf, "%s %.2f %%", spec.tempo < 1 ? "slowed by" : "sped up by", std::fabs(1 / spec.tempo - 1) * 100);
    t += (t.empty() ? "" : ", ") + std::string(buf);
  }
  return t;
}

// The source's AAC packets over the range, in samples of the source's rate (see the header).
class AacCopy {
 public:
  AacCopy(av::OpenedMedia& source, const AudioRangeSpec& spec)
      : src_(source), st_(source.audio), rate_(st_->codecpar->sample_rate) {
    first_ = std::llround((src_.origin + spec.start) * rate_);
    content_end_ = first_ + std::llround(spec.length * rate_);
    end_ = first_ + std::llround(spec.total * rate_);
    // A video a sample or so longer than the range (rounding) takes the source's next samples.
    if (end_ - content_end_ <= rate_ / 2000) content_end_ = end_;
  }

  // nullopt, with `why_not` set, when the range cannot be copied.
  std::optional<EncodedAudio> run(std::string& why_not) {
    if (st_->codecpar->codec_id != AV_CODEC_ID_AAC)
      return fail(why_not, std::string(avcodec_get_name(st_->codecpar->codec_id)) +
                               " audio: re-encoded to AAC-LC (only AAC is copied into MP4 as it is)");
    if (!st_->codecpar->extradata_size) return fail(why_not, "AAC without an AudioSpecificConfig: re-encoded to AAC-LC");
    if (std::string why = read_packets(); !why.empty()) return fail(why_not, why);
    int64_t covered = position_ + last_duration();
    bool silence = content_end_ < end_ || covered < content_end_;
    int64_t edge = covered;
    if (silence && covered >= content_end_) {
      // Ends on the packet edge nearest the range's end, then silence.
      const int64_t last_start = covered - last_duration();
      if (content_end_ - last_start < last_duration() / 2 && packets_.size() > 1 && last_start > first_) {
        packets_.pop_back();
        edge = last_start;
      }
      if (edge >= end_) silence = false;  // the snap reaches the video's end: no silence needed
    }
    EncodedAudio out = finish_copy();
    double padded = 0;
    if (silence) {
      auto pad = aac_silence(st_->codecpar, (end_ - edge + kAacFrame - 1) / kAacFrame, src_.path);
      if (!pad) return fail(why_not, "the AAC configuration (HE-AAC or an unusual layout) has no matching silence "
                                     "for the padding: re-encoded to AAC-LC");
      append(out, *pad, edge - first_);
      padded = static_cast<double>(end_ - edge) / rate_;
    }
    set_track_end(out);
    out.padded = padded;
    out.duration = static_cast<double>(end_ - first_) / rate_;
    out.reason = silence ? copied_with_silence(edge, covered, padded) : "AAC copied packet for packet, cut to the sample by the MP4 edit list";
    return out;
  }

 private:
  static std::nullopt_t fail(std::string& why_not, std::string why) {
    why_not = std::move(why);
    return std::nullopt;
  }

  int64_t samples(int64_t ts) const { return av_rescale_q(ts, st_->time_base, {1, rate_}); }
  int64_t last_duration() const { return durations_.back(); }

  // From the packet before the range's first sample (the decoder's pre-roll, skipped on
  // playback) to the one holding the content's end, or to the source's end. Returns why the
  // packets cannot be copied, "" when they can.
  std::string read_packets() {
    seek_before(src_.get(), st_, static_cast<double>(first_) / rate_ - 1.0);
    const int64_t wobble = std::max(rate_ / 1000, 1);  // Matroska's millisecond timestamps
    av::Packet preroll;
    int64_t preroll_at = 0, preroll_duration = 0, next = AV_NOPTS_VALUE;
    for (auto pkt = av::make_packet(); av_read_frame(src_.get(), pkt.get()) >= 0; av_packet_unref(pkt.get())) {
      if (interrupted()) throw Error(ErrorKind::interrupted, src_.path, "interrupted");
      if (pkt->stream_index != st_->index) continue;
      if (pkt->pts == AV_NOPTS_VALUE || pkt->duration <= 0)
        return "AAC packets without timestamps or durations: re-encoded to AAC-LC";
      int64_t at = samples(pkt->pts), duration = samples(pkt->duration);
      if (next != AV_NOPTS_VALUE && std::llabs(at - next) <= wobble) at = next;
      bool contiguous = next != AV_NOPTS_VALUE && at == next;
      next = at + duration;
      if (at + duration <= first_) {
        preroll = av::make_packet();
        av_packet_move_ref(preroll.get(), pkt.get());
        preroll_at = at, preroll_duration = duration;
        continue;
      }
      if (packets_.empty()) {
        if (at > first_ + wobble)
          return "the source's audio starts " + ms_text(static_cast<double>(at - first_) / rate_) +
                 " after the range does: re-encoded with silence in front";
        if (preroll && contiguous) keep(std::move(preroll), preroll_at, preroll_duration);
      } else if (!contiguous) {
        return "the source's AAC packets have a gap in the range: re-encoded to AAC-LC";
      }
      auto copy = av::make_packet();
      av_packet_move_ref(copy.get(), pkt.get());
      keep(std::move(copy), at, duration);
      if (at + duration >= content_end_) break;
    }
    if (packets_.empty() || position_ + last_duration() <= first_)
      return "the source has no audio in the range: re-encoded to silence";
    return "";
  }

  void keep(av::Packet pkt, int64_t at, int64_t duration) {
    av_packet_free_side_data(pkt.get());  // the source's own priming skip no longer applies
    pkt->flags &= ~AV_PKT_FLAG_DISCARD;
    pkt->pos = -1;
    packets_.push_back(std::move(pkt));
    starts_.push_back(at);
    durations_.push_back(duration);
    position_ = at;
  }

  EncodedAudio finish_copy() {
    EncodedAudio out;
    for (size_t i = 0; i < packets_.size(); ++i) {
      AVPacket* p = packets_[i].get();
      p->pts = p->dts = starts_[i] - first_;
      p->duration = durations_[i];
      out.packets.push_back(std::move(packets_[i]));
    }
    out.params.reset(avcodec_parameters_alloc());
    if (!out.params) throw Error(ErrorKind::internal, src_.path, "out of memory");
    av::check_internal(avcodec_parameters_copy(out.params.get(), st_->codecpar), src_.path, "copy audio parameters");
    out.params->codec_tag = 0;
    out.params->initial_padding = 0;  // the edit list says what to skip
    out.params->trailing_padding = 0;
    out.time_base = {1, rate_};
    out.copied = true;
    return out;
  }

  static void append(EncodedAudio& out, std::vector<av::Packet>& silence, int64_t at) {
    for (auto& p : silence) {
      p->pts = p->dts = at;
      p->duration = kAacFrame;
      p->pos = -1;
      at += kAacFrame;
      out.packets.push_back(std::move(p));
    }
  }

  // The last packet's duration ends the track (the muxer's edit list) at the video's length.
  void set_track_end(EncodedAudio& out) const {
    AVPacket* last = out.packets.back().get();
    last->duration = std::max<int64_t>(1, end_ - first_ - last->pts);
  }

  std::string copied_with_silence(int64_t edge, int64_t covered, double padded) const {
    double snap = static_cast<double>(edge - content_end_) / rate_;
    std::string why = covered < content_end_ ? "the source's audio ends before the range does"
                                             : "the video lasts longer than the range";
    return "AAC copied packet for packet to the packet edge " + ms_text(std::abs(snap)) +
           (snap < 0 ? " before" : " after") + " the range's end, then " + ms_text(padded) +
           " of AAC silence: " + why;
  }

  av::OpenedMedia& src_;
  AVStream* st_;
  int rate_;
  int64_t first_ = 0, content_end_ = 0, end_ = 0;  // samples on the source's clock
  std::vector<av::Packet> packets_;
  std::vector<int64_t> starts_, durations_;
  int64_t position_ = 0;  // start of the last packet kept
};

// Decoded samples at the source's rate pass through swr (format, rate, layout) into a FIFO at the
// encoder's; the cut is counted in source samples so that it is exact before any resampling.
class RangeEncoder {
 public:
  RangeEncoder(av::OpenedMedia& source, const AudioRangeSpec& spec)
      : in_(source.get()), st_(source.audio), spec_(spec), subject_(source.path), origin_(source.origin) {}

  EncodedAudio run(std::string reason) {
    dec_ = av::open_decoder(st_, subject_, {.threads = false});
    seek_before(in_, st_, origin_ + spec_.start - 0.5);
    decode_range();
    open_encoder_if_needed(nullptr);
    flush_resampler();
    apply_tempo();
    prepend_silence(std::llround(spec_.lead * enc_->sample_rate));
    EncodedAudio out = encode_all();
    out.reason = std::move(reason);
    return out;
  }

 private:
  // The output keeps the source's rate and layout when AAC takes them, else 48 kHz stereo.
  void open_encoder_if_needed(const AVFrame* first) {
    if (enc_) return;
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!codec) throw Error(ErrorKind::unsupported, subject_, "this FFmpeg has no AAC encoder");
    int in_rate = first ? first->sample_rate : (dec_->sample_rate > 0 ? dec_->sample_rate : 48000);
    AVChannelLayout in_layout{};
    if (first && first->ch_layout.nb_channels > 0) av_channel_layout_copy(&in_layout, &first->ch_layout);
    else if (dec_->ch_layout.nb_channels > 0) av_channel_layout_copy(&in_layout, &dec_->ch_layout);
    else av_channel_layout_default(&in_layout, 2);
    if (in_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&in_layout, in_layout.nb_channels);
    auto in_fmt = first ? static_cast<AVSampleFormat>(first->format) : dec_->sample_fmt;
    if (in_fmt == AV_SAMPLE_FMT_NONE) in_fmt = AV_SAMPLE_FMT_FLTP;

    AVChannelLayout stereo{};
    av_channel_layout_default(&stereo, 2);
    enc_ = open_aac_encoder(supported_rate(codec, in_rate) ? in_rate : 48000,
                            supported_layout(codec, in_layout) ? in_layout : stereo, subject_);

    SwrContext* raw = nullptr;
    av::check_internal(swr_alloc_set_opts2(&raw, &enc_->ch_layout, enc_->sample_fmt, enc_->sample_rate, &in_layout,
                                           in_fmt, in_rate, 0, nullptr),
                       subject_, "resampler options");
    swr_.reset(raw);
    av::check_internal(swr_init(swr_.get()), subject_, "resampler");
    fifo_ = FifoPtr(av_audio_fifo_alloc(enc_->sample_fmt, enc_->ch_layout.nb_channels, kAacFrame));
    if (!fifo_) throw Error(ErrorKind::internal, subject_, "out of memory");
    in_rate_ = in_rate, in_fmt_ = in_fmt, in_channels_ = in_layout.nb_channels;
    av_channel_layout_uninit(&in_layout);
    want_ = std::llround((origin_ + spec_.start) * in_rate_);
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
      if (interrupted()) throw Error(ErrorKind::interrupted, subject_, "interrupted");
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
                       subject_, "silence buffer");
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
                       subject_, "resample buffer");
    int got = swr_convert(swr_.get(), out, cap, in, count);
    if (got > 0) av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(out), got);
    av_freep(&out[0]);
    av_freep(&out);
    av::check_internal(got, subject_, "resample");
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

  // The cut range through atempo (pitch kept), back into the FIFO at its new length.
  void apply_tempo() {
    if (spec_.tempo == 1) return;
    char chain[96];
    std::snprintf(chain, sizeof chain, "atempo=%.6f,aformat=sample_fmts=%s", spec_.tempo,
                  av_get_sample_fmt_name(enc_->sample_fmt));
    auto filter = av::FilterChain::audio(enc_.get(), {1, enc_->sample_rate}, chain, subject_, kAacFrame);
    FifoPtr stretched(av_audio_fifo_alloc(enc_->sample_fmt, enc_->ch_layout.nb_channels, kAacFrame));
    if (!stretched) throw Error(ErrorKind::internal, subject_, "out of memory");
    auto in = av::make_frame(), out = av::make_frame();
    auto take = [&] {
      while (filter.pull(out.get())) {
        av_audio_fifo_write(stretched.get(), reinterpret_cast<void**>(out->extended_data), out->nb_samples);
        av_frame_unref(out.get());
      }
    };
    for (int64_t pts = 0; av_audio_fifo_size(fifo_.get()) > 0;) {
      int n = std::min(kAacFrame, av_audio_fifo_size(fifo_.get()));
      fill_frame(in.get(), n);
      av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(in->extended_data), n);
      in->pts = pts;
      pts += n;
      filter.push(in.get());
      take();
    }
    filter.push(nullptr);
    take();
    fifo_ = std::move(stretched);
  }

  void prepend_silence(int64_t samples) {
    if (samples <= 0) return;
    FifoPtr led(av_audio_fifo_alloc(enc_->sample_fmt, enc_->ch_layout.nb_channels,
                                    static_cast<int>(samples) + av_audio_fifo_size(fifo_.get())));
    if (!led) throw Error(ErrorKind::internal, subject_, "out of memory");
    auto frame = av::make_frame();
    fill_frame(frame.get(), static_cast<int>(samples));
    av_samples_set_silence(frame->extended_data, 0, frame->nb_samples, enc_->ch_layout.nb_channels, enc_->sample_fmt);
    av_audio_fifo_write(led.get(), reinterpret_cast<void**>(frame->extended_data), frame->nb_samples);
    auto rest = av::make_frame();
    if (int n = av_audio_fifo_size(fifo_.get()); n > 0) {
      fill_frame(rest.get(), n);
      av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(rest->extended_data), n);
      av_audio_fifo_write(led.get(), reinterpret_cast<void**>(rest->extended_data), n);
    }
    fifo_ = std::move(led);
  }

  // A writable frame of `n` samples in the encoder's format.
  void fill_frame(AVFrame* frame, int n) {
    av_frame_unref(frame);
    frame->nb_samples = n;
    frame->format = enc_->sample_fmt;
    frame->sample_rate = enc_->sample_rate;
    av_channel_layout_copy(&frame->ch_layout, &enc_->ch_layout);
    av::check_internal(av_frame_get_buffer(frame, 0), subject_, "audio frame");
  }

  EncodedAudio encode_all() {
    EncodedAudio out;
    const int64_t total = std::llround(spec_.total * enc_->sample_rate);
    auto frame = av::make_frame();
    for (int64_t pos = 0; pos < total; pos += kAacFrame) {
      if (interrupted()) throw Error(ErrorKind::interrupted, subject_, "interrupted");
      int n = static_cast<int>(std::min<int64_t>(kAacFrame, total - pos));
      fill_frame(frame.get(), n);
      int got = av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->extended_data), n);
      if (got < n)
        av_samples_set_silence(frame->extended_data, std::max(got, 0), n - std::max(got, 0),
                               enc_->ch_layout.nb_channels, enc_->sample_fmt);
      frame->pts = pos;
      av::check_internal(avcodec_send_frame(enc_.get(), frame.get()), subject_, "encode audio");
      av_frame_unref(frame.get());
      drain(out);
    }
    av::check_internal(avcodec_send_frame(enc_.get(), nullptr), subject_, "flush audio encoder");
    drain(out);
    out.params.reset(avcodec_parameters_alloc());
    if (!out.params) throw Error(ErrorKind::internal, subject_, "out of memory");
    av::check_internal(avcodec_parameters_from_context(out.params.get(), enc_.get()), subject_, "AAC parameters");
    out.time_base = enc_->time_base;
    out.duration = static_cast<double>(total) / enc_->sample_rate;
    double real = spec_.lead + static_cast<double>(used_) / in_rate_ / spec_.tempo;
    out.padded = std::max(0.0, spec_.total - real);
    if (out.padded < 0.5 / in_rate_) out.padded = 0;
    return out;
  }

  void drain(EncodedAudio& out) {
    while (true) {
      auto pkt = av::make_packet();
      int ret = avcodec_receive_packet(enc_.get(), pkt.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
      av::check_internal(ret, subject_, "encode audio");
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
  std::string subject_;
  double origin_;
  av::CodecContext dec_, enc_;
  av::Swr swr_;
  FifoPtr fifo_;
  int in_rate_ = 0, in_channels_ = 0;
  AVSampleFormat in_fmt_ = AV_SAMPLE_FMT_NONE;
  int64_t want_ = 0, stop_ = 0, used_ = 0, next_ = AV_NOPTS_VALUE;
  bool source_ended_early_ = false;
};

}  // namespace

EncodedAudio cut_audio_range(av::OpenedMedia& source, const AudioRangeSpec& spec) {
  AVStream* st = source.audio;
  if (!st) throw Error(ErrorKind::internal, source.path, "no decodable audio stream to cut");
  AVFormatContext* in = source.get();
  for (unsigned i = 0; i < in->nb_streams; ++i)
    in->streams[i]->discard = static_cast<int>(i) == st->index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
  std::string why_not;
  std::optional<EncodedAudio> copied;
  if (spec.lead > 0 || spec.tempo != 1) why_not = "laid to match the edited picture (" + retiming_text(spec) + "): re-encoded to AAC-LC";
  else copied = AacCopy(source, spec).run(why_not);
  EncodedAudio out = copied ? std::move(*copied) : RangeEncoder(source, spec).run(why_not);
  out.source_codec = avcodec_get_name(st->codecpar->codec_id);
  return out;
}

}  // namespace omnicut
