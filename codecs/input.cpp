#include "codecs/input.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "codecs/av_error.h"
#include "codecs/av_log.h"

namespace omnicut::av {
namespace fs = std::filesystem;

void check_readable_file(const std::string& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw Error(ErrorKind::not_found, path, "no such file");
  if (fs::is_directory(st)) throw Error(ErrorKind::not_found, path, "is a directory, not a media file");
  if (!fs::is_regular_file(st)) throw Error(ErrorKind::not_found, path, "not a regular file");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw Error(ErrorKind::not_found, path, std::string("cannot read: ") + std::strerror(errno));
  if (fs::file_size(path, ec) == 0) throw Error(ErrorKind::not_media, path, "empty file");
}

namespace {

constexpr int64_t kNoTime = AV_NOPTS_VALUE;

// FFmpeg's own log line says more than "Invalid data found" (e.g. "moov atom not found").
std::string cause_with_log(const std::string& what, int ret) {
  std::string cause = what + ": " + error_text(ret);
  std::string log = last_log_line();
  if (auto pos = log.find("] "); pos != std::string::npos) log = log.substr(pos + 2);
  if (!log.empty() && log.find(error_text(ret)) == std::string::npos) cause += " (" + log + ")";
  return cause;
}

[[noreturn]] void fail_open(const std::string& path, const std::string& what, int ret) {
  ErrorKind expected = ret == AVERROR(ENOENT) || ret == AVERROR(EACCES) ? ErrorKind::not_found : ErrorKind::not_media;
  throw Error(kind_of(ret, expected), path, cause_with_log(what, ret), make_error(ret));
}

InputFormat open_header(const std::string& path) {
  check_readable_file(path);
  clear_last_log();
  AVFormatContext* raw = nullptr;
  int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (ret < 0) fail_open(path, "not a readable media file", ret);
  return InputFormat(raw);
}

void read_stream_info(AVFormatContext* fmt, const std::string& path) {
  int ret = avformat_find_stream_info(fmt, nullptr);
  if (ret < 0) fail_open(path, "cannot read stream info", ret);
}

// MP4/MOV and Matroska headers describe every stream; anything else (or an odd file) needs the search.
bool headers_complete(const AVFormatContext* fmt) {
  const std::string name = fmt->iformat->name;
  if ((name.rfind("mov", 0) != 0 && name.rfind("matroska", 0) != 0) || fmt->nb_streams == 0) return false;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVCodecParameters* p = fmt->streams[i]->codecpar;
    if (p->codec_type == AVMEDIA_TYPE_VIDEO && (p->codec_id == AV_CODEC_ID_NONE || p->width <= 0 || p->height <= 0))
      return false;
    if (p->codec_type == AVMEDIA_TYPE_AUDIO &&
        (p->codec_id == AV_CODEC_ID_NONE || p->sample_rate <= 0 || p->ch_layout.nb_channels <= 0))
      return false;
  }
  return true;
}

double stream_seconds(const AVStream* st, int64_t ts) { return ts * av_q2d(st->time_base); }

// The lowest presentation time among a stream's first packets (B-frames arrive out of order),
// for a quick open whose headers did not give start_time; leaves the demuxer back at its start.
int64_t first_pts_from_packets(AVFormatContext* fmt, int index) {
  constexpr int kPackets = 16;       // H.264/HEVC reorder at most 16 frames
  constexpr int kMaxPackets = 1000;  // other streams' included: bounds a stream with no packets
  int64_t lo = kNoTime;
  auto pkt = make_packet();
  for (int seen = 0, read = 0; seen < kPackets && read < kMaxPackets && av_read_frame(fmt, pkt.get()) >= 0; ++read) {
    int64_t t = pkt->pts != kNoTime ? pkt->pts : pkt->dts;
    if (pkt->stream_index == index && t != kNoTime) lo = lo == kNoTime ? t : std::min(lo, t), ++seen;
    av_packet_unref(pkt.get());
  }
  av_seek_frame(fmt, index, INT64_MIN, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY);
  return lo;
}

// Each stream's first presentation time on the container's clock, seconds; NaN when unknown.
double stream_start_time(AVFormatContext* fmt, AVStream* st, bool may_scan) {
  int64_t ts = st->start_time;
  auto type = st->codecpar->codec_type;
  if (ts == kNoTime && may_scan && (type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO))
    ts = first_pts_from_packets(fmt, st->index);
  return ts == kNoTime ? std::nan("") : stream_seconds(st, ts);
}

bool duration_known(const AVFormatContext* fmt) {
  return fmt->duration != kNoTime && fmt->duration > 0 && fmt->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE;
}

// The end (pts + duration of the last packet) of every stream, in its ticks, read from the last
// `window` bytes of a second, header-only opening of the file so the caller's demuxer stays at its
// start. Streams with no packet there keep kNoTime.
std::vector<int64_t> stream_ends_from_tail(const std::string& path, int64_t window) {
  InputFormat tail = open_header(path);
  std::vector<int64_t> ends(tail->nb_streams, kNoTime);
  int64_t size = avio_size(tail->pb);
  if (window < size && !(tail->iformat->flags & AVFMT_NO_BYTE_SEEK))
    if (av_seek_frame(tail.get(), -1, size - window, AVSEEK_FLAG_BYTE) < 0) return ends;
  auto pkt = make_packet();
  while (av_read_frame(tail.get(), pkt.get()) >= 0) {
    int64_t t = pkt->pts != kNoTime ? pkt->pts : pkt->dts;
    auto i = static_cast<size_t>(pkt->stream_index);
    if (t != kNoTime && i < ends.size()) ends[i] = ends[i] == kNoTime ? t + pkt->duration : std::max(ends[i], t + pkt->duration);
    av_packet_unref(pkt.get());
  }
  return ends;
}

// Reads further back (4 MiB, then 64 MiB, then the whole file) until every stream has an end.
std::vector<int64_t> stream_ends_from_packets(const std::string& path, size_t streams) {
  constexpr int64_t kFirstWindow = 4 << 20;
  std::vector<int64_t> ends;
  for (int64_t window = kFirstWindow;; window *= 16) {
    ends = stream_ends_from_tail(path, window);
    bool all = ends.size() >= streams && std::none_of(ends.begin(), ends.end(), [](int64_t e) { return e == kNoTime; });
    if (all || window >= std::numeric_limits<int64_t>::max() / 16) return ends;
    std::error_code ec;
    if (static_cast<uintmax_t>(window) >= fs::file_size(path, ec)) return ends;
  }
}

void fill_durations(OpenedMedia& m, const OpenOptions& options, const std::vector<double>& starts) {
  AVFormatContext* fmt = m.get();
  const size_t n = fmt->nb_streams;
  m.stream_duration.assign(n, 0);
  bool missing = !duration_known(fmt);
  for (size_t i = 0; i < n; ++i) {
    const AVStream* st = fmt->streams[i];
    if (st->duration != kNoTime && st->duration > 0) m.stream_duration[i] = stream_seconds(st, st->duration);
    else missing = missing || options.stream_durations;
  }
  if (duration_known(fmt)) m.duration = fmt->duration / static_cast<double>(AV_TIME_BASE);
  if (!missing || !options.true_duration) {
    for (size_t i = 0; i < n; ++i)
      if (m.stream_duration[i] == 0) m.stream_duration[i] = m.duration;
    return;
  }
  std::vector<int64_t> ends = stream_ends_from_packets(m.path, n);
  double first = std::numeric_limits<double>::max(), last = 0;
  for (size_t i = 0; i < n && i < ends.size(); ++i) {
    if (ends[i] == kNoTime || std::isnan(starts[i])) continue;
    double end = stream_seconds(fmt->streams[i], ends[i]);
    if (m.stream_duration[i] == 0) m.stream_duration[i] = std::max(0.0, end - starts[i]);
    first = std::min(first, starts[i]);
    last = std::max(last, end);
  }
  if (!duration_known(fmt) && last > first) {
    m.duration = last - first;
    m.duration_from_packets = true;
  }
  for (size_t i = 0; i < n; ++i)
    if (m.stream_duration[i] == 0) m.stream_duration[i] = m.duration;
  if (m.duration_from_packets) fmt->duration = std::llround(m.duration * AV_TIME_BASE);
}

}  // namespace

