#include "codecs/concat.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include "codecs/av_error.h"
#include "codecs/input.h"
#include "codecs/transcode.h"
#include "common/atomic_file.h"
#include "common/interrupt.h"

namespace omnicut {
namespace {

int video_stream(const AVFormatContext* fc, const std::string& path) {
  for (unsigned i = 0; i < fc->nb_streams; ++i)
    if (fc->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(fc->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
      return static_cast<int>(i);
  throw Error(ErrorKind::unsupported, path, "no video stream");
}

struct PartInfo {
  AVCodecID codec;
  int width, height, format;
  std::string extradata;
  AVRational rate;
  int stream;
};

PartInfo describe(const std::string& path) {
  auto in = av::open_input(path);
  int vi = video_stream(in.get(), path);
  const AVStream* st = in->streams[vi];
  const AVCodecParameters* p = st->codecpar;
  return {p->codec_id, p->width, p->height, p->format,
          std::string(reinterpret_cast<const char*>(p->extradata), p->extradata ? p->extradata_size : 0),
          st->avg_frame_rate, vi};
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

ConcatResult copy_concat(const std::vector<std::string>& parts, const std::string& output) {
  AtomicFile file(output);
  ConcatResult r;
  r.output = output;
  av::OutputFormat oc;
  AVStream* out_st = nullptr;
  int64_t offset = 0, last_dts = AV_NOPTS_VALUE;  // in out_st's time base once the header is written
  AVRational out_tb{0, 1};
  for (const auto& path : parts) {
    auto in = av::open_input(path);
    int vi = video_stream(in.get(), path);
    for (unsigned i = 0; i < in->nb_streams; ++i)
      if (static_cast<int>(i) != vi) in->streams[i]->discard = AVDISCARD_ALL;
    AVStream* st = in->streams[vi];
    if (!oc) {
      AVFormatContext* raw = nullptr;
      av::check(avformat_alloc_output_context2(&raw, nullptr, "mp4", file.temp_path().c_str()), ErrorKind::output,
                output, "cannot create an MP4");
      oc.reset(raw);
      out_st = avformat_new_stream(oc.get(), nullptr);
      av::check_internal(avcodec_parameters_copy(out_st->codecpar, st->codecpar), output, "stream parameters");
      out_st->codecpar->codec_tag = 0;
      out_st->time_base = st->time_base;
      out_st->avg_frame_rate = st->avg_frame_rate;
      av::check(avio_open(&oc->pb, file.temp_path().c_str(), AVIO_FLAG_WRITE), ErrorKind::output, output,
                "cannot open for writing");
      av::check(avformat_write_header(oc.get(), nullptr), ErrorKind::output, output, "cannot write the header");
      out_tb = out_st->time_base;
    }
    // Each part starts where the previous one ended (its first frame at zero on its own clock).
    auto pkt = av::make_packet();
    int64_t first = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    int64_t part_end = 0, frames = 0;
    while (av_read_frame(in.get(), pkt.get()) >= 0) {
      if (interrupted()) throw Error(ErrorKind::interrupted, output, "interrupted");
      if (pkt->stream_index != vi) {
        av_packet_unref(pkt.get());
        continue;
      }
      if (pkt->pts != AV_NOPTS_VALUE) pkt->pts -= first;
      if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= first;
      av_packet_rescale_ts(pkt.get(), st->time_base, out_tb);
      if (pkt->pts != AV_NOPTS_VALUE) {
        part_end = std::max(part_end, pkt->pts + std::max<int64_t>(pkt->duration, 0));
        pkt->pts += offset;
      }
      if (pkt->dts != AV_NOPTS_VALUE) {
        pkt->dts += offset;
        if (last_dts != AV_NOPTS_VALUE && pkt->dts <= last_dts) pkt->dts = last_dts + 1;
        if (pkt->pts != AV_NOPTS_VALUE && pkt->pts < pkt->dts) pkt->pts = pkt->dts;
        last_dts = pkt->dts;
      }
      pkt->stream_index = 0;
      pkt->pos = -1;
      ++frames;
      av::check(av_interleaved_write_frame(oc.get(), pkt.get()), ErrorKind::output, output, "write");
    }
    if (frames == 0) throw Error(ErrorKind::unsupported, path, "its video stream has no frames");
    r.frames += frames;
    r.part_durations.push_back(part_end * av_q2d(out_tb));
    offset += part_end;
  }
  av::check(av_write_trailer(oc.get()), ErrorKind::output, output, "cannot finish the MP4");
  avio_closep(&oc->pb);
  file.commit();
  r.duration = offset * av_q2d(out_tb);
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
