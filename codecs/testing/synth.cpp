#include "codecs/testing/synth.h"

#include <cmath>
#include <cstring>
#include <numbers>

#include "codecs/av_error.h"
#include "codecs/av_ptr.h"
#include "codecs/mp4_writer.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace omnicut {
namespace {

struct Track {
  int stream = -1;            // the writer's stream index
  av::CodecContext enc;
  int64_t next_pts = 0;       // in encoder time base
  bool done = false;
  const SynthAudio* audio = nullptr;
  int64_t frame_index = 0;
  double next_time() const { return next_pts * av_q2d(enc->time_base); }
};

const AVCodec* find_encoder(const std::string& name, const std::string& path) {
  const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
  if (!codec) throw Error(ErrorKind::unsupported, path, "this FFmpeg has no encoder " + name);
  return codec;
}

void attach_display_matrix(AVStream* st, const SynthSpec& spec) {
  if (spec.rotation == 0 && !spec.mirrored) return;
  auto* m = reinterpret_cast<int32_t*>(av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * sizeof(int32_t)));
  if (!m) throw Error(ErrorKind::internal, "synthesize", "out of memory");
  // av_display_rotation_set's angle is clockwise as displayed (ffprobe then reports -R, as for a
  // phone's portrait clip, and ffmpeg's autorotate turns it clockwise). Mirroring the stored
  // picture before the rotation negates the matrix's first row (x -> -x on input);
  // av_display_matrix_flip would flip the output instead, i.e. after the rotation.
  av_display_rotation_set(m, spec.rotation);
  if (spec.mirrored) m[0] = -m[0], m[1] = -m[1];
}

Track add_video(av::Mp4Writer& out, const SynthSpec& spec, const std::string& path) {
  const AVCodec* codec = find_encoder(spec.video_codec, path);
  Track t;
  t.enc.reset(avcodec_alloc_context3(codec));
  AVCodecContext* c = t.enc.get();
  c->width = spec.width;
  c->height = spec.height;
  c->sample_aspect_ratio = {spec.sar.num, spec.sar.den};
  // Half-frame ticks let VFR alternate between one and two frame durations.
  c->time_base = {spec.fps.den, spec.fps.num * 2};
  c->framerate = {spec.fps.num, spec.fps.den};
  c->pix_fmt = spec.bit_depth > 8 ? AV_PIX_FMT_YUV420P10LE : AV_PIX_FMT_YUV420P;
  c->gop_size = std::max(1, static_cast<int>(std::lround(spec.keyframe_interval * spec.fps.value())));
  c->color_range = spec.full_range ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
  if (!spec.color_transfer.empty()) {
    int trc = av_color_transfer_from_name(spec.color_transfer.c_str());
    if (trc < 0) throw Error(ErrorKind::usage, path, "unknown colour transfer " + spec.color_transfer);
    c->color_trc = static_cast<AVColorTransferCharacteristic>(trc);
    c->color_primaries = AVCOL_PRI_BT2020;
    c->colorspace = AVCOL_SPC_BT2020_NCL;
  }
  if (out.global_header()) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* opts = nullptr;
  if (spec.video_codec == "libx264" || spec.video_codec == "libx265") av_dict_set(&opts, "preset", spec.preset.c_str(), 0);
  if (spec.video_codec == "libx265") av_dict_set(&opts, "x265-params", "log-level=error", 0);
  int ret = avcodec_open2(c, codec, &opts);
  av_dict_free(&opts);
  av::check(ret, ErrorKind::unsupported, path, "cannot open encoder " + spec.video_codec);
  t.stream = out.add_encoded(c);
  AVStream* st = out.stream(t.stream);
  st->sample_aspect_ratio = c->sample_aspect_ratio;
  st->avg_frame_rate = c->framerate;
  attach_display_matrix(st, spec);
  t.next_pts = std::llround(spec.video_start / av_q2d(c->time_base));
  return t;
}