int first_video_index(const AVFormatContext* fmt) {
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVStream* st = fmt->streams[i];
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
      return static_cast<int>(i);
  }
  return -1;
}

int first_decodable_audio_index(const AVFormatContext* fmt) {
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const AVCodecParameters* p = fmt->streams[i]->codecpar;
    if (p->codec_type == AVMEDIA_TYPE_AUDIO && avcodec_find_decoder(p->codec_id) && p->sample_rate > 0 &&
        p->ch_layout.nb_channels > 0)
      return static_cast<int>(i);
  }
  return -1;
}

InputFormat open_input(const std::string& path) {
  InputFormat input = open_header(path);
  read_stream_info(input.get(), path);
  if (input->nb_streams == 0) throw Error(ErrorKind::not_media, path, "no audio or video streams");
  return input;
}

OpenedMedia open_media(const std::string& path, const OpenOptions& options) {
  OpenedMedia m;
  m.path = path;
  m.format = open_header(path);
  bool quick = options.quick && headers_complete(m.get());
  if (!quick) read_stream_info(m.get(), path);
  AVFormatContext* fmt = m.get();
  if (fmt->nb_streams == 0) throw Error(ErrorKind::not_media, path, "no audio or video streams");
  if (int v = first_video_index(fmt); v >= 0) m.video = fmt->streams[v];
  if (int a = first_decodable_audio_index(fmt); a >= 0) m.audio = fmt->streams[a];

  std::vector<double> starts(fmt->nb_streams);
  for (unsigned i = 0; i < fmt->nb_streams; ++i) starts[i] = stream_start_time(fmt, fmt->streams[i], quick);
  const AVStream* zero = m.video ? m.video : m.audio;
  if (zero && !std::isnan(starts[zero->index])) m.origin = starts[zero->index];
  else if (fmt->start_time != kNoTime) m.origin = fmt->start_time / static_cast<double>(AV_TIME_BASE);
  m.stream_start.resize(fmt->nb_streams);
  for (unsigned i = 0; i < fmt->nb_streams; ++i) m.stream_start[i] = std::isnan(starts[i]) ? 0 : starts[i] - m.origin;
  fill_durations(m, options, starts);
  return m;
}

