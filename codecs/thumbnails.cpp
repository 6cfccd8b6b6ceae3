#include "codecs/thumbnails.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>

#include "codecs/av_error.h"
#include "codecs/av_ptr.h"
#include "codecs/filter_graph.h"
#include "codecs/input.h"
#include "codecs/prep_filters.h"
#include "codecs/probe.h"
#include "common/atomic_file.h"
#include "common/interrupt.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace omnicut {
namespace {

class FrameGrabber {
 public:
  explicit FrameGrabber(const std::string& path) : path_(path), in_(av::open_input(path)) {
    int idx = -1;
    for (unsigned i = 0; i < in_->nb_streams; ++i) {
      const AVStream* s = in_->streams[i];
      if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        idx = static_cast<int>(i);
        break;
      }
    }
    if (idx < 0) throw Error(ErrorKind::unsupported, path, "no video stream to take pictures from");
    st_ = in_->streams[idx];
    for (unsigned i = 0; i < in_->nb_streams; ++i)
      if (static_cast<int>(i) != idx) in_->streams[i]->discard = AVDISCARD_ALL;
    const AVCodec* codec = avcodec_find_decoder(st_->codecpar->codec_id);
    if (!codec) throw Error(ErrorKind::unsupported, path, "no decoder for its video");
    dec_.reset(avcodec_alloc_context3(codec));
    av::check_internal(avcodec_parameters_to_context(dec_.get(), st_->codecpar), path, "decoder parameters");
    dec_->pkt_timebase = st_->time_base;
    dec_->thread_count = 0;
    av::check(avcodec_open2(dec_.get(), codec, nullptr), ErrorKind::unsupported, path, "cannot open video decoder");
    origin_ = st_->start_time != AV_NOPTS_VALUE ? st_->start_time * av_q2d(st_->time_base) : 0;
    if (st_->duration != AV_NOPTS_VALUE && st_->duration > 0) duration_ = st_->duration * av_q2d(st_->time_base);
    else if (in_->duration != AV_NOPTS_VALUE) duration_ = in_->duration / double(AV_TIME_BASE);
    if (duration_ <= 0) throw Error(ErrorKind::unsupported, path, "unknown duration: cannot space the pictures");
  }

  double duration() const { return duration_; }
  int frames_decoded() const { return decoded_; }
  const AVCodecContext* decoder() const { return dec_.get(); }
  AVRational time_base() const { return st_->time_base; }

  // The first frame at or after `t` seconds from the first frame (or the last one before EOF).
  av::Frame grab(double t) {
    int64_t ts = static_cast<int64_t>((origin_ + t) / av_q2d(st_->time_base));
    if (av_seek_frame(in_.get(), st_->index, ts, AVSEEK_FLAG_BACKWARD) < 0)
      av_seek_frame(in_.get(), st_->index, 0, AVSEEK_FLAG_BACKWARD);
    avcodec_flush_buffers(dec_.get());
    auto pkt = av::make_packet();
    auto frame = av::make_frame();
    av::Frame last;
    bool eof = false;
    while (true) {
      if (interrupted()) throw Error(ErrorKind::interrupted, path_, "interrupted");
      int ret = avcodec_receive_frame(dec_.get(), frame.get());
      if (ret >= 0) {
        ++decoded_;
        int64_t pts = frame->best_effort_timestamp;
        last = av::make_frame();
        av_frame_move_ref(last.get(), frame.get());
        if (pts == AV_NOPTS_VALUE || pts >= ts) return last;
        continue;
      }
      if (ret == AVERROR_EOF || (eof && ret == AVERROR(EAGAIN))) break;
      if (eof) continue;
      if (av_read_frame(in_.get(), pkt.get()) < 0) {
        avcodec_send_packet(dec_.get(), nullptr);
        eof = true;
        continue;
      }
      if (pkt->stream_index == st_->index) avcodec_send_packet(dec_.get(), pkt.get());
      av_packet_unref(pkt.get());
    }
    if (!last) throw Error(ErrorKind::not_media, path_, "no picture could be decoded near " + std::to_string(t) + " s");
    return last;
  }

 private:
  std::string path_;
  av::InputFormat in_;
  AVStream* st_ = nullptr;
  av::CodecContext dec_;
  double origin_ = 0, duration_ = 0;
  int decoded_ = 0;
};

// Each tile goes through prep's upright filters (codecs/prep_filters.h) and one scale to the
// tile's size, so a phone's portrait or mirrored clip is shown as its player shows it.
class TilePainter {
 public:
  TilePainter(const std::string& path, const VideoInfo& video, int w, int h) : path_(path), w_(w), h_(h) {
    Geometry g;
    g.rotation = video.rotation;
    g.mirrored = video.mirrored;
    std::string upright = upright_filters(g);
    chain_ = (upright.empty() ? "" : upright + ",") + "scale=" + std::to_string(w) + ":" + std::to_string(h) +
             ":flags=bicubic,format=rgb24";
  }

