#include "codecs/thumbnails.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "codecs/av_error.h"
#include "codecs/av_ptr.h"
#include "codecs/input.h"
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
  // Display aspect ratio (width / height) with the sample aspect ratio applied.
  double aspect() const {
    AVRational sar = st_->codecpar->sample_aspect_ratio;
    double s = sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1.0;
    return st_->codecpar->width * s / std::max(1, st_->codecpar->height);
  }

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

void draw_tile(const AVFrame* f, AVFrame* sheet, int x, int y, int w, int h, av::Sws& sws) {
  sws.reset(sws_getContext(f->width, f->height, static_cast<AVPixelFormat>(f->format), w, h, AV_PIX_FMT_RGB24,
                           SWS_BICUBIC, nullptr, nullptr, nullptr));
  if (!sws) throw Error(ErrorKind::internal, "thumbnails", "cannot scale the picture");
  uint8_t* dst[4] = {sheet->data[0] + static_cast<ptrdiff_t>(y) * sheet->linesize[0] + x * 3};
  int dst_stride[4] = {sheet->linesize[0]};
  sws_scale(sws.get(), f->data, f->linesize, 0, f->height, dst, dst_stride);
}

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
  ContactSheet out;
  out.output = spec.output;
  out.tile_width = spec.tile_width & ~1;
  out.tile_height = std::max(2, static_cast<int>(std::lround(out.tile_width / grabber.aspect() / 2)) * 2);
  out.width = out.tile_width * spec.cols;
  out.height = out.tile_height * spec.rows;

  auto sheet = av::make_frame();
  sheet->format = AV_PIX_FMT_RGB24;
  sheet->width = out.width;
  sheet->height = out.height;
  av::check_internal(av_frame_get_buffer(sheet.get(), 0), spec.output, "sheet buffer");
  for (int y = 0; y < out.height; ++y) std::fill_n(sheet->data[0] + y * sheet->linesize[0], out.width * 3, 0);

  const int n = spec.cols * spec.rows;
  av::Sws sws;
  for (int i = 0; i < n; ++i) {
    double t = (i + 0.5) * grabber.duration() / n;
    auto frame = grabber.grab(t);
    draw_tile(frame.get(), sheet.get(), (i % spec.cols) * out.tile_width, (i / spec.cols) * out.tile_height,
              out.tile_width, out.tile_height, sws);
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
