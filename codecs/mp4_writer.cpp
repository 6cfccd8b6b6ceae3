#include "codecs/mp4_writer.h"

#include "codecs/av_error.h"

#include <algorithm>

extern "C" {
#include <libavutil/opt.h>
}

namespace omnicut::av {

Mp4Writer::Mp4Writer(const std::string& output, const WriterOptions& options)
    : subject_(output), options_(options), file_(output), packet_(make_packet()) {
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, nullptr, options.container.c_str(), file_.temp_path().c_str()),
        ErrorKind::internal, subject_, "cannot set up the " + options.container + " muxer");
  out_.reset(raw);
}

bool Mp4Writer::global_header() const { return out_->oformat->flags & AVFMT_GLOBALHEADER; }

int Mp4Writer::add_video_encoder(const VideoEncoding& s) {
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) throw Error(ErrorKind::unsupported, subject_, "this FFmpeg has no libx264 encoder");
  video_.reset(avcodec_alloc_context3(codec));
  if (!video_) throw Error(ErrorKind::internal, subject_, "out of memory for the H.264 encoder");
  AVCodecContext* c = video_.get();
  c->width = s.width;
  c->height = s.height;
  c->pix_fmt = AV_PIX_FMT_YUV420P;
  c->sample_aspect_ratio = {1, 1};
  c->time_base = {s.fps.den, s.fps.num};
  c->framerate = {s.fps.num, s.fps.den};
  c->color_range = AVCOL_RANGE_MPEG;
  c->color_primaries = AVCOL_PRI_BT709;
  c->color_trc = AVCOL_TRC_BT709;
  c->colorspace = AVCOL_SPC_BT709;
  c->thread_count = 0;  // x264 picks its own thread count from the cores, as the ffmpeg CLI does
  if (global_header()) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "preset", s.preset.c_str(), 0);
  av_dict_set(&opts, "crf", std::to_string(s.crf).c_str(), 0);
  int ret = avcodec_open2(c, codec, &opts);
  av_dict_free(&opts);
  check(ret, ErrorKind::usage, subject_, "cannot open libx264 with preset " + s.preset + " and crf " +
                                             std::to_string(s.crf));
  AVStream* st = avformat_new_stream(out_.get(), nullptr);
  if (!st) throw Error(ErrorKind::internal, subject_, "out of memory for a stream");
  check_internal(avcodec_parameters_from_context(st->codecpar, c), subject_, "video codec parameters");
  st->time_base = c->time_base;
  st->avg_frame_rate = c->framerate;
  st->sample_aspect_ratio = c->sample_aspect_ratio;
  video_index_ = st->index;
  return st->index;
}

int Mp4Writer::add_copy(const AVStream* source, const CopyOptions& options) {
  AVStream* st = avformat_new_stream(out_.get(), nullptr);
  if (!st) throw Error(ErrorKind::internal, subject_, "out of memory for a stream");
  check_internal(avcodec_parameters_copy(st->codecpar, source->codecpar), subject_, "copy codec parameters");
  st->codecpar->codec_tag = 0;  // let the MP4 muxer choose its own tag (e.g. avc1)
  st->time_base = source->time_base;
  st->avg_frame_rate = source->avg_frame_rate;
  st->sample_aspect_ratio = source->sample_aspect_ratio;
  for (int i = 0; options.side_data && i < source->nb_side_data; ++i) {
    const AVPacketSideData& sd = source->side_data[i];
    uint8_t* dst = av_stream_new_side_data(st, sd.type, sd.size);
    if (!dst) throw Error(ErrorKind::internal, subject_, "out of memory for stream side data");
    std::copy(sd.data, sd.data + sd.size, dst);
  }
  return st->index;
}

int Mp4Writer::add_encoded(const AVCodecContext* encoder) {
  AVStream* st = avformat_new_stream(out_.get(), nullptr);
  if (!st) throw Error(ErrorKind::internal, subject_, "out of memory for a stream");
  check_internal(avcodec_parameters_from_context(st->codecpar, encoder), subject_, "codec parameters");
  st->time_base = encoder->time_base;
  return st->index;
}

int Mp4Writer::add_stream(const AVCodecParameters* params, AVRational time_base) {
  AVStream* st = avformat_new_stream(out_.get(), nullptr);
  if (!st) throw Error(ErrorKind::internal, subject_, "out of memory for a stream");
  check_internal(avcodec_parameters_copy(st->codecpar, params), subject_, "codec parameters");
  st->codecpar->codec_tag = 0;
  st->time_base = time_base;
  return st->index;
}

void Mp4Writer::start() {
  check(avio_open(&out_->pb, file_.temp_path().c_str(), AVIO_FLAG_WRITE), ErrorKind::output, subject_,
        "cannot open for writing");
  AVDictionary* opts = nullptr;
  av_dict_copy(&opts, options_.muxer_options, 0);
  bool mov = options_.container == "mp4" || options_.container == "mov";
  if (mov && options_.faststart) av_dict_set(&opts, "movflags", "+faststart", AV_DICT_APPEND);
  int ret = avformat_write_header(out_.get(), &opts);
  av_dict_free(&opts);
  check(ret, ErrorKind::output, subject_, "cannot write the " + options_.container + " header");
}

void Mp4Writer::encode_video(AVFrame* frame) {
  // A decoded keyframe's picture type would force a keyframe here too: let x264 decide.
  frame->pict_type = AV_PICTURE_TYPE_NONE;
  frame->pts = video_frames_++;
  av_frame_remove_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
  check(avcodec_send_frame(video_.get(), frame), ErrorKind::internal, subject_, "H.264 encoding failed");
  drain_video();
}

void Mp4Writer::drain_video() {
  while (true) {
    int ret = avcodec_receive_packet(video_.get(), packet_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    check(ret, ErrorKind::internal, subject_, "H.264 encoding failed");
    packet_->stream_index = video_index_;
    av_packet_rescale_ts(packet_.get(), video_->time_base, time_base(video_index_));
    write(packet_.get());
  }
}

void Mp4Writer::write(AVPacket* packet) {
  check(av_interleaved_write_frame(out_.get(), packet), ErrorKind::output, subject_, "cannot write media data");
}

void Mp4Writer::finish() {
  if (video_) {
    check(avcodec_send_frame(video_.get(), nullptr), ErrorKind::internal, subject_, "H.264 flush failed");
    drain_video();
  }
  check(av_write_trailer(out_.get()), ErrorKind::output, subject_, "cannot write the index");
  check(avio_closep(&out_->pb), ErrorKind::output, subject_, "cannot close the file");
  file_.commit();
}

}  // namespace omnicut::av
