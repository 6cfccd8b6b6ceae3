#include "codecs/scene_detect.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "codecs/av_error.h"
#include "codecs/filter_graph.h"
#include "codecs/input.h"
#include "common/interrupt.h"

namespace omnicut {

SceneScan scan_scenes(const std::string& path, double threshold) {
  auto in = av::open_input(path);
  int vi = -1;
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVStream* s = in->streams[i];
    if (vi < 0 && s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
      vi = static_cast<int>(i);
    else
      in->streams[i]->discard = AVDISCARD_ALL;
  }
  if (vi < 0) throw Error(ErrorKind::unsupported, path, "no video stream");
  AVStream* st = in->streams[vi];
  const AVCodec* codec = avcodec_find_decoder(st->codecpar->codec_id);
  if (!codec) throw Error(ErrorKind::unsupported, path, "no decoder for its video");
  av::CodecContext dec(avcodec_alloc_context3(codec));
  av::check_internal(avcodec_parameters_to_context(dec.get(), st->codecpar), path, "decoder parameters");
  dec->pkt_timebase = st->time_base;
  dec->thread_count = 0;
  dec->skip_loop_filter = AVDISCARD_ALL;
  av::check(avcodec_open2(dec.get(), codec, nullptr), ErrorKind::unsupported, path, "cannot open video decoder");

  char chain[128];
  std::snprintf(chain, sizeof chain, "scale=160:90:flags=fast_bilinear,select='gt(scene,%.3f)'", threshold);
  auto filter = av::FilterChain::video(dec.get(), st->time_base, chain, path);
  const double tb = av_q2d(st->time_base);
  const double origin = st->start_time != AV_NOPTS_VALUE ? st->start_time * tb : 0;

  SceneScan scan;
  auto pkt = av::make_packet();
  auto frame = av::make_frame();
  auto picked = av::make_frame();
  int64_t last_pts = AV_NOPTS_VALUE, last_duration = 0;
  auto drain_filter = [&] {
    while (filter.pull(picked.get())) {
      if (picked->pts != AV_NOPTS_VALUE) scan.scene_changes.push_back(picked->pts * tb - origin);
      av_frame_unref(picked.get());
    }
  };
  auto receive = [&] {
    while (avcodec_receive_frame(dec.get(), frame.get()) >= 0) {
      int64_t pts = frame->best_effort_timestamp;
      if (pts != AV_NOPTS_VALUE) {
        scan.frame_times.push_back(pts * tb - origin);
        if (last_pts == AV_NOPTS_VALUE || pts > last_pts) last_pts = pts, last_duration = frame->pkt_duration;
      }
      frame->pts = pts;
      filter.push(frame.get());
      av_frame_unref(frame.get());
      drain_filter();
    }
  };
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (interrupted()) throw Error(ErrorKind::interrupted, path, "interrupted");
    if (pkt->stream_index == vi) avcodec_send_packet(dec.get(), pkt.get());
    av_packet_unref(pkt.get());
    receive();
  }
  avcodec_send_packet(dec.get(), nullptr);
  receive();
  filter.push(nullptr);
  drain_filter();
  if (scan.frame_times.empty()) throw Error(ErrorKind::unsupported, path, "no video frame could be decoded");
  std::sort(scan.frame_times.begin(), scan.frame_times.end());
  // The last frame lasts as long as frames usually do (its packet duration is often rounded).
  const auto& t = scan.frame_times;
  double step = last_duration > 0 ? last_duration * tb : 0;
  if (t.size() > 1) {
    std::vector<double> gaps;
    for (size_t i = 1; i < t.size(); ++i) gaps.push_back(t[i] - t[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    step = gaps[gaps.size() / 2];
  }
  scan.end = t.back() + step;
  return scan;
}

}  // namespace omnicut