double OpenedMedia::seconds(const AVStream* st, int64_t ts) const { return stream_seconds(st, ts) - origin; }

int64_t OpenedMedia::ticks(const AVStream* st, double s) const {
  return av_rescale_q(std::llround((origin + s) * AV_TIME_BASE), AV_TIME_BASE_Q, st->time_base);
}

int64_t OpenedMedia::container_time(double s) const { return std::llround((origin + s) * AV_TIME_BASE); }

double OpenedMedia::end() const {
  const AVStream* st = video ? video : audio;
  if (!st) return duration;
  return stream_start[st->index] + stream_duration[st->index];
}

CodecContext open_decoder(const AVStream* st, const std::string& subject, const DecoderOptions& options) {
  const char* name = avcodec_get_name(st->codecpar->codec_id);
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) throw Error(ErrorKind::unsupported, subject, std::string("this FFmpeg cannot decode ") + name);
  CodecContext dec(avcodec_alloc_context3(codec));
  if (!dec) throw Error(ErrorKind::internal, subject, "out of memory for a decoder");
  check_internal(avcodec_parameters_to_context(dec.get(), st->codecpar), subject, "decoder parameters");
  dec->pkt_timebase = st->time_base;
  if (options.threads) {
    dec->thread_count = 0;
    dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  }
  if (options.fast) {
    dec->skip_loop_filter = AVDISCARD_ALL;
    dec->flags2 |= AV_CODEC_FLAG2_FAST;
  }
  if (options.reference_only) dec->skip_frame = AVDISCARD_NONREF;
  check(avcodec_open2(dec.get(), codec, nullptr), ErrorKind::unsupported, subject,
        std::string("cannot open the ") + name + " decoder");
  return dec;
}

}  // namespace omnicut::av
