#include "codecs/remux.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "codecs/audio_range.h"
#include "codecs/av_error.h"
#include "codecs/input.h"
#include "codecs/mp4_writer.h"
#include "common/interrupt.h"

namespace omnicut {
namespace {

std::string secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", s);
  return buf;
}

struct EditedFacts {
  int64_t frames = 0;
  double duration = 0;    // seconds from the origin (the first frame) to the last frame's end
  bool rewound = false;   // the input is back at its first packet
};

// One demux-only pass over the video packets: the duration the audio must match. Leaves `in`
// rewound to its start when it can.
EditedFacts scan_edited(const av::OpenedMedia& in) {
  EditedFacts e;
  if (!in.video) throw Error(ErrorKind::unsupported, in.path, "no video stream: not an edited clip");
  AVStream* st = in.video;
  for (unsigned i = 0; i < in->nb_streams; ++i)
    if (in->streams[i] != st) in->streams[i]->discard = AVDISCARD_ALL;
  int64_t hi = INT64_MIN, first_dts = AV_NOPTS_VALUE;
  int64_t fallback = st->avg_frame_rate.num > 0 ? av_rescale_q(1, av_inv_q(st->avg_frame_rate), st->time_base) : 0;
  auto pkt = av::make_packet();
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == st->index) {
      if (first_dts == AV_NOPTS_VALUE) first_dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
      int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      if (ts != AV_NOPTS_VALUE) hi = std::max(hi, ts + (pkt->duration > 0 ? pkt->duration : fallback));
      ++e.frames;
    }
    av_packet_unref(pkt.get());
  }
  if (e.frames == 0 || hi == INT64_MIN) throw Error(ErrorKind::unsupported, in.path, "its video stream has no frames");
  e.duration = in.seconds(st, hi);
  for (unsigned i = 0; i < in->nb_streams; ++i) in->streams[i]->discard = AVDISCARD_DEFAULT;
  e.rewound = first_dts != AV_NOPTS_VALUE && av_seek_frame(in.get(), st->index, first_dts, AVSEEK_FLAG_BACKWARD) >= 0;
  return e;
}

void check_range(const RemuxSpec& spec, const av::OpenedMedia& src, double start, double end, double video) {
  double available = src.end();
  if (start < 0) throw Error(ErrorKind::usage, spec.audio, "range start " + secs(start) + " is negative");
  if (start >= available)
    throw Error(ErrorKind::usage, spec.audio,
                "range start " + secs(start) + " is beyond the source's end (" + secs(available) + ")");
  if (end <= start) throw Error(ErrorKind::usage, spec.audio, "range end " + secs(end) + " is not after its start");
  double range = end - start;
  if (end > available + remux_range_tolerance(range))
    throw Error(ErrorKind::usage, spec.audio,
                "range end " + secs(end) + " is beyond the source's end (" + secs(available) + ")");
  if (!spec.length_from_model && std::abs(video - range) > remux_range_tolerance(range))
    throw Error(ErrorKind::usage, spec.video,
                "lasts " + secs(video) + " but the source range is " + secs(range) +
                    ": the range or the sidecar does not belong to this clip");
}

// The edited clip's packets (its video, and its own audio when kept) moved so that its first
// frame is at zero, interleaved with the source's audio, all through the one writer.
class Muxer {
 public:
  Muxer(const RemuxSpec& spec, av::OpenedMedia& edited, EncodedAudio* audio, const AVStream* source_audio)
      : spec_(spec), edited_(edited), audio_(audio), writer_(spec.output, writer_options(audio)) {
    video_out_ = writer_.add_copy(edited.video);
    writer_.stream(video_out_)->disposition = AV_DISPOSITION_DEFAULT;
    if (audio_) {
      audio_out_ = writer_.add_stream(audio_->params.get(), audio_->time_base);
      writer_.stream(audio_out_)->disposition = AV_DISPOSITION_DEFAULT;
      if (auto* lang = av_dict_get(source_audio->metadata, "language", nullptr, 0))
        av_dict_set(&writer_.stream(audio_out_)->metadata, "language", lang->value, 0);
    }
    if (spec.keep_edit_audio && edited.audio) {
      edit_audio_out_ = writer_.add_copy(edited.audio);
      AVStream* st = writer_.stream(edit_audio_out_);
      st->disposition = 0;
      av_dict_set(&st->metadata, "handler_name", "Edited clip's audio", 0);
      av_dict_set(&st->metadata, "title", "edited clip's audio", 0);
    }
    for (unsigned i = 0; i < edited->nb_streams; ++i)
      if (output_for(static_cast<int>(i)) < 0) edited->streams[i]->discard = AVDISCARD_ALL;
  }

  Muxer(const Muxer&) = delete;
  Muxer& operator=(const Muxer&) = delete;
  ~Muxer() { av_dict_free(&options_); }

  void run() {
    writer_.start();
    copy_edited_packets();
    write_audio_until(INFINITY);
    writer_.finish();
  }

 private:
  // The audio's edit list is in the movie's timescale: the sample rate keeps its end exact
  // (the default, 1000, would round it up to the millisecond).
  av::WriterOptions writer_options(const EncodedAudio* audio) {
    av::WriterOptions o;
    if (audio) av_dict_set_int(&options_, "movie_timescale", audio->time_base.den, 0);
    o.muxer_options = options_;
    return o;
  }

  int output_for(int input_stream) const {
    if (input_stream == edited_.video->index) return video_out_;
    if (edit_audio_out_ >= 0 && input_stream == edited_.audio->index) return edit_audio_out_;
    return -1;
  }

