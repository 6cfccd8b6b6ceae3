#include "codecs/concat.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "codecs/av_error.h"
#include "codecs/input.h"
#include "codecs/mp4_writer.h"
#include "codecs/transcode.h"
#include "common/atomic_file.h"
#include "common/interrupt.h"

namespace omnicut {
namespace {

// A part, opened, with its video chosen (a part without one is refused).
av::OpenedMedia open_part(const std::string& path) {
  auto m = av::open_media(path, {.quick = true, .true_duration = false});
  if (!m.video) throw Error(ErrorKind::unsupported, path, "no video stream");
  return m;
}

struct PartInfo {
  AVCodecID codec;
  int width, height, format;
  std::string extradata;
  AVRational rate;
  int stream;
};

PartInfo describe(const std::string& path) {
  auto in = open_part(path);
  const AVStream* st = in.video;
  const AVCodecParameters* p = st->codecpar;
  return {p->codec_id, p->width, p->height, p->format,
          std::string(reinterpret_cast<const char*>(p->extradata), p->extradata ? p->extradata_size : 0),
          st->avg_frame_rate, st->index};
}

// "" when every part's packets can follow one another in one track.
std::string copy_blocker(const std::vector<PartInfo>& infos, const std::vector<std::string>& parts) {
  const PartInfo& a = infos.front();
  for (size_t i = 1; i < infos.size(); ++i) {
    const PartInfo& b = infos[i];
    std::string what = b.codec != a.codec                          ? "codec"
                       : b.width != a.width || b.height != a.height ? "picture size"
                       : b.format != a.format                       ? "pixel format"
                       : b.extradata != a.extradata                 ? "codec headers"
                       : av_cmp_q(b.rate, a.rate) != 0              ? "frame rate"
                                                                    : "";
    if (!what.empty()) return parts[i] + " differs from " + parts[0] + " in " + what + ": re-encoded";
  }
  return "";
}

// Packets of one part's video onto the output track, its first frame where the previous part
// ended. Returns the part's duration in the output's time base.
class TrackJoiner {
 public:
  TrackJoiner(av::Mp4Writer& writer, int stream) : writer_(writer), stream_(stream) {}

  int64_t append(av::OpenedMedia& in, const std::string& output) {
    AVStream* st = in.video;
    for (unsigned i = 0; i < in->nb_streams; ++i)
      if (in->streams[i] != st) in->streams[i]->discard = AVDISCARD_ALL;
    const AVRational tb = writer_.time_base(stream_);
    const int64_t first = in.ticks(st, 0);
    int64_t part_end = 0, frames = 0;
    auto pkt = av::make_packet();
    while (av_read_frame(in.get(), pkt.get()) >= 0) {
      if (interrupted()) throw Error(ErrorKind::interrupted, output, "interrupted");
      if (pkt->stream_index != st->index) {
        av_packet_unref(pkt.get());
        continue;
      }
      if (pkt->pts != AV_NOPTS_VALUE) pkt->pts -= first;
      if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= first;
      av_packet_rescale_ts(pkt.get(), st->time_base, tb);
      if (pkt->pts != AV_NOPTS_VALUE) {
        part_end = std::max(part_end, pkt->pts + std::max<int64_t>(pkt->duration, 0));
        pkt->pts += offset_;
      }
      if (pkt->dts != AV_NOPTS_VALUE) {
        pkt->dts += offset_;
        if (last_dts_ != AV_NOPTS_VALUE && pkt->dts <= last_dts_) pkt->dts = last_dts_ + 1;
        if (pkt->pts != AV_NOPTS_VALUE && pkt->pts < pkt->dts) pkt->pts = pkt->dts;
        last_dts_ = pkt->dts;
      }
      pkt->stream_index = stream_;
      pkt->pos = -1;
      ++frames;
      writer_.write(pkt.get());
    }
    if (frames == 0) throw Error(ErrorKind::unsupported, in.path, "its video stream has no frames");
    frames_ += frames;
    offset_ += part_end;
    return part_end;
  }

  int64_t frames() const { return frames_; }
  int64_t end() const { return offset_; }

 private:
  av::Mp4Writer& writer_;
  int stream_;
  int64_t offset_ = 0, last_dts_ = AV_NOPTS_VALUE, frames_ = 0;  // in the output's time base
};

ConcatResult copy_concat(const std::vector<std::string>& parts, const std::string& output) {
  ConcatResult r;
  r.output = output;
  av::Mp4Writer writer(output);
  auto first = open_part(parts.front());
  int stream = writer.add_copy(first.video);
  writer.start();
  TrackJoiner track(writer, stream);
  const double tick = av_q2d(writer.time_base(stream));
  r.part_durations.push_back(track.append(first, output) * tick);
  for (size_t i = 1; i < parts.size(); ++i) {
    auto in = open_part(parts[i]);
    r.part_durations.push_back(track.append(in, output) * tick);
  }
  writer.finish();
  r.frames = track.frames();
  r.duration = track.end() * tick;
  r.copied = true;
  return r;
}

}  // namespace

ConcatResult concat_videos(const std::vector<std::string>& parts, const std::string& output, int crf,
                           const std::string& preset) {
  if (parts.empty()) throw Error(ErrorKind::usage, output, "no parts to join");
  std::vector<PartInfo> infos;
  for (const auto& p : parts) infos.push_back(describe(p));
  std::string blocker = copy_blocker(infos, parts);
  if (blocker.empty()) return copy_concat(parts, output);

  // Identical parameters for all: the first part's size and rate, one encoder configuration.
  std::vector<std::unique_ptr<AtomicFile>> scratch;
  std::vector<std::string> normalised;
  const PartInfo& ref = infos.front();
  for (size_t i = 0; i < parts.size(); ++i) {
    auto dir = std::filesystem::path(output).parent_path();
    scratch.push_back(std::make_unique<AtomicFile>(dir / ("join-part-" + std::to_string(i) + ".mp4")));
    TranscodeSpec t;
    t.input = parts[i];
    t.output = scratch.back()->temp_path().string();
    t.video_stream = infos[i].stream;
    t.geometry.scale_width = t.geometry.out_width = ref.width;
    t.geometry.scale_height = t.geometry.out_height = ref.height;
    if (ref.rate.num > 0) t.fps = {ref.rate.num, ref.rate.den};
    t.crf = crf;
    t.preset = preset;
    transcode(t);
    normalised.push_back(t.output);
  }
  ConcatResult r = copy_concat(normalised, output);
  r.copied = false;
  r.reason = blocker;
  return r;
}

}  // namespace omnicut
