#include "codecs/scene_detect.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>
#include <set>

#include "codecs/av_error.h"
#include "codecs/filter_graph.h"
#include "codecs/input.h"
#include "common/interrupt.h"

namespace omnicut {
namespace {

// select's scene score on 160x90 pictures, every frame passed on with the score in its metadata
// (lavfi.scene_score) so the threshold can be applied here.
constexpr const char* kSceneChain = "scale=160:90:flags=fast_bilinear,select='gte(scene,0)'";

struct Scored {
  int64_t pts;
  double score;
};

// One decoding pass over the video stream from where `in` stands; `on_packet` sees every video
// packet, the scores come back in presentation order. `until` stops it after that pts.
class ScorePass {
 public:
  // A score on 160x90 pictures needs neither deblocked nor bit-exact ones.
  ScorePass(AVFormatContext* in, const AVStream* st, const std::string& path, bool skip_nonref)
      : in_(in), vi_(st->index), path_(path),
        dec_(av::open_decoder(st, path, {.threads = true, .fast = true, .reference_only = skip_nonref})) {
    filter_.emplace(av::FilterChain::video(dec_.get(), st->time_base, kSceneChain, path));
  }

  std::vector<Scored> run(const std::function<void(const AVPacket*)>& on_packet,
                          int64_t until = AV_NOPTS_VALUE) {
    auto pkt = av::make_packet();
    bool past = false;
    while (!past && av_read_frame(in_, pkt.get()) >= 0) {
      if (interrupted()) throw Error(ErrorKind::interrupted, path_, "interrupted");
      if (pkt->stream_index == vi_) {
        if (on_packet) on_packet(pkt.get());
        avcodec_send_packet(dec_.get(), pkt.get());
      }
      av_packet_unref(pkt.get());
      past = receive(until);
    }
    if (!past) {
      avcodec_send_packet(dec_.get(), nullptr);
      receive(until);
    }
    filter_->push(nullptr);
    drain();
    return std::move(scored_);
  }

  const std::vector<int64_t>& decoded() const { return decoded_; }

 private:
  // True once a frame after `until` came out.
  bool receive(int64_t until) {
    auto frame = av::make_frame();
    bool past = false;
    while (avcodec_receive_frame(dec_.get(), frame.get()) >= 0) {
      int64_t pts = frame->best_effort_timestamp;
      if (pts != AV_NOPTS_VALUE) decoded_.push_back(pts);
      if (until != AV_NOPTS_VALUE && pts != AV_NOPTS_VALUE && pts > until) past = true;
      frame->pts = pts;
      filter_->push(frame.get());
      av_frame_unref(frame.get());
      drain();
    }
    return past;
  }

  void drain() {
    auto out = av::make_frame();
    while (filter_->pull(out.get())) {
      const AVDictionaryEntry* e = av_dict_get(out->metadata, "lavfi.scene_score", nullptr, 0);
      if (out->pts != AV_NOPTS_VALUE) scored_.push_back({out->pts, e ? std::atof(e->value) : 0.0});
      av_frame_unref(out.get());
    }
  }

