// prep's audio: AAC-LC with every sample in its exact place on the output timeline. Filtered
// frames arrive with timestamps counted in samples from the range start; samples before 0 are
// dropped, a late start is filled with silence, and an AVAudioFifo regroups the rest into the
// 1024-sample frames AAC takes. The caller says how far to encode (audio never runs ahead of
// the video written so far) and, at the end, the exact total length.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "codecs/av_ptr.h"

extern "C" {
#include <libavutil/audio_fifo.h>
}

namespace omnicut::av {

class AudioEncoder {
 public:
  using PacketSink = std::function<void(AVPacket*)>;  // packets in the encoder's time base

  // `global_header`: the container wants the AudioSpecificConfig in extradata (MP4 does).
  AudioEncoder(int sample_rate, int channels, bool global_header, std::string subject);
  ~AudioEncoder();
  AudioEncoder(const AudioEncoder&) = delete;
  AudioEncoder& operator=(const AudioEncoder&) = delete;

  AVCodecContext* context() const { return enc_.get(); }

  // Places a planar float frame whose pts counts samples from the range start.
  void place(const AVFrame* frame);
  // Samples placed so far (the output timeline's end).
  int64_t placed() const { return placed_; }

  // Encodes whole frames lying before sample `limit`.
  void encode_until(int64_t limit, const PacketSink& sink);
  // Pads with silence or drops samples so that exactly `total` samples are encoded, then drains.
  void finish(int64_t total, const PacketSink& sink);
  int64_t encoded() const { return encoded_; }

 private:
  void append_silence(int64_t count);
  void send(int samples, const PacketSink& sink);
  void drain(const PacketSink& sink);

  std::string subject_;
  CodecContext enc_;
  AVAudioFifo* fifo_ = nullptr;
  Frame frame_;
  Packet packet_;
  int64_t placed_ = 0;   // samples on the timeline (in the FIFO or already encoded)
  int64_t encoded_ = 0;  // samples sent to the encoder
};

}  // namespace omnicut::av
