// A source file's audio over an exact time range, ready to mux under another video.
//
// AAC is copied: the source's own packets, bit for bit, from the one before the range's first
// sample (the decoder's pre-roll) to the one holding its last. The cut is sample-exact in the MP4
// itself: the first packet's pts is negative (FFmpeg 5.1's mov muxer turns that into an edit list
// whose media_time skips the leading samples, as it does for an encoder's priming) and the last
// packet's duration ends at the range's end (the muxer ends the edit there; give the writer
// movie_timescale = the sample rate so that edit is not rounded to milliseconds). FFmpeg 5.1's own
// demuxer honours the start to the sample but decodes the last packet whole: there, up to one AAC
// frame (21.3 ms at 48 kHz) of the source's audio after the range plays on past the video's end.
// When the video outlasts the range, the source's packets end at the packet edge nearest the
// range's end (at most half a frame, 10.7 ms at 48 kHz, from it) and AAC-LC silence encoded with
// the source's own configuration follows up to the video's length.
//
// Anything else is decoded, cut to the sample, padded with silence or trimmed, and encoded to
// AAC-LC: audio shifted or stretched to match a picture (lead, tempo), audio that is not AAC (MP4 players expect AAC), AAC that starts after the range does,
// has gaps or no AudioSpecificConfig, and AAC whose configuration the silence encoder cannot
// match (HE-AAC, PCE layouts) when padding is needed. `reason` says which path and why.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codecs/av_ptr.h"
#include "codecs/input.h"

namespace omnicut {

struct AudioRangeSpec {
  double start = 0;         // range start, seconds after the source's origin
  double length = 0;        // seconds of source audio to use from start
  double total = 0;         // seconds the result must last: silence pads the rest up to it
  // Laying the audio to a picture that moved (always re-encoded): `lead` seconds of silence come
  // first, and the range plays at `tempo` times its speed with its pitch kept (libavfilter's
  // atempo), so it lasts length / tempo.
  double lead = 0;
  double tempo = 1;
};

struct CodecParametersDeleter {
  void operator()(AVCodecParameters* p) const { avcodec_parameters_free(&p); }
};
using CodecParameters = std::unique_ptr<AVCodecParameters, CodecParametersDeleter>;

struct EncodedAudio {
  CodecParameters params;
  AVRational time_base{1, 48000};  // of the packets' timestamps; the range's first sample is at 0
  std::vector<av::Packet> packets; // dts == pts; the first may start before 0 (skipped on playback)
  bool copied = false;             // the source's own packets (and encoded silence after them)
  std::string source_codec;
  double duration = 0;             // seconds of audio the track plays
  double padded = 0;               // seconds of silence added (range short of the source or total)
  std::string reason;              // why it was copied or re-encoded, for the user
};

// The range of `source.audio` (which must be set). Changes `source`'s read position and discard
// flags. Throws omnicut::Error naming the source and the cause.
EncodedAudio cut_audio_range(av::OpenedMedia& source, const AudioRangeSpec& spec);

}  // namespace omnicut