  AVFormatContext* in_;
  int vi_;
  std::string path_;
  av::CodecContext dec_;
  std::optional<av::FilterChain> filter_;
  std::vector<Scored> scored_;
  std::vector<int64_t> decoded_;
};

double frame_end(const std::vector<double>& t, double last_duration) {
  double step = last_duration;
  if (t.size() > 1) {
    std::vector<double> gaps;
    for (size_t i = 1; i < t.size(); ++i) gaps.push_back(t[i] - t[i - 1]);
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    step = gaps[gaps.size() / 2];
  }
  return t.back() + step;
}

}  // namespace

// The scan decodes only the reference pictures (non-reference B-frames are about a third of the
// decoding work); every frame's time comes from its packet. Scores between pictures further
// apart are not select's own, so they only nominate: a score above half the threshold sends that
// stretch to a full decode from the keyframe before it, whose scores decide and put the change
// on its exact frame. Files whose packets lack times, or whose decoded times are not among them,
// are scanned again with every picture decoded.
SceneScan scan_scenes(const std::string& path, double threshold) {
  av::OpenedMedia media = av::open_media(path);
  if (!media.video) throw Error(ErrorKind::unsupported, path, "no video stream");
  const AVStream* st = media.video;
  for (unsigned i = 0; i < media->nb_streams; ++i)
    if (media->streams[i] != st) media->streams[i]->discard = AVDISCARD_ALL;
  AVFormatContext* in = media.get();
  const double tb = av_q2d(st->time_base);

  std::vector<int64_t> packets;
  bool untimed = false;
  int64_t last_pts = AV_NOPTS_VALUE, last_duration = 0;
  ScorePass quick(in, st, path, true);
  auto scored = quick.run([&](const AVPacket* p) {
    if (p->flags & AV_PKT_FLAG_DISCARD) return;
    if (p->pts == AV_NOPTS_VALUE) untimed = true;
    else packets.push_back(p->pts);
    if (p->pts != AV_NOPTS_VALUE && (last_pts == AV_NOPTS_VALUE || p->pts > last_pts))
      last_pts = p->pts, last_duration = p->duration;
  });
  std::sort(packets.begin(), packets.end());
  const std::set<int64_t> packet_set(packets.begin(), packets.end());
  bool consistent = !untimed && !quick.decoded().empty();
  for (int64_t pts : quick.decoded()) consistent = consistent && packet_set.count(pts);

  std::vector<int64_t> changes;
  if (!consistent) {
    // Every picture decoded: the scores are select's own, the times the decoded ones.
    av::check(avformat_seek_file(in, st->index, INT64_MIN, media.ticks(st, 0), INT64_MAX, 0),
              ErrorKind::not_media, path, "cannot rewind for the scene scan");
    ScorePass full(in, st, path, false);
    for (const auto& s : full.run({}))
      if (s.score > threshold) changes.push_back(s.pts);
    packets = full.decoded();
    std::sort(packets.begin(), packets.end());
  } else {
    std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return a.pts < b.pts; });
    // Stretches to decode in full: around each picture scoring above half the threshold, from
    // the decoded picture before it; stretches less than two seconds apart are decoded as one.
    std::vector<std::pair<int64_t, int64_t>> stretches;
    const auto merge_gap = static_cast<int64_t>(2.0 / tb);
    for (size_t i = 1; i < scored.size(); ++i) {
      if (scored[i].score <= threshold / 2) continue;
      int64_t a = scored[i - 1].pts, b = scored[i].pts;
      if (!stretches.empty() && a - stretches.back().second <= merge_gap) stretches.back().second = b;
      else stretches.push_back({a, b});
    }
    for (auto [a, b] : stretches) {
      if (av_seek_frame(in, st->index, a, AVSEEK_FLAG_BACKWARD) < 0)
        throw Error(ErrorKind::not_media, path, "cannot seek for the scene scan");
      ScorePass exact(in, st, path, false);
      for (const auto& s : exact.run({}, b))
        if (s.pts > a && s.pts <= b && s.score > threshold) changes.push_back(s.pts);
    }
  }
  if (packets.empty()) throw Error(ErrorKind::unsupported, path, "no video frame could be decoded");

  SceneScan scan;
  for (int64_t p : packets) scan.frame_times.push_back(media.seconds(st, p));
  std::sort(changes.begin(), changes.end());
  changes.erase(std::unique(changes.begin(), changes.end()), changes.end());
  for (int64_t c : changes) scan.scene_changes.push_back(media.seconds(st, c));
  // The last frame lasts as long as frames usually do (its packet duration is often rounded).
  scan.end = frame_end(scan.frame_times, last_duration > 0 ? last_duration * tb : 0);
  return scan;
}

}  // namespace omnicut
