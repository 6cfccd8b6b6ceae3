// The one way codecs/ opens media for reading. open_media() turns every way a user's file can fail
// into one clear error (missing, a directory, unreadable, empty, not media, truncated) and returns
// what every operation needs: the demuxer, the chosen streams, the time origin, the true duration.
//
// The time origin. Every time omnicut reads or reports for a file (probe's starts, prep's
// --start/--end, sidecar, manifest and ledger ranges, scene cuts, thumbnails, remux's audio range)
// is in seconds after the file's origin: the presentation time of the first frame of the chosen
// video stream; in a file without video, of the first audio stream; else the container's start.
// A stream that starts after the origin starts that much after zero (an audio track 0.244 s late
// is laid 0.244 s in); anything before it lies before zero and is cut.
#pragma once
#include <string>
#include <vector>

#include "codecs/av_ptr.h"

namespace omnicut::av {

// Checks the path is a readable, non-empty regular file; throws Error(not_found|not_media).
void check_readable_file(const std::string& path);

struct OpenOptions {
  // FFmpeg's stream-info search decodes a few frames of every stream. MP4/MOV and Matroska/WebM
  // headers give every stream's codec, picture size, rate and channels, so `quick` skips it for
  // them (and falls back to it for anything else, or when a stream lacks one of those).
  bool quick = false;
  // When the headers carry no duration (Matroska/WebM written live, with no Duration element and
  // no cues), read the packets near the end (the whole file when they cannot be reached) for it.
  bool true_duration = true;
  // Also when only streams lack theirs (Matroska never stores one per track). Off for callers
  // that need the container's duration alone and must stay cheap (estimate over many files).
  bool stream_durations = true;
};

struct OpenedMedia {
  std::string path;
  InputFormat format;
  AVStream* video = nullptr;  // the first video stream that is not cover art; null when none
  AVStream* audio = nullptr;  // the first audio stream this FFmpeg can decode; null when none
  double origin = 0;          // time zero, seconds on the container's clock (see above)
  double duration = 0;        // the container's duration as ffprobe gives it, seconds
  bool duration_from_packets = false;  // the headers did not say; the packets were read for it
  std::vector<double> stream_duration;  // by stream index: seconds from its first to its last packet's end
  std::vector<double> stream_start;     // by stream index: its first presentation, seconds after the origin

  AVFormatContext* get() const { return format.get(); }
  AVFormatContext* operator->() const { return format.get(); }

  // A stream's ticks <-> seconds after the origin.
  double seconds(const AVStream* st, int64_t ts) const;
  int64_t ticks(const AVStream* st, double seconds) const;
  // Seconds after the origin as AV_TIME_BASE units on the container's clock (avformat_seek_file
  // with stream -1 takes these).
  int64_t container_time(double seconds) const;
  // The end of the chosen video stream (else the audio, else the container), seconds after the origin.
  double end() const;
};

// Throws Error naming `path` and the cause, with the AVERROR kept as Error::cause().
OpenedMedia open_media(const std::string& path, const OpenOptions& options = {});

// The first video stream that is not cover art (a poster in MP4/MKV/MP3), or -1.
int first_video_index(const AVFormatContext* format);
// The first audio stream with a decoder here and a known rate and channel count, or -1.
int first_decodable_audio_index(const AVFormatContext* format);

struct DecoderOptions {
  bool threads = true;         // frame + slice threads, one per core, as the ffmpeg CLI decodes
  bool fast = false;           // no loop filter, non-bit-exact shortcuts: for small analysis pictures
  bool reference_only = false; // skip pictures nothing refers to (scene scans)
};
// A decoder opened for `st`; throws Error(unsupported) when this FFmpeg cannot decode it.
CodecContext open_decoder(const AVStream* st, const std::string& subject, const DecoderOptions& options = {});

// The demuxer alone, stream info read, without the origin and duration work; for the few callers
// that have not moved to open_media yet.
InputFormat open_input(const std::string& path);

}  // namespace omnicut::av
