// prep's output side: an MP4 (index in front: movflags +faststart) holding an H.264 stream
// encoded here with libx264 (8-bit 4:2:0, limited range, BT.709 tags, no display matrix) or a
// stream copied from the source, plus packets prepared elsewhere (AAC, copied audio).
#pragma once
#include <string>

#include "codecs/av_ptr.h"
#include "codecs/media_info.h"

namespace omnicut::av {

struct VideoEncoding {
  int width = 0, height = 0;
  Rational fps{30, 1};
  int crf = 20;
  std::string preset = "veryfast";
};

class Mp4Writer {
 public:
  // `path` is the file written (prep's temporary file); `subject` names the output in errors.
  Mp4Writer(const std::string& path, std::string subject);

  // Streams are added before start(); each returns its output stream index.
  int add_video_encoder(const VideoEncoding& settings);
  int add_copy(const AVStream* source);
  int add_encoded(const AVCodecContext* encoder);
  // Writes the header; streams' time bases are final from here on.
  void start();

  AVRational time_base(int stream) const { return out_->streams[stream]->time_base; }
  bool global_header() const;

  // Encodes one filtered picture (its pts is ignored: frames are numbered in order, CFR).
  void encode_video(AVFrame* frame);
  // Writes a packet whose timestamps are in time_base(packet->stream_index).
  void write(AVPacket* packet);
  // Drains the video encoder, writes the index (moved in front of the data) and closes.
  void finish();

  int64_t video_frames() const { return video_frames_; }

 private:
  void drain_video();

  std::string path_, subject_;
  OutputFormat out_;
  CodecContext video_;
  int video_index_ = -1;
  Packet packet_;
  int64_t video_frames_ = 0;
};

}  // namespace omnicut::av
