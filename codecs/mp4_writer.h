// The one muxer omnicut writes media with: prep, remux, join, restore, the emulator's renders and
// the test-fixture generator all go through it. It owns the temporary file beside the output and
// renames it into place only in finish(), so an error or Ctrl-C never leaves a partial file under
// the user's name. MP4 by default, with the index in front (movflags +faststart); the fixture
// generator may ask for another container. Streams are encoded here (H.264 by libx264: 8-bit
// 4:2:0, limited range, BT.709 tags, no display matrix), copied from a source (parameters, rates
// and stream side data: display matrix, HDR mastering and light levels), or fed packets encoded
// elsewhere (AAC).
#pragma once
#include <string>

#include "codecs/av_ptr.h"
#include "codecs/media_info.h"
#include "common/atomic_file.h"

namespace omnicut::av {

struct VideoEncoding {
  int width = 0, height = 0;
  Rational fps{30, 1};
  int crf = 20;
  std::string preset = "veryfast";
};

struct WriterOptions {
  std::string container = "mp4";  // a libavformat muxer name ("matroska", "mov", ...)
  bool faststart = true;          // MP4/MOV: the index in front of the data
  AVDictionary* muxer_options = nullptr;  // extra muxer options (not owned; copied in start())
};

// What add_copy keeps of the source stream.
struct CopyOptions {
  bool side_data = true;          // display matrix, HDR metadata, ...
};

class Mp4Writer {
 public:
  // `output` is the user's path; errors name it.
  explicit Mp4Writer(const std::string& output, const WriterOptions& options = {});

  // Streams are added before start(); each returns its output stream index.
  int add_video_encoder(const VideoEncoding& settings);
  int add_copy(const AVStream* source, const CopyOptions& options = {});
  int add_encoded(const AVCodecContext* encoder);
  // Packets prepared elsewhere (copied or encoded) with these parameters and timestamps in `time_base`.
  int add_stream(const AVCodecParameters* params, AVRational time_base);
  AVStream* stream(int index) const { return out_->streams[index]; }
  // Writes the header; streams' time bases are final from here on.
  void start();

  AVRational time_base(int stream) const { return out_->streams[stream]->time_base; }
  bool global_header() const;

  // Encodes one filtered picture (its pts is ignored: frames are numbered in order, CFR).
  void encode_video(AVFrame* frame);
  // Writes a packet whose timestamps are in time_base(packet->stream_index), interleaved.
  void write(AVPacket* packet);
  // Drains the video encoder, writes the index, closes and renames the file into place.
  void finish();

  int64_t video_frames() const { return video_frames_; }
  const std::string& output() const { return subject_; }

 private:
  void drain_video();

  std::string subject_;
  WriterOptions options_;
  AtomicFile file_;  // destroyed after out_: the muxer closes before the temporary file goes
  OutputFormat out_;
  CodecContext video_;
  int video_index_ = -1;
  Packet packet_;
  int64_t video_frames_ = 0;
};

}  // namespace omnicut::av