  void copy_edited_packets() {
    auto pkt = av::make_packet();
    while (av_read_frame(edited_.get(), pkt.get()) >= 0) {
      if (interrupted()) throw Error(ErrorKind::interrupted, spec_.output, "interrupted");
      int out = output_for(pkt->stream_index);
      if (out < 0) {
        av_packet_unref(pkt.get());
        continue;
      }
      // Both of the edited clip's streams move by the video's start so they stay together.
      AVStream* in_st = edited_->streams[pkt->stream_index];
      int64_t offset = edited_.ticks(in_st, 0);
      if (pkt->pts != AV_NOPTS_VALUE) pkt->pts -= offset;
      if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= offset;
      write_audio_until((pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts) * av_q2d(in_st->time_base));
      av_packet_rescale_ts(pkt.get(), in_st->time_base, writer_.time_base(out));
      pkt->stream_index = out;
      pkt->pos = -1;
      writer_.write(pkt.get());
    }
  }

  void write_audio_until(double seconds) {
    if (!audio_) return;
    while (next_audio_ < audio_->packets.size()) {
      AVPacket* p = audio_->packets[next_audio_].get();
      if (p->dts * av_q2d(audio_->time_base) > seconds) return;
      av_packet_rescale_ts(p, audio_->time_base, writer_.time_base(audio_out_));
      p->stream_index = audio_out_;
      writer_.write(p);
      ++next_audio_;
    }
  }

  const RemuxSpec& spec_;
  av::OpenedMedia& edited_;
  EncodedAudio* audio_;
  AVDictionary* options_ = nullptr;  // before writer_: writer_options fills it
  av::Mp4Writer writer_;
  int video_out_ = -1, audio_out_ = -1, edit_audio_out_ = -1;
  size_t next_audio_ = 0;
};

// The source audio that the picture shows: the range's time t is at offset + scale * t, so the
// audio starts `offset` late (silence first) or skips what the picture dropped, plays stretched,
// and stops where the video does.
AudioRangeSpec audio_range_for(const AudioTiming& timing, double start, double range, double video) {
  const double skip = std::max(0.0, -timing.offset / timing.scale);
  const double lead = std::max(0.0, timing.offset);
  const double length = std::max(0.0, std::min(range - skip, (video - lead) / timing.scale));
  return {.start = start + skip, .length = length, .total = video, .lead = lead, .tempo = 1 / timing.scale};
}

std::string length_changed_notice(double video, double range) {
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.1fx", video / range);
  if (video > range)
    return "the model changed the clip's length: the edited video lasts " + secs(video) + ", " + ratio +
           " the source range's " + secs(range) + "; the source's audio covers its first " + secs(range) +
           ", silence the rest";
  return "the model changed the clip's length: the edited video lasts " + secs(video) + ", " + ratio +
         " the source range's " + secs(range) + "; the source's audio is cut off with it";
}

}  // namespace

double remux_range_tolerance(double range_duration) { return std::max(1.0, 0.1 * range_duration); }

RemuxResult remux(const RemuxSpec& spec) {
  // The edited clip is read twice (scan, copy); its headers' duration is not needed.
  auto edited = av::open_media(spec.video, {.quick = true, .true_duration = false});
  EditedFacts facts = scan_edited(edited);
  if (!facts.rewound) edited = av::open_media(spec.video, {.quick = true, .true_duration = false});
  auto source = av::open_media(spec.audio, {.quick = true});
  RemuxResult r;
  r.output = spec.output;
  r.video_frames = facts.frames;
  r.video_duration = facts.duration;
  r.video_fps = facts.duration > 0 ? facts.frames / facts.duration : 0;
  r.range_start = spec.start;
  r.range_end = spec.end.value_or(spec.start + facts.duration);
  r.range_duration = r.range_end - r.range_start;
  r.duration_difference = facts.duration - r.range_duration;
  check_range(spec, source, r.range_start, r.range_end, facts.duration);

  std::optional<EncodedAudio> audio;
  if (!source.audio) {
    bool any = av_find_best_stream(source.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) != AVERROR_STREAM_NOT_FOUND;
    std::string why = any ? "has no audio this FFmpeg can decode" : "has no audio";
    if (spec.require_audio) throw Error(ErrorKind::unsupported, spec.audio, why + " (--require-audio)");
    r.notices.push_back(spec.audio + " " + why + ": wrote the video only");
  } else {
    audio = cut_audio_range(source, audio_range_for(spec.timing, r.range_start, r.range_duration, facts.duration));
    r.audio_timing = spec.timing;
    r.audio_mode = audio->copied ? "copied" : "encoded";
    r.audio_reason = audio->reason;
    r.source_audio_stream = source.audio->index;
    r.source_audio_codec = audio->source_codec;
    r.audio_duration = audio->duration;
    r.audio_padded = audio->padded;
    r.audio_trimmed = std::max(0.0, r.range_duration - facts.duration);
  }
  if (spec.keep_edit_audio && !edited.audio) r.notices.push_back(spec.video + " has no audio of its own to keep");
  r.edit_audio_kept = spec.keep_edit_audio && edited.audio;
  if (std::abs(r.duration_difference) > remux_range_tolerance(r.range_duration))
    r.notices.push_back(length_changed_notice(facts.duration, r.range_duration));
  else if (std::abs(r.duration_difference) > 1e-6)
    r.notices.push_back("the edited video lasts " + secs(facts.duration) + ", the source range " +
                        secs(r.range_duration) + ": audio " +
                        (r.duration_difference > 0 ? "padded with silence" : "trimmed") + " to the video");
  Muxer(spec, edited, audio ? &*audio : nullptr, source.audio).run();
  return r;
}

}  // namespace omnicut
