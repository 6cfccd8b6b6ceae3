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

// Walks the video forward from tile to tile, seeking only when the next tile lies beyond the
// current GOP: a keyframe between the packets read and the target makes the seek cheaper than
// decoding on. The demuxer's index says where the keyframes are.
class FrameGrabber {
 public:
  explicit FrameGrabber(const std::string& path) : media_(av::open_media(path)) {
    if (!media_.video) throw Error(ErrorKind::unsupported, path, "no video stream to take pictures from");
    st_ = media_.video;
    for (unsigned i = 0; i < media_->nb_streams; ++i)
      if (media_->streams[i] != st_) media_->streams[i]->discard = AVDISCARD_ALL;
    dec_ = av::open_decoder(st_, path);
    indexed_ = avformat_index_get_entries_count(st_) > 0;
    if (media_.end() <= 0) throw Error(ErrorKind::unsupported, path, "unknown duration: cannot space the pictures");
  }

  double duration() const { return media_.end(); }
  int frames_decoded() const { return decoded_; }
  const AVCodecContext* decoder() const { return dec_.get(); }
  AVRational time_base() const { return st_->time_base; }

  // The first frame at or after `t` seconds from the origin (or the last one before EOF).
  av::Frame grab(double t) {
    const int64_t ts = media_.ticks(st_, t);
    if (!reaches(ts)) {
      if (should_seek(ts)) seek(ts);
      decode_until(ts);
    }
    if (!last_) throw Error(ErrorKind::not_media, media_.path, "no picture could be decoded near " + std::to_string(t) + " s");
    auto copy = av::make_frame();
    av::check_internal(av_frame_ref(copy.get(), last_.get()), media_.path, "frame reference");
    return copy;
  }

 private:
  // The frame in hand already is the answer: it is at or after `ts`, or the stream has ended.
  bool reaches(int64_t ts) const {
    if (!last_) return false;
    int64_t pts = last_->best_effort_timestamp;
    return drained_ || pts == AV_NOPTS_VALUE || pts >= ts;
  }

  // Seeks go by the demuxer's index, where there is one from the start (MP4 lists every sample,
  // Matroska its cues, read at the first seek, which costs nothing before anything is read).
  // Without one (MPEG-TS) a seek is a bisection by timestamps that lands on any picture, not a
  // keyframe: forward it is. `read_pts_`, the latest presentation time read, is at or after the
  // keyframe it was read from, whether the index holds decoding or presentation times.
  bool should_seek(int64_t ts) const {
    if (!indexed_) return false;
    if (read_pts_ == AV_NOPTS_VALUE) return true;
    int i = av_index_search_timestamp(st_, ts, AVSEEK_FLAG_BACKWARD);
    return i >= 0 && avformat_index_get_entry(st_, i)->timestamp > read_pts_;
  }

  void seek(int64_t ts) {
    if (av_seek_frame(media_.get(), st_->index, ts, AVSEEK_FLAG_BACKWARD) < 0 &&
        av_seek_frame(media_.get(), st_->index, media_.ticks(st_, 0), AVSEEK_FLAG_BACKWARD) < 0)
      return;  // cannot seek: decoding on still gets there
    avcodec_flush_buffers(dec_.get());
    read_pts_ = AV_NOPTS_VALUE;
    eof_ = drained_ = false;
  }

  void decode_until(int64_t ts) {
    auto frame = av::make_frame();
    while (!reaches(ts)) {
      if (interrupted()) throw Error(ErrorKind::interrupted, media_.path, "interrupted");
      int ret = avcodec_receive_frame(dec_.get(), frame.get());
      if (ret >= 0) {
        ++decoded_;
        last_ = av::make_frame();
        av_frame_move_ref(last_.get(), frame.get());
      } else if (ret == AVERROR_EOF || (eof_ && ret == AVERROR(EAGAIN))) {
        drained_ = true;
        if (!last_) return;
      } else if (!eof_) {
        send_next_packet();
      }
    }
  }

