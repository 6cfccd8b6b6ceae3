// The libavfilter chains prep runs, written out from a TranscodeSpec: video (constant frame
// rate, upright, square pixels, crop, scale, pad, tone-map, 8-bit 4:2:0 limited range) and
// audio (48 kHz stereo float). Kept apart from the loop that runs them so each is readable.
#pragma once
#include <string>

#include "codecs/transcode.h"

namespace omnicut {

// `fps` is the output rate (already resolved from the source when the spec leaves it 0/1).
// Input timestamps must already count from the range start: frames before 0 are dropped.
std::string video_filters(const TranscodeSpec& spec, Rational fps);

std::string audio_filters(const TranscodeSpec& spec);

// Only the part that turns the stored picture upright as displayed (mirror, then the clockwise
// rotation), comma-joined; empty when it already is. Also used by the contact sheet (thumbnails).
std::string upright_filters(const Geometry& g);

// PQ/HLG to SDR BT.709, limited-range 4:2:0 (what TranscodeSpec::tonemap adds).
std::string hdr_to_sdr_filters();

}  // namespace omnicut
