#include "codecs/keyframes.h"

#include <cmath>
#include <limits>

#include "codecs/av_error.h"
#include "codecs/input.h"

namespace omnicut {
namespace {

constexpr double kAudioTolerance = 0.0005;  // seconds: an AAC packet is 21 ms, a sample 0.02 ms

struct Scan {
  const av::OpenedMedia* media = nullptr;
  AVStream* video = nullptr;
  AVStream* audio = nullptr;
  double half_frame = 0.02;
  double video_end = 0, audio_end = 0;  // end of the last packet read, seconds after the origin
  double seconds(const AVStream* st, int64_t ts) const { return media->seconds(st, ts); }
};

void look_at_video(const AVPacket* p, const Scan& s, double start, std::optional<double> end, CutPoints& c) {
  double t = s.seconds(s.video, p->pts);
  if (!(p->flags & AV_PKT_FLAG_KEY)) return;
  if (std::abs(t - start) <= s.half_frame) c.start_on_keyframe = true;
  if (t <= start + s.half_frame) c.keyframe_before = std::max(c.keyframe_before, t);
  else if (!c.keyframe_after || t < *c.keyframe_after) c.keyframe_after = t;
  if (end && std::abs(t - *end) <= s.half_frame) c.end_on_keyframe = true;
}

void look_at_audio(const AVPacket* p, const Scan& s, double start, std::optional<double> end, bool& start_hit,
                   bool& end_hit) {
  double t = s.seconds(s.audio, p->pts);
  if (std::abs(t - start) <= kAudioTolerance) start_hit = true;
  if (end && std::abs(t - *end) <= kAudioTolerance) end_hit = true;
}

}  // namespace

CutPoints find_cut_points(const std::string& path, int video_stream, int audio_stream, double start,
                          std::optional<double> end) {
  // Packet headers are all it reads: no stream-info search for MP4, no reading for the duration.
  av::OpenedMedia media = av::open_media(path, {.quick = true, .true_duration = false});
  AVFormatContext* in = media.get();
  Scan s;
  s.media = &media;
  auto pick = [&](int index) -> AVStream* {
    return index >= 0 && index < static_cast<int>(in->nb_streams) ? in->streams[index] : nullptr;
  };
  s.video = pick(video_stream);
  s.audio = pick(audio_stream);
  if (s.video && s.video->avg_frame_rate.num > 0) s.half_frame = 0.5 / av_q2d(s.video->avg_frame_rate);

  if (start > 0) {
    // A millisecond past the start, so that a keyframe exactly on it is not lost to rounding.
    int64_t target = media.container_time(start) + 1000;
    avformat_seek_file(in, -1, std::numeric_limits<int64_t>::min(), target, target, 0);
  }
  CutPoints c;
  c.keyframe_before = -1;
  bool audio_start = false, audio_end = false;
  const double stop_after = (end ? *end : start) + 2.0;  // past the end: nothing more to learn
  auto pkt = av::make_packet();
  while (av_read_frame(in, pkt.get()) >= 0) {
    if (pkt->pts != AV_NOPTS_VALUE) {
      if (s.video && pkt->stream_index == s.video->index) {
        look_at_video(pkt.get(), s, start, end, c);
        s.video_end = std::max(s.video_end, s.seconds(s.video, pkt->pts + pkt->duration));
      } else if (s.audio && pkt->stream_index == s.audio->index) {
        look_at_audio(pkt.get(), s, start, end, audio_start, audio_end);
        s.audio_end = std::max(s.audio_end, s.seconds(s.audio, pkt->pts + pkt->duration));
      }
    }
    bool video_past = !s.video || s.video_end > stop_after;
    bool audio_past = !s.audio || s.audio_end > stop_after;
    av_packet_unref(pkt.get());
    if (video_past && audio_past && (!end || c.keyframe_after)) break;
  }
  if (s.video && (!end || *end >= s.video_end - s.half_frame)) c.end_on_keyframe = true;
  if (s.audio) {
    c.audio_start_aligned = audio_start;
    c.audio_end_aligned = audio_end || !end || *end >= s.audio_end - kAudioTolerance;
  }
  if (c.keyframe_before < 0) c.keyframe_before = 0;
  return c;
}

}  // namespace omnicut