  void send_next_packet() {
    auto pkt = av::make_packet();
    int ret;
    while ((ret = av_read_frame(media_.get(), pkt.get())) >= 0 && pkt->stream_index != st_->index)
      av_packet_unref(pkt.get());
    if (ret < 0) {
      avcodec_send_packet(dec_.get(), nullptr);
      eof_ = true;
      return;
    }
    note_position(pkt.get());
    avcodec_send_packet(dec_.get(), pkt.get());
  }

  void note_position(const AVPacket* pkt) {
    int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    if (t != AV_NOPTS_VALUE) read_pts_ = read_pts_ == AV_NOPTS_VALUE ? t : std::max(read_pts_, t);
  }

  av::OpenedMedia media_;
  AVStream* st_ = nullptr;
  av::CodecContext dec_;
  bool indexed_ = false;                  // the demuxer had an index when opened
  av::Frame last_;                        // the latest decoded frame
  int64_t read_pts_ = AV_NOPTS_VALUE;     // the latest of the video packets sent to the decoder
  bool eof_ = false, drained_ = false;
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

av::Frame rgb_canvas(int width, int height, const std::string& path) {
  auto canvas = av::make_frame();
  canvas->format = AV_PIX_FMT_RGB24;
  canvas->width = width;
  canvas->height = height;
  av::check_internal(av_frame_get_buffer(canvas.get(), 0), path, "picture buffer");
  for (int y = 0; y < height; ++y) std::fill_n(canvas->data[0] + y * canvas->linesize[0], width * 3, 0);
  return canvas;
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

void write_png(const AVFrame* picture, const std::string& path) {
  std::string png = encode_png(picture, path);
  AtomicFile file(path);
  {
    std::ofstream os(file.temp_path(), std::ios::binary);
    os.write(png.data(), static_cast<std::streamsize>(png.size()));
    os.close();
    if (!os) throw Error(ErrorKind::output, path, "cannot write the PNG");
  }
  file.commit();
}

int even_height(int width, double aspect) { return std::max(2, static_cast<int>(std::lround(width / aspect / 2)) * 2); }

}  // namespace

ContactSheet make_contact_sheet(const ContactSheetSpec& spec) {
  if (spec.cols < 1 || spec.rows < 1 || spec.cols * spec.rows > 400)
    throw Error(ErrorKind::usage, spec.output, "--cols x --rows must be between 1 and 400 tiles");
  if (spec.tile_width < 16 || spec.tile_width > 4096 || spec.poster_width < 16 || spec.poster_width > 4096)
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
  out.tile_height = even_height(out.tile_width, aspect);
  out.width = out.tile_width * spec.cols;
  out.height = out.tile_height * spec.rows;
  av::Frame sheet = rgb_canvas(out.width, out.height, spec.output);
  av::Frame poster;
  std::optional<TilePainter> poster_painter;
  if (!spec.poster.empty()) {
    out.poster_width = spec.poster_width & ~1;
    out.poster_height = even_height(out.poster_width, aspect);
    poster = rgb_canvas(out.poster_width, out.poster_height, spec.poster);
    poster_painter.emplace(spec.input, video, out.poster_width, out.poster_height);
  }

  const int n = spec.cols * spec.rows;
  const double from = std::max(0.0, spec.start.value_or(0.0));
  const double to = std::min(grabber.duration(), spec.end.value_or(grabber.duration()));
  if (to <= from) throw Error(ErrorKind::usage, spec.input, "the range to take pictures from is empty");
  TilePainter painter(spec.input, video, out.tile_width, out.tile_height);
  for (int i = 0; i < n; ++i) {
    double t = from + (i + 0.5) * (to - from) / n;
    auto frame = grabber.grab(t);
    if (poster_painter && i == n / 2) {  // the filters take the frame's reference: the poster gets its own
      av::Frame copy(av_frame_clone(frame.get()));
      poster_painter->draw(grabber, copy.get(), poster.get(), 0, 0);
    }
    painter.draw(grabber, frame.get(), sheet.get(), (i % spec.cols) * out.tile_width,
                 (i / spec.cols) * out.tile_height);
    out.times.push_back(t);
  }
  out.frames_decoded = grabber.frames_decoded();
  write_png(sheet.get(), spec.output);
  if (poster) write_png(poster.get(), spec.poster);
  return out;
}

}  // namespace omnicut
