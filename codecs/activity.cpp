#include "codecs/activity.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

extern "C" {
#include <libavformat/avformat.h>
}

#include "codecs/av_error.h"
#include "codecs/av_ptr.h"
#include "codecs/filter_graph.h"
#include "codecs/input.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omnicut {

namespace {

constexpr int kW = 64, kH = 36;

// Mean absolute difference of two 64x36 grey pictures.
double difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  long sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(int(a[i]) - int(b[i]));
  return static_cast<double>(sum) / static_cast<double>(a.size());
}

std::vector<uint8_t> pixels(const AVFrame* f) {
  std::vector<uint8_t> p(kW * kH);
  for (int y = 0; y < kH; ++y) std::copy_n(f->data[0] + static_cast<ptrdiff_t>(y) * f->linesize[0], kW, p.data() + y * kW);
  return p;
}

}  // namespace

ActivitySignal activity_signal(const std::string& path, std::optional<double> start, std::optional<double> end) {
  av::OpenedMedia media = av::open_media(path);
  if (!media.video) throw Error(ErrorKind::unsupported, path, "no video stream to compare");
  AVStream* st = media.video;
  for (unsigned i = 0; i < media->nb_streams; ++i)
    if (media->streams[i] != st) media->streams[i]->discard = AVDISCARD_ALL;
  av::CodecContext dec = av::open_decoder(st, path);
  dec->skip_loop_filter = AVDISCARD_ALL;  // deblocking is invisible at 64x36, and a third of H.264's decode
  ActivitySignal s;
  s.start = std::max(0.0, start.value_or(0.0));
  s.end = end.value_or(media.end());
  if (s.start > 0) av_seek_frame(media.get(), st->index, media.ticks(st, s.start), AVSEEK_FLAG_BACKWARD);
  std::optional<av::FilterChain> chain;
  std::vector<uint8_t> last;
  auto frame = av::make_frame(), small = av::make_frame();
  auto take = [&](AVFrame* f) {
    double t = media.seconds(st, f->best_effort_timestamp);
    if (t < s.start - 1e-6 || t >= s.end - 1e-6) return;
    if (!chain) chain.emplace(av::FilterChain::video(dec.get(), st->time_base, "scale=64:36:flags=area,format=gray", path, 1));
    chain->push(f);
    while (chain->pull(small.get())) {
      std::vector<uint8_t> p = pixels(small.get());
      s.times.push_back(t);
      s.activity.push_back(last.empty() ? 0.0 : difference(p, last));
      last = std::move(p);
      av_frame_unref(small.get());
    }
  };
  auto pkt = av::make_packet();
  bool done = false;
  while (!done) {
    if (interrupted()) throw Error(ErrorKind::interrupted, path, "interrupted");
    int ret = av_read_frame(media.get(), pkt.get());
    if (ret < 0) {
      avcodec_send_packet(dec.get(), nullptr);
      done = true;
    } else if (pkt->stream_index == st->index) {
      avcodec_send_packet(dec.get(), pkt.get());
    }
    av_packet_unref(pkt.get());
    while (avcodec_receive_frame(dec.get(), frame.get()) >= 0) {
      bool past = media.seconds(st, frame->best_effort_timestamp) >= s.end;
      take(frame.get());
      av_frame_unref(frame.get());
      if (past) done = true;
    }
  }
  if (s.times.size() < 2) throw Error(ErrorKind::unsupported, path, "too few frames in the range to compare");
  return s;
}

}  // namespace omnicut
