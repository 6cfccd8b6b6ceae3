#include "codecs/audio_encoder.h"

#include <algorithm>
#include <vector>

#include "codecs/av_error.h"

extern "C" {
#include <libavutil/channel_layout.h>
}

namespace omnicut::av {

AudioEncoder::AudioEncoder(int sample_rate, int channels, bool global_header, std::string subject)
    : subject_(std::move(subject)), frame_(make_frame()), packet_(make_packet()) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) throw Error(ErrorKind::unsupported, subject_, "this FFmpeg has no AAC encoder");
  enc_.reset(avcodec_alloc_context3(codec));
  if (!enc_) throw Error(ErrorKind::internal, subject_, "out of memory for the AAC encoder");
  enc_->sample_rate = sample_rate;
  av_channel_layout_default(&enc_->ch_layout, channels);
  enc_->sample_fmt = AV_SAMPLE_FMT_FLTP;
  enc_->time_base = {1, sample_rate};
  enc_->profile = FF_PROFILE_AAC_LOW;
  if (global_header) enc_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  check(avcodec_open2(enc_.get(), codec, nullptr), ErrorKind::unsupported, subject_, "cannot open the AAC encoder");
  fifo_ = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, channels, enc_->frame_size * 4);
  if (!fifo_) throw Error(ErrorKind::internal, subject_, "out of memory for the audio FIFO");
}

AudioEncoder::~AudioEncoder() { av_audio_fifo_free(fifo_); }

void AudioEncoder::place(const AVFrame* frame) {
  int64_t at = frame->pts == AV_NOPTS_VALUE ? placed_ : frame->pts;
  int64_t skip = std::max<int64_t>(0, placed_ - at);  // before 0, or overlapping what is placed
  if (skip >= frame->nb_samples) return;
  if (at > placed_) append_silence(at - placed_);      // a late start: keep sync with silence
  std::vector<void*> planes(frame->ch_layout.nb_channels);
  for (size_t c = 0; c < planes.size(); ++c)
    planes[c] = reinterpret_cast<float*>(frame->extended_data[c]) + skip;
  int count = frame->nb_samples - static_cast<int>(skip);
  if (av_audio_fifo_write(fifo_, planes.data(), count) < count)
    throw Error(ErrorKind::internal, subject_, "out of memory in the audio FIFO");
  placed_ += count;
}

void AudioEncoder::append_silence(int64_t count) {
  const int channels = enc_->ch_layout.nb_channels;
  std::vector<float> zeros(static_cast<size_t>(std::min<int64_t>(count, 4096)), 0.0f);
  std::vector<void*> planes(channels, zeros.data());
  while (count > 0) {
    int n = static_cast<int>(std::min<int64_t>(count, static_cast<int64_t>(zeros.size())));
    if (av_audio_fifo_write(fifo_, planes.data(), n) < n)
      throw Error(ErrorKind::internal, subject_, "out of memory in the audio FIFO");
    count -= n;
    placed_ += n;
  }
}

void AudioEncoder::encode_until(int64_t limit, const PacketSink& sink) {
  const int size = enc_->frame_size;
  while (encoded_ + size <= limit && av_audio_fifo_size(fifo_) >= size) send(size, sink);
}

void AudioEncoder::finish(int64_t total, const PacketSink& sink) {
  if (placed_ < total) append_silence(total - placed_);
  const int size = enc_->frame_size;
  while (encoded_ < total) {
    int n = static_cast<int>(std::min<int64_t>(size, total - encoded_));
    send(n, sink);
  }
  check_internal(avcodec_send_frame(enc_.get(), nullptr), subject_, "flush the AAC encoder");
  drain(sink);
}

void AudioEncoder::send(int samples, const PacketSink& sink) {
  av_frame_unref(frame_.get());
  frame_->nb_samples = samples;
  frame_->format = enc_->sample_fmt;
  frame_->sample_rate = enc_->sample_rate;
  check_internal(av_channel_layout_copy(&frame_->ch_layout, &enc_->ch_layout), subject_, "channel layout");
  check_internal(av_frame_get_buffer(frame_.get(), 0), subject_, "audio frame");
  if (av_audio_fifo_read(fifo_, reinterpret_cast<void**>(frame_->extended_data), samples) < samples)
    throw Error(ErrorKind::internal, subject_, "audio FIFO underrun");
  frame_->pts = encoded_;
  encoded_ += samples;
  check(avcodec_send_frame(enc_.get(), frame_.get()), ErrorKind::internal, subject_, "AAC encoding failed");
  drain(sink);
}

void AudioEncoder::drain(const PacketSink& sink) {
  while (true) {
    int ret = avcodec_receive_packet(enc_.get(), packet_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    check(ret, ErrorKind::internal, subject_, "AAC encoding failed");
    sink(packet_.get());
    av_packet_unref(packet_.get());
  }
}

}  // namespace omnicut::av
