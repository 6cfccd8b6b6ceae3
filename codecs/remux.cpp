#include "codecs/remux.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>

#include "codecs/audio_range.h"
#include "codecs/av_error.h"
#include "codecs/input.h"
#include "common/atomic_file.h"
#include "common/interrupt.h"

namespace omnicut {
namespace {

std::string secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

bool is_picture(const AVStream* st) {
  return st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC);
}

int first_video_stream(const AVFormatContext* fc) {
  for (unsigned i = 0; i < fc->nb_streams; ++i)
    if (is_picture(fc->streams[i])) return static_cast<int>(i);
  return -1;
}

// MP4/MOV headers describe every stream completely: skip FFmpeg's stream-info search (which
// decodes pictures) for them; anything else, or anything odd, goes through av::open_input.
av::InputFormat open_quick(const std::string& path) {
  av::check_readable_file(path);
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return av::open_input(path);
  av::InputFormat in(raw);
  bool complete = std::string(in->iformat->name).rfind("mov", 0) == 0 && in->nb_streams > 0;
  for (unsigned i = 0; complete && i < in->nb_streams; ++i) {
    const AVCodecParameters* p = in->streams[i]->codecpar;
    if (p->codec_type == AVMEDIA_TYPE_VIDEO) complete = p->codec_id != AV_CODEC_ID_NONE && p->width > 0 && p->height > 0;
    if (p->codec_type == AVMEDIA_TYPE_AUDIO)
      complete = p->codec_id != AV_CODEC_ID_NONE && p->sample_rate > 0 && p->ch_layout.nb_channels > 0;
  }
  if (complete) return in;
  in.reset();
  return av::open_input(path);
}

// The first video frame's time when the headers do not say: the lowest pts among the first
// packets (B-frames arrive out of order).
double first_frame_time(AVFormatContext* in, int v) {
  AVStream* st = in->streams[v];
  if (st->start_time != AV_NOPTS_VALUE) return st->start_time * av_q2d(st->time_base);
  int64_t lo = INT64_MAX;
  auto pkt = av::make_packet();
  for (int seen = 0; seen < 16 && av_read_frame(in, pkt.get()) >= 0;) {
    if (pkt->stream_index == v && pkt->pts != AV_NOPTS_VALUE) lo = std::min(lo, pkt->pts), ++seen;
    av_packet_unref(pkt.get());
  }
  av_seek_frame(in, v, INT64_MIN, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_ANY);
  return lo == INT64_MAX ? 0 : lo * av_q2d(st->time_base);
}

struct SourceFacts {
  double origin = 0;      // the first video frame (the range's zero), seconds
  double end = 0;         // the container's end, seconds
  int audio = -1;         // first decodable audio stream
  std::string language;
  bool has_any_audio = false;
};

SourceFacts read_source(AVFormatContext* in) {
  SourceFacts f;
  double fmt_start = in->start_time == AV_NOPTS_VALUE ? 0 : in->start_time / double(AV_TIME_BASE);
  f.origin = fmt_start;
  int v = first_video_stream(in);
  if (v >= 0) f.origin = first_frame_time(in, v);
  f.end = fmt_start + (in->duration == AV_NOPTS_VALUE ? 0 : in->duration / double(AV_TIME_BASE));
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVCodecParameters* p = in->streams[i]->codecpar;
    if (p->codec_type != AVMEDIA_TYPE_AUDIO) continue;
    f.has_any_audio = true;
    if (!avcodec_find_decoder(p->codec_id) || p->sample_rate <= 0 || p->ch_layout.nb_channels <= 0) continue;
    f.audio = static_cast<int>(i);
    if (auto* lang = av_dict_get(in->streams[i]->metadata, "language", nullptr, 0)) f.language = lang->value;
    break;
  }
  return f;
}