  void draw(const FrameGrabber& grabber, AVFrame* frame, AVFrame* sheet, int x, int y) {
    if (!filter_) filter_.emplace(av::FilterChain::video(grabber.decoder(), grabber.time_base(), chain_, path_, 1));
    filter_->push(frame);
    auto tile = av::make_frame();
    if (!filter_->pull(tile.get()) || tile->width != w_ || tile->height != h_)
      throw Error(ErrorKind::internal, path_, "the tile filters gave no picture");
    for (int row = 0; row < h_; ++row)
      std::copy_n(tile->data[0] + static_cast<ptrdiff_t>(row) * tile->linesize[0], w_ * 3,
                  sheet->data[0] + static_cast<ptrdiff_t>(y + row) * sheet->linesize[0] + x * 3);
  }

 private:
  std::string path_, chain_;
  int w_, h_;
  std::optional<av::FilterChain> filter_;
};

std::string encode_png(const AVFrame* sheet, const std::string& path) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
  if (!codec) throw Error(ErrorKind::unsupported, path, "this FFmpeg has no PNG encoder");
  av::CodecContext enc(avcodec_alloc_context3(codec));
  enc->width = sheet->width;
  enc->height = sheet->height;
  enc->pix_fmt = AV_PIX_FMT_RGB24;
  enc->time_base = {1, 1};
  av::check_internal(avcodec_open2(enc.get(), codec, nullptr), path, "open PNG encoder");
  av::check_internal(avcodec_send_frame(enc.get(), sheet), path, "encode PNG");
  av::check_internal(avcodec_send_frame(enc.get(), nullptr), path, "flush PNG");
  auto pkt = av::make_packet();
  av::check_internal(avcodec_receive_packet(enc.get(), pkt.get()), path, "encode PNG");
  return std::string(reinterpret_cast<const char*>(pkt->data), pkt->size);
}

}  // namespace

ContactSheet make_contact_sheet(const ContactSheetSpec& spec) {
  if (spec.cols < 1 || spec.rows < 1 || spec.cols * spec.rows > 400)
    throw Error(ErrorKind::usage, spec.output, "--cols x --rows must be between 1 and 400 tiles");
  if (spec.tile_width < 16 || spec.tile_width > 4096)
    throw Error(ErrorKind::usage, spec.output, "tile width must be between 16 and 4096 pixels");
  FrameGrabber grabber(spec.input);
  // Orientation and display size (square pixels, rotated) as probe reads them.
  MediaInfo info = probe(spec.input);
  if (!info.video) throw Error(ErrorKind::unsupported, spec.input, "no video stream to take pictures from");
  const VideoInfo& video = *info.video;
  double aspect = static_cast<double>(std::max(1, video.display_width)) / std::max(1, video.display_height);
  ContactSheet out;
  out.output = spec.output;
  out.tile_width = spec.tile_width & ~1;
  out.tile_height = std::max(2, static_cast<int>(std::lround(out.tile_width / aspect / 2)) * 2);
  out.width = out.tile_width * spec.cols;
  out.height = out.tile_height * spec.rows;

  auto sheet = av::make_frame();
  sheet->format = AV_PIX_FMT_RGB24;
  sheet->width = out.width;
  sheet->height = out.height;
  av::check_internal(av_frame_get_buffer(sheet.get(), 0), spec.output, "sheet buffer");
  for (int y = 0; y < out.height; ++y) std::fill_n(sheet->data[0] + y * sheet->linesize[0], out.width * 3, 0);

  const int n = spec.cols * spec.rows;
  TilePainter painter(spec.input, video, out.tile_width, out.tile_height);
  for (int i = 0; i < n; ++i) {
    double t = (i + 0.5) * grabber.duration() / n;
    auto frame = grabber.grab(t);
    painter.draw(grabber, frame.get(), sheet.get(), (i % spec.cols) * out.tile_width,
                 (i / spec.cols) * out.tile_height);
    out.times.push_back(t);
  }
  out.frames_decoded = grabber.frames_decoded();

  std::string png = encode_png(sheet.get(), spec.output);
  AtomicFile file(spec.output);
  {
    std::ofstream os(file.temp_path(), std::ios::binary);
    os.write(png.data(), static_cast<std::streamsize>(png.size()));
    os.close();
    if (!os) throw Error(ErrorKind::output, spec.output, "cannot write the PNG");
  }
  file.commit();
  return out;
}

}  // namespace omnicut
