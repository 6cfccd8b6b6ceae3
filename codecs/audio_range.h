// A source file's audio over an exact time range, ready to mux under another video: copied
// packet for packet when the range falls on AAC packet boundaries, else decoded, cut to the
// sample, padded with silence or trimmed to the wanted length, and encoded to AAC-LC.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codecs/av_ptr.h"

namespace omnicut {

struct AudioRangeSpec {
  std::string source;
  int stream = -1;          // container index of the audio stream to read
  double origin = 0;        // the source's time zero (its first video frame), seconds
  double start = 0;         // range start, seconds from origin
  double length = 0;        // seconds of source audio to use from start
  double total = 0;         // seconds the result must last: silence pads length up to it
};

struct CodecParametersDeleter {
  void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
};
using CodecParameters = std::unique_ptr<AVCodecParameters, CodecParametersDeleter>;

struct EncodedAudio {
  CodecParameters params;
  AVRational time_base{1, 48000};  // of the packets' timestamps; the first sample is at 0
  std::vector<av::Packet> packets;
  bool copied = false;             // packets are the source's own
  std::string source_codec;
  double duration = 0;             // seconds of audio the packets play
  double padded = 0;               // seconds of silence added (range short of the source or total)
  std::string reason;              // why it was copied or re-encoded, for the user
};

// Throws omnicut::Error naming the source and the cause.
EncodedAudio cut_audio_range(const AudioRangeSpec& spec);
// The same on `spec.source` already opened as `in` (its read position and discard flags change).
EncodedAudio cut_audio_range(AVFormatContext* in, const AudioRangeSpec& spec);

// AAC packets of `spec`'s range line up with its ends within this many seconds: copy them.
inline constexpr double kPacketBoundaryTolerance = 0.0005;

}  // namespace omnicut