struct EditedFacts {
  int video = -1;
  int audio = -1;         // the model's own audio, if any
  int64_t first_pts = 0;  // in the video stream's time base
  int64_t frames = 0;
  double duration = 0;
  bool rewound = false;   // the input is back at its first packet
};

// One demux-only pass over the video packets: the duration the audio must match. Leaves `in`
// rewound to its start.
EditedFacts scan_edited(AVFormatContext* in, const std::string& path) {
  EditedFacts e;
  e.video = first_video_stream(in);
  if (e.video < 0) throw Error(ErrorKind::unsupported, path, "no video stream: not an edited clip");
  e.audio = av_find_best_stream(in, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
  AVStream* st = in->streams[e.video];
  for (unsigned i = 0; i < in->nb_streams; ++i)
    if (static_cast<int>(i) != e.video) in->streams[i]->discard = AVDISCARD_ALL;
  int64_t lo = INT64_MAX, hi = INT64_MIN, first_dts = AV_NOPTS_VALUE;
  int64_t fallback = st->avg_frame_rate.num > 0 ? av_rescale_q(1, av_inv_q(st->avg_frame_rate), st->time_base) : 0;
  auto pkt = av::make_packet();
  while (av_read_frame(in, pkt.get()) >= 0) {
    if (pkt->stream_index == e.video) {
      if (first_dts == AV_NOPTS_VALUE) first_dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
      int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      if (ts != AV_NOPTS_VALUE) {
        lo = std::min(lo, ts);
        hi = std::max(hi, ts + (pkt->duration > 0 ? pkt->duration : fallback));
      }
      ++e.frames;
    }
    av_packet_unref(pkt.get());
  }
  if (e.frames == 0 || lo == INT64_MAX) throw Error(ErrorKind::unsupported, path, "its video stream has no frames");
  e.first_pts = lo;
  e.duration = (hi - lo) * av_q2d(st->time_base);
  for (unsigned i = 0; i < in->nb_streams; ++i) in->streams[i]->discard = AVDISCARD_DEFAULT;
  e.rewound = first_dts != AV_NOPTS_VALUE && av_seek_frame(in, e.video, first_dts, AVSEEK_FLAG_BACKWARD) >= 0;
  return e;
}

void check_range(const RemuxSpec& spec, const SourceFacts& src, double start, double end, double video) {
  double available = src.end - src.origin;
  if (start < 0) throw Error(ErrorKind::usage, spec.audio, "range start " + secs(start) + " is negative");
  if (start >= available)
    throw Error(ErrorKind::usage, spec.audio,
                "range start " + secs(start) + " is beyond the source's end (" + secs(available) + ")");
  if (end <= start) throw Error(ErrorKind::usage, spec.audio, "range end " + secs(end) + " is not after its start");
  double range = end - start;
  if (end > available + remux_range_tolerance(range))
    throw Error(ErrorKind::usage, spec.audio,
                "range end " + secs(end) + " is beyond the source's end (" + secs(available) + ")");
  if (std::abs(video - range) > remux_range_tolerance(range))
    throw Error(ErrorKind::usage, spec.video,
                "lasts " + secs(video) + " but the source range is " + secs(range) +
                    ": the range or the sidecar does not belong to this clip");
}

AVStream* add_copied_stream(AVFormatContext* oc, const AVStream* in, const std::string& path) {
  AVStream* out = avformat_new_stream(oc, nullptr);
  if (!out) throw Error(ErrorKind::internal, path, "out of memory");
  av::check_internal(avcodec_parameters_copy(out->codecpar, in->codecpar), path, "copy stream parameters");
  out->codecpar->codec_tag = 0;
  out->time_base = in->time_base;
  out->sample_aspect_ratio = in->sample_aspect_ratio;
  out->avg_frame_rate = in->avg_frame_rate;
  for (int i = 0; i < in->nb_side_data; ++i) {
    const AVPacketSideData& sd = in->side_data[i];
    uint8_t* dst = av_stream_new_side_data(out, sd.type, sd.size);
    if (!dst) throw Error(ErrorKind::internal, path, "out of memory");
    std::copy(sd.data, sd.data + sd.size, dst);
  }
  return out;
}

class Muxer {
 public:
  Muxer(const RemuxSpec& spec, av::InputFormat in, const EditedFacts& edited, EncodedAudio* audio,
        const SourceFacts& src)
      : spec_(spec), edited_(edited), audio_(audio), file_(spec.output), in_(std::move(in)) {
    if (!edited.rewound) in_ = av::open_input(spec.video);
    AVFormatContext* raw = nullptr;
    av::check(avformat_alloc_output_context2(&raw, nullptr, "mp4", file_.temp_path().c_str()), ErrorKind::output,
              spec.output, "cannot create an MP4");
    oc_.reset(raw);
    video_out_ = add_copied_stream(oc_.get(), in_->streams[edited.video], spec.video);
    video_out_->disposition = AV_DISPOSITION_DEFAULT;
    if (audio_) add_source_audio(src);
    if (spec.keep_edit_audio && edited.audio >= 0) {
      edit_audio_out_ = add_copied_stream(oc_.get(), in_->streams[edited.audio], spec.video);
      edit_audio_out_->disposition = 0;
      av_dict_set(&edit_audio_out_->metadata, "handler_name", "Edited clip's audio", 0);
      av_dict_set(&edit_audio_out_->metadata, "title", "edited clip's audio", 0);
    }
    for (unsigned i = 0; i < in_->nb_streams; ++i)
      if (static_cast<int>(i) != edited.video && !(edit_audio_out_ && static_cast<int>(i) == edited.audio))
        in_->streams[i]->discard = AVDISCARD_ALL;
  }

  void run() {
    av::check(avio_open(&oc_->pb, file_.temp_path().c_str(), AVIO_FLAG_WRITE), ErrorKind::output, spec_.output,
              "cannot open for writing");
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    int ret = avformat_write_header(oc_.get(), &opts);
    av_dict_free(&opts);
    av::check(ret, ErrorKind::output, spec_.output, "cannot write the MP4 header");
    copy_edited_packets();
    write_audio_until(INFINITY);
    av::check(av_write_trailer(oc_.get()), ErrorKind::output, spec_.output, "cannot finish the MP4");
    avio_closep(&oc_->pb);
    file_.commit();
  }

 private:
  void add_source_audio(const SourceFacts& src) {
    audio_out_ = avformat_new_stream(oc_.get(), nullptr);
    if (!audio_out_) throw Error(ErrorKind::internal, spec_.output, "out of memory");
    av::check_internal(avcodec_parameters_copy(audio_out_->codecpar, audio_->params.get()), spec_.output,
                       "audio parameters");
    audio_out_->time_base = audio_->time_base;
    audio_out_->disposition = AV_DISPOSITION_DEFAULT;
    if (!src.language.empty()) av_dict_set(&audio_out_->metadata, "language", src.language.c_str(), 0);
  }

  void copy_edited_packets() {
    AVStream* vin = in_->streams[edited_.video];
    const double shift = edited_.first_pts * av_q2d(vin->time_base);
    auto pkt = av::make_packet();
    while (av_read_frame(in_.get(), pkt.get()) >= 0) {
      if (interrupted()) throw Error(ErrorKind::interrupted, spec_.output, "interrupted");
      AVStream* in_st = in_->streams[pkt->stream_index];
      AVStream* out_st = pkt->stream_index == edited_.video ? video_out_ : edit_audio_out_;
      if (!out_st) {
        av_packet_unref(pkt.get());
        continue;
      }
      // Both of the edited clip's streams move by the video's start so they stay together.
      int64_t offset = std::llround(shift / av_q2d(in_st->time_base));
      if (pkt->pts != AV_NOPTS_VALUE) pkt->pts -= offset;
      if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= offset;
      double when = (pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts) * av_q2d(in_st->time_base);
      write_audio_until(when);
      av_packet_rescale_ts(pkt.get(), in_st->time_base, out_st->time_base);
      pkt->stream_index = out_st->index;
      pkt->pos = -1;
      av::check(av_interleaved_write_frame(oc_.get(), pkt.get()), ErrorKind::output, spec_.output, "write video");
    }
  }

  void write_audio_until(double seconds) {
    if (!audio_) return;
    while (next_audio_ < audio_->packets.size()) {
      AVPacket* p = audio_->packets[next_audio_].get();
      if (p->dts * av_q2d(audio_->time_base) > seconds) return;
      av_packet_rescale_ts(p, audio_->time_base, audio_out_->time_base);
      p->stream_index = audio_out_->index;
      av::check(av_interleaved_write_frame(oc_.get(), p), ErrorKind::output, spec_.output, "write audio");
      ++next_audio_;
    }
  }

  const RemuxSpec& spec_;
  const EditedFacts& edited_;
  EncodedAudio* audio_;
  AtomicFile file_;
  av::InputFormat in_;
  av::OutputFormat oc_;
  AVStream* video_out_ = nullptr;
  AVStream* audio_out_ = nullptr;
  AVStream* edit_audio_out_ = nullptr;
  size_t next_audio_ = 0;
};

}  // namespace