Track add_audio(av::Mp4Writer& out, const SynthAudio& a, const std::string& path) {
  const AVCodec* codec = find_encoder(a.codec, path);
  Track t;
  t.audio = &a;
  t.enc.reset(avcodec_alloc_context3(codec));
  AVCodecContext* c = t.enc.get();
  c->sample_rate = a.sample_rate;
  av_channel_layout_default(&c->ch_layout, a.channels);
  c->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
  c->time_base = {1, a.sample_rate};
  c->bit_rate = a.codec == "libopus" ? 64000 : 0;
  if (out.global_header()) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  av::check(avcodec_open2(c, codec, nullptr), ErrorKind::unsupported, path, "cannot open encoder " + a.codec);
  t.stream = out.add_encoded(c);
  if (!a.language.empty()) av_dict_set(&out.stream(t.stream)->metadata, "language", a.language.c_str(), 0);
  t.next_pts = std::llround(a.start * a.sample_rate);
  return t;
}

bool near_mark(const std::vector<double>& marks, double t, double width) {
  for (double m : marks)
    if (t >= m && t < m + width) return true;
  return false;
}

// A diagonal gradient that moves one pixel a frame, plus flash frames of one grey (white by default).
void paint_picture(AVFrame* f, const SynthSpec& spec, int64_t index, bool flash) {
  const bool deep = spec.bit_depth > 8;
  const int shift = deep ? 2 : 0;
  const int lo = spec.full_range ? 0 : 16, hi = spec.full_range ? 255 : 235;
  const int flash_y = static_cast<int>(std::lround((lo + spec.flash_level * (hi - lo)) * (1 << shift)));
  for (int plane = 0; plane < 3; ++plane) {
    int w = plane ? (f->width + 1) / 2 : f->width, h = plane ? (f->height + 1) / 2 : f->height;
    for (int y = 0; y < h; ++y) {
      uint8_t* row = f->data[plane] + static_cast<ptrdiff_t>(y) * f->linesize[plane];
      for (int x = 0; x < w; ++x) {
        int v;
        if (plane == 0) v = (lo + ((x + y + static_cast<int>(index) * 2) % (hi - lo - 40))) << shift;
        else v = (128 + ((plane == 1 ? x : y) * 64 / std::max(1, w)) - 32) << shift;
        if (flash) v = plane == 0 ? flash_y : 128 << shift;
        if (deep) reinterpret_cast<uint16_t*>(row)[x] = static_cast<uint16_t>(v);
        else row[x] = static_cast<uint8_t>(v);
      }
    }
  }
}

void store_sample(AVFrame* f, int ch, int i, double v) {
  auto fmt = static_cast<AVSampleFormat>(f->format);
  bool planar = av_sample_fmt_is_planar(fmt);
  int channels = f->ch_layout.nb_channels;
  uint8_t* base = f->data[planar ? ch : 0];
  int idx = planar ? i : i * channels + ch;
  switch (av_get_packed_sample_fmt(fmt)) {
    case AV_SAMPLE_FMT_S16: reinterpret_cast<int16_t*>(base)[idx] = static_cast<int16_t>(v * 32767); break;
    case AV_SAMPLE_FMT_S32: reinterpret_cast<int32_t*>(base)[idx] = static_cast<int32_t>(v * 2147483647.0); break;
    case AV_SAMPLE_FMT_FLT: reinterpret_cast<float*>(base)[idx] = static_cast<float>(v); break;
    case AV_SAMPLE_FMT_DBL: reinterpret_cast<double*>(base)[idx] = v; break;
    case AV_SAMPLE_FMT_U8: base[idx] = static_cast<uint8_t>(128 + v * 127); break;
    default: throw Error(ErrorKind::unsupported, "synthesize", "unsupported sample format");
  }
}

void paint_audio(AVFrame* f, const SynthAudio& a, const SynthSpec& spec, int64_t first_sample) {
  for (int i = 0; i < f->nb_samples; ++i) {
    double t = static_cast<double>(first_sample + i) / a.sample_rate;
    double v = a.tone_hz > 0 ? 0.2 * std::sin(2 * std::numbers::pi * a.tone_hz * t) : 0.0;
    if (near_mark(spec.beeps, t, 0.05)) v = 0.8 * std::sin(2 * std::numbers::pi * 1000 * t);
    for (int ch = 0; ch < f->ch_layout.nb_channels; ++ch) store_sample(f, ch, i, v);
  }
}

