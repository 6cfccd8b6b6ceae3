#include "codecs/probe.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <vector>

#include "codecs/input.h"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

namespace omnicut {
namespace {

// Enough packets to see the cadence (B-frame reordering, alternating durations) without reading
// the file: about 4 s at 30 fps, or 5 s of timestamps, whichever comes first.
constexpr size_t kCadencePackets = 120;
constexpr double kCadenceSeconds = 5.0;
constexpr int kMaxPacketsRead = 4000;  // other streams' packets included; bounds a video-less run

double seconds(int64_t ts, AVRational tb) { return ts == AV_NOPTS_VALUE ? 0.0 : ts * av_q2d(tb); }

std::string name_or_empty(const char* s) { return s ? s : ""; }

// Named as ffprobe names it, "unknown" for a codec this FFmpeg does not know at all.
std::string codec_name(AVCodecID id) {
  const AVCodecDescriptor* d = avcodec_descriptor_get(id);
  return d ? d->name : "unknown";
}

Rational sample_aspect(AVFormatContext* ic, AVStream* st) {
  AVRational sar = av_guess_sample_aspect_ratio(ic, st, nullptr);
  if (sar.num <= 0 || sar.den <= 0) return {1, 1};
  av_reduce(&sar.num, &sar.den, sar.num, sar.den, 1 << 30);
  return {sar.num, sar.den};
}

// The display matrix as a horizontal mirror of the stored picture followed by a clockwise
// rotation (what codecs/transcode.h's Geometry undoes). A negative determinant means a mirror;
// av_display_rotation_get alone would call a plain flip -180°. Undoing the input mirror (negating
// the first row) leaves a pure rotation, whose clockwise angle is minus the counter-clockwise one
// av_display_rotation_get returns (ffprobe's "rotation -90" is a phone's portrait clip, cw 90).
void read_orientation(AVStream* st, VideoInfo& v) {
  size_t size = 0;
  const uint8_t* data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (!data || size < 9 * sizeof(int32_t)) return;
  int32_t m[9];
  std::copy_n(reinterpret_cast<const int32_t*>(data), 9, m);
  double det = static_cast<double>(m[0]) * m[4] - static_cast<double>(m[1]) * m[3];
  v.mirrored = det < 0;
  if (v.mirrored) m[0] = -m[0], m[1] = -m[1];
  double ccw = av_display_rotation_get(m);
  if (std::isnan(ccw)) return;
  int cw = static_cast<int>(std::lround(-ccw / 90.0)) * 90;
  v.rotation = ((cw % 360) + 360) % 360;
}

// Square pixels first (width stretched by the SAR, height kept), then the rotation.
void set_display_size(VideoInfo& v) {
  int w = static_cast<int>(std::lround(v.width * v.sar.value()));
  int h = v.height;
  bool quarter_turn = v.rotation == 90 || v.rotation == 270;
  v.display_width = quarter_turn ? h : w;
  v.display_height = quarter_turn ? w : h;
}

void read_pixels(const AVCodecParameters* par, VideoInfo& v) {
  auto fmt = static_cast<AVPixelFormat>(par->format);
  v.pix_fmt = name_or_empty(av_get_pix_fmt_name(fmt));
  if (const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(fmt)) v.bit_depth = d->comp[0].depth;
  else if (par->bits_per_raw_sample > 0) v.bit_depth = par->bits_per_raw_sample;
  bool jpeg_range = fmt == AV_PIX_FMT_YUVJ420P || fmt == AV_PIX_FMT_YUVJ422P || fmt == AV_PIX_FMT_YUVJ444P;
  auto range = par->color_range == AVCOL_RANGE_UNSPECIFIED && jpeg_range ? AVCOL_RANGE_JPEG : par->color_range;
  v.color_range = name_or_empty(av_color_range_name(range));
  v.color_transfer = name_or_empty(av_color_transfer_name(par->color_trc));
  v.hdr = par->color_trc == AVCOL_TRC_SMPTE2084 || par->color_trc == AVCOL_TRC_ARIB_STD_B67;
}

VideoInfo read_video(const av::OpenedMedia& m, AVStream* st) {
  AVFormatContext* ic = m.get();
  const AVCodecParameters* par = st->codecpar;
  VideoInfo v;
  v.index = st->index;
  v.codec = codec_name(par->codec_id);
  v.profile = name_or_empty(avcodec_profile_name(par->codec_id, par->profile));
  v.decodable = par->codec_id != AV_CODEC_ID_NONE && avcodec_find_decoder(par->codec_id);
  v.width = par->width;
  v.height = par->height;
  v.sar = sample_aspect(ic, st);
  read_orientation(st, v);
  set_display_size(v);
  read_pixels(par, v);
  v.duration = m.stream_duration[st->index];
  v.start = stream_start(m, st->index);
  v.bit_rate = par->bit_rate;
  return v;
}

AudioInfo read_audio(const av::OpenedMedia& m, AVStream* st) {
  const AVCodecParameters* par = st->codecpar;
  AudioInfo a;
  a.index = st->index;
  a.codec = codec_name(par->codec_id);
  a.decodable = par->codec_id != AV_CODEC_ID_NONE && avcodec_find_decoder(par->codec_id);
  a.sample_rate = par->sample_rate;
  a.channels = par->ch_layout.nb_channels;
  // A file that gives only a channel count (PCM in Matroska) plays with the default layout.
  AVChannelLayout layout_used{};
  if (par->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&layout_used, a.channels);
  else av_channel_layout_copy(&layout_used, &par->ch_layout);
  char layout[128] = "";
  if (a.channels > 0 && av_channel_layout_describe(&layout_used, layout, sizeof layout) > 0) a.layout = layout;
  av_channel_layout_uninit(&layout_used);
  if (const AVDictionaryEntry* e = av_dict_get(st->metadata, "language", nullptr, 0)) a.language = e->value;
  a.start = stream_start(m, st->index);
  a.duration = m.stream_duration[st->index];
  return a;
}

// Presentation times of the first video packets, in stream ticks, sorted and without gaps that
// reordering could still fill: packets come in decode order, and H.264/HEVC reorder at most 16
// frames, so no later packet shows before the earliest of the last 16 read.
std::vector<int64_t> first_video_times(AVFormatContext* ic, const AVStream* st) {
  constexpr size_t kReorderWindow = 16;
  std::vector<int64_t> times;
  std::deque<int64_t> recent;
  auto pkt = av::make_packet();
  const int64_t span_limit = static_cast<int64_t>(kCadenceSeconds / av_q2d(st->time_base));
  const auto complete_up_to = [&] { return *std::min_element(recent.begin(), recent.end()); };
  bool reached_end = false;
  for (int read = 0; read < kMaxPacketsRead && times.size() < kCadencePackets + kReorderWindow; ++read) {
    if (av_read_frame(ic, pkt.get()) < 0) {
      reached_end = true;
      break;
    }
    int64_t t = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    bool ours = pkt->stream_index == st->index && t != AV_NOPTS_VALUE;
    av_packet_unref(pkt.get());
    if (!ours) continue;
    times.push_back(t);
    recent.push_back(t);
    if (recent.size() > kReorderWindow) recent.pop_front();
    if (recent.size() == kReorderWindow && complete_up_to() - *std::min_element(times.begin(), times.end()) >= span_limit) break;
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  if (!reached_end && !recent.empty())
    times.erase(std::upper_bound(times.begin(), times.end(), complete_up_to()), times.end());
  return times;
}

// Average rate and variability from the spacing of presentation times.
void measure_cadence(AVFormatContext* ic, AVStream* st, VideoInfo& v) {
  std::vector<int64_t> t = first_video_times(ic, st);
  AVRational nominal = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  if (t.size() < 3) {
    v.fps = nominal.num > 0 && nominal.den > 0 ? av_q2d(nominal) : 0;
    v.peak_fps = v.fps;
    return;
  }
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < t.size(); ++i) gaps.push_back(t[i] - t[i - 1]);
  auto [lo, hi] = std::minmax_element(gaps.begin(), gaps.end());
  double tick = av_q2d(st->time_base);
  double mean = static_cast<double>(t.back() - t.front()) / static_cast<double>(gaps.size());
  v.fps = 1.0 / (mean * tick);
  v.peak_fps = 1.0 / (static_cast<double>(*lo) * tick);
  // Timestamps rounded to the time base wobble by one tick (33/34 ms at 30 fps in Matroska).
  v.vfr = *hi - *lo > 1 && static_cast<double>(*hi - *lo) > 0.02 * mean;
  // Report the container's exact rational rate when the measurement agrees with it.
  if (!v.vfr && nominal.num > 0 && nominal.den > 0 && std::abs(av_q2d(nominal) - v.fps) < 0.005 * v.fps)
    v.fps = v.peak_fps = av_q2d(nominal);
}

}  // namespace

MediaInfo media_info_of(const av::OpenedMedia& m) {
  const AVFormatContext* ic = m.get();
  MediaInfo info;
  info.path = m.path;
  info.container = ic->iformat->name;
  std::error_code ec;
  info.size = std::filesystem::file_size(m.path, ec);
  info.duration = m.duration;
  info.duration_from_packets = m.duration_from_packets;
  info.start = ic->start_time != AV_NOPTS_VALUE ? seconds(ic->start_time, AV_TIME_BASE_Q) : m.origin;
  info.origin = m.origin;
  info.length = m.end();
  info.stream_count = static_cast<int>(ic->nb_streams);
  return info;
}

double stream_start(const av::OpenedMedia& m, int index) { return m.origin + m.stream_start[index]; }

MediaInfo probe(const std::string& path) {
  av::OpenedMedia m = av::open_media(path);
  AVFormatContext* ic = m.get();
  MediaInfo info = media_info_of(m);
  for (unsigned i = 0; i < ic->nb_streams; ++i)
    if (ic->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) info.audio.push_back(read_audio(m, ic->streams[i]));
  if (m.video) {
    info.video = read_video(m, m.video);
    measure_cadence(ic, m.video, *info.video);
  }
  return info;
}

}  // namespace omnicut