double remux_range_tolerance(double range_duration) { return std::max(1.0, 0.1 * range_duration); }

RemuxResult remux(const RemuxSpec& spec) {
  auto edited_in = open_quick(spec.video);
  EditedFacts edited = scan_edited(edited_in.get(), spec.video);
  auto source_in = open_quick(spec.audio);
  SourceFacts src = read_source(source_in.get());
  RemuxResult r;
  r.output = spec.output;
  r.video_frames = edited.frames;
  r.video_duration = edited.duration;
  r.video_fps = edited.duration > 0 ? edited.frames / edited.duration : 0;
  r.range_start = spec.start;
  r.range_end = spec.end.value_or(spec.start + edited.duration);
  r.range_duration = r.range_end - r.range_start;
  r.duration_difference = edited.duration - r.range_duration;
  check_range(spec, src, r.range_start, r.range_end, edited.duration);

  std::optional<EncodedAudio> audio;
  if (src.audio < 0) {
    std::string why = src.has_any_audio ? "has no audio this FFmpeg can decode" : "has no audio";
    if (spec.require_audio) throw Error(ErrorKind::unsupported, spec.audio, why + " (--require-audio)");
    r.notices.push_back(spec.audio + " " + why + ": wrote the video only");
  } else {
    double length = std::min(r.range_duration, edited.duration);
    audio = cut_audio_range(source_in.get(), {.source = spec.audio,
                             .stream = src.audio,
                             .origin = src.origin,
                             .start = r.range_start,
                             .length = length,
                             .total = edited.duration});
    r.audio_mode = audio->copied ? "copied" : "encoded";
    r.audio_reason = audio->reason;
    r.source_audio_stream = src.audio;
    r.source_audio_codec = audio->source_codec;
    r.audio_duration = audio->duration;
    r.audio_padded = audio->padded;
    r.audio_trimmed = std::max(0.0, r.range_duration - edited.duration);
  }
  if (spec.keep_edit_audio && edited.audio < 0) r.notices.push_back(spec.video + " has no audio of its own to keep");
  r.edit_audio_kept = spec.keep_edit_audio && edited.audio >= 0;
  if (std::abs(r.duration_difference) > 1e-6)
    r.notices.push_back("the edited video lasts " + secs(edited.duration) + ", the source range " +
                        secs(r.range_duration) + ": audio " +
                        (r.duration_difference > 0 ? "padded with silence" : "trimmed") + " to the video");
  source_in.reset();
  Muxer(spec, std::move(edited_in), edited, audio ? &*audio : nullptr, src).run();
  return r;
}

}  // namespace omnicut