void write_packets(av::Mp4Writer& out, Track& t, const std::string& path) {
  auto pkt = av::make_packet();
  while (true) {
    int ret = avcodec_receive_packet(t.enc.get(), pkt.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    av::check_internal(ret, path, "encode");
    av_packet_rescale_ts(pkt.get(), t.enc->time_base, out.time_base(t.stream));
    pkt->stream_index = t.stream;
    out.write(pkt.get());
  }
}

av::Frame next_frame(Track& t, const SynthSpec& spec) {
  auto f = av::make_frame();
  AVCodecContext* c = t.enc.get();
  if (!t.audio) {
    f->format = c->pix_fmt, f->width = c->width, f->height = c->height;
  } else {
    f->format = c->sample_fmt, f->sample_rate = c->sample_rate;
    av_channel_layout_copy(&f->ch_layout, &c->ch_layout);
    f->nb_samples = c->frame_size > 0 ? c->frame_size : 1024;
  }
  av::check_internal(av_frame_get_buffer(f.get(), 0), "synthesize", "frame buffer");
  f->pts = t.next_pts;
  if (!t.audio) {
    double frame_time = av_q2d(av_inv_q(c->framerate));
    bool flash = near_mark(spec.flashes, t.next_time(), frame_time);
    paint_picture(f.get(), spec, t.frame_index, flash);
    f->color_range = c->color_range;
    int64_t step = spec.vfr && (t.frame_index % 2) ? 4 : 2;
    t.next_pts += step;
  } else {
    paint_audio(f.get(), *t.audio, spec, t.next_pts);
    t.next_pts += f->nb_samples;
  }
  ++t.frame_index;
  return f;
}

void encode_all(av::Mp4Writer& out, std::vector<Track>& tracks, const SynthSpec& spec, const std::string& path) {
  while (true) {
    Track* behind = nullptr;
    for (auto& t : tracks)
      if (!t.done && (!behind || t.next_time() < behind->next_time())) behind = &t;
    if (!behind) return;
    if (behind->next_time() >= spec.duration) {
      av::check_internal(avcodec_send_frame(behind->enc.get(), nullptr), path, "flush");
      write_packets(out, *behind, path);
      behind->done = true;
      continue;
    }
    auto frame = next_frame(*behind, spec);
    av::check_internal(avcodec_send_frame(behind->enc.get(), frame.get()), path, "encode");
    write_packets(out, *behind, path);
  }
}

// The writer copies them in start(); they live until the writer is done.
struct MuxerOptions {
  AVDictionary* dict = nullptr;
  MuxerOptions() = default;
  MuxerOptions(const MuxerOptions&) = delete;
  MuxerOptions& operator=(const MuxerOptions&) = delete;
  ~MuxerOptions() { av_dict_free(&dict); }
};

// The container named in the spec, else the one FFmpeg guesses from the extension.
std::string container_for(const std::string& path, const SynthSpec& spec) {
  if (!spec.container.empty()) return spec.container;
  const AVOutputFormat* guess = av_guess_format(nullptr, path.c_str(), nullptr);
  if (!guess) throw Error(ErrorKind::usage, path, "cannot choose a container from the file name");
  return guess->name;
}

}  // namespace

void synthesize(const std::string& path, const SynthSpec& spec) {
  MuxerOptions muxer;
  if (spec.live) av_dict_set(&muxer.dict, "live", "1", 0);
  av::Mp4Writer out(path, {.container = container_for(path, spec), .faststart = spec.faststart, .muxer_options = muxer.dict});
  std::vector<Track> tracks;
  if (spec.video) tracks.push_back(add_video(out, spec, path));
  for (const auto& a : spec.audio) tracks.push_back(add_audio(out, a, path));
  if (tracks.empty()) throw Error(ErrorKind::usage, path, "nothing to synthesize: no video and no audio");
  out.start();
  encode_all(out, tracks, spec, path);
  out.finish();
}

}  // namespace omnicut
