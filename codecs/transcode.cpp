// prep's loop, in the shape of FFmpeg's doc/examples/transcoding.c: demux, decode, filter,
// encode, mux, with every error turned into text. Decoding and filtering run on the calling
// thread; H.264 encoding and muxing run on a second one, fed through a small bounded queue, so
// the two halves overlap (the ffmpeg 5.1 CLI does them in turn on one thread).
#include "codecs/transcode.h"

#include <cmath>
#include <exception>
#include <limits>
#include <thread>

#include "codecs/audio_encoder.h"
#include "codecs/av_error.h"
#include "codecs/filter_graph.h"
#include "codecs/input.h"
#include "codecs/mp4_writer.h"
#include "codecs/prep_filters.h"
#include "codecs/work_queue.h"
#include "common/interrupt.h"

namespace omnicut {
namespace {

constexpr int64_t kUnbounded = std::numeric_limits<int64_t>::max();
constexpr size_t kQueueFrames = 8;  // ~11 MB of 720p pictures: enough to ride out encoder bursts

// What crosses to the muxing thread: a picture to encode, or a packet ready to write.
struct Item {
  av::Frame frame;
  av::Packet packet;
};

AVStream* stream_of_type(AVFormatContext* fmt, int index, AVMediaType type, const std::string& subject) {
  if (index < 0) return nullptr;
  if (index >= static_cast<int>(fmt->nb_streams) || fmt->streams[index]->codecpar->codec_type != type)
    throw Error(ErrorKind::usage, subject, "stream " + std::to_string(index) + " is not a " +
                                               av_get_media_type_string(type) + " stream");
  return fmt->streams[index];
}

Rational source_rate(const AVStream* st) {
  AVRational r = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
  if (r.num <= 0 || r.den <= 0) return {25, 1};
  if (r.den > 1001) r = av_d2q(av_q2d(r), 1001);  // a VFR average such as 2997/125
  return {r.num, r.den};
}

int64_t seconds_to_ts(double seconds, AVRational tb) {
  return av_rescale_q(std::llround(seconds * AV_TIME_BASE), AV_TIME_BASE_Q, tb);
}

class Transcoder {
 public:
  explicit Transcoder(const TranscodeSpec& spec)
      : spec_(spec), writer_(spec.output) {}

  TranscodeResult run();

 private:
  void open_source();
  void set_up_video();
  void set_up_audio();
  void seek_to_start();
  void read_packets();
  void finish_streams();
  bool done() const { return video_done_ && audio_done_; }

  void on_video_packet(AVPacket* pkt);
  void on_audio_packet(AVPacket* pkt);
  void copy_video_packet(AVPacket* pkt);
  void copy_audio_packet(AVPacket* pkt);
  void decode(AVCodecContext* dec, AVPacket* pkt, bool video);
  void pull_video();
  void pull_audio();
  void feed_audio(bool final);
  int64_t audio_limit() const;
  void send(Item item);
  void report_progress(double done);

  const TranscodeSpec& spec_;
  av::Mp4Writer writer_;
  av::OpenedMedia in_;
  AVStream* vin_ = nullptr;
  AVStream* ain_ = nullptr;
  double origin_ = 0;           // the file's time zero (codecs/input.h), seconds on its clock
  double length_ = 0;           // seconds of the range (end - start), 0 when open-ended
  av::CodecContext vdec_, adec_;
  std::optional<av::FilterChain> vfilter_, afilter_;
  std::optional<av::AudioEncoder> aenc_;
  Rational fps_{0, 1};
  int vout_ = -1, aout_ = -1;
  int64_t vstart_ts_ = 0, astart_ts_ = 0, vend_ts_ = kUnbounded, aend_ts_ = kUnbounded;
  int64_t video_end_ts_ = 0;             // end of the last decoded picture, from the range start
  int64_t frames_wanted_ = kUnbounded;  // video frames in the range at the output rate
  int64_t frames_out_ = 0;               // pictures handed to the encoder
  int64_t samples_wanted_ = kUnbounded;  // audio samples in the range
  double copied_video_end_ = 0;          // seconds, the end of the last copied video packet
  double copied_audio_end_ = 0;
  double last_progress_ = -1;
  bool video_done_ = true, audio_done_ = true;
  av::WorkQueue<Item> queue_{kQueueFrames};
  std::exception_ptr writer_error_;
  av::Frame frame_ = av::make_frame();
  av::Frame filtered_ = av::make_frame();
};

void Transcoder::open_source() {
  in_ = av::open_media(spec_.input);
  vin_ = stream_of_type(in_.get(), spec_.video_stream, AVMEDIA_TYPE_VIDEO, spec_.input);
  ain_ = stream_of_type(in_.get(), spec_.audio_stream, AVMEDIA_TYPE_AUDIO, spec_.input);
  if (!vin_ && !ain_)
    throw Error(ErrorKind::usage, spec_.input, "nothing to transcode: no video and no audio stream chosen");
  origin_ = in_.origin;
  if (spec_.end) {
    if (*spec_.end <= spec_.start) throw Error(ErrorKind::usage, spec_.input, "the range ends before it starts");
    length_ = *spec_.end - spec_.start;
  }
}

void Transcoder::set_up_video() {
  if (!vin_) return;
  video_done_ = false;
  vstart_ts_ = seconds_to_ts(origin_ + spec_.start, vin_->time_base);
  if (spec_.end) vend_ts_ = seconds_to_ts(origin_ + *spec_.end, vin_->time_base);
  if (spec_.copy_video) {
    vout_ = writer_.add_copy(vin_);
    fps_ = source_rate(vin_);
    return;
  }
  fps_ = spec_.fps.num > 0 ? spec_.fps : source_rate(vin_);
  if (spec_.end) frames_wanted_ = static_cast<int64_t>(std::ceil(length_ * fps_.value() - 1e-6));
  vdec_ = av::open_decoder(vin_, spec_.input);
  if (spec_.start > 0) vdec_->skip_frame = AVDISCARD_NONREF;
  vfilter_.emplace(av::FilterChain::video(vdec_.get(), vin_->time_base, video_filters(spec_, fps_), spec_.input));
  av::VideoEncoding enc{.width = vfilter_->output_width(),
                        .height = vfilter_->output_height(),
                        .fps = fps_,
                        .crf = spec_.crf,
                        .preset = spec_.preset};
  vout_ = writer_.add_video_encoder(enc);
}

void Transcoder::set_up_audio() {
  if (!ain_) return;
  audio_done_ = false;
  if (spec_.end) samples_wanted_ = std::llround(length_ * spec_.sample_rate);
  if (ain_) {
    astart_ts_ = seconds_to_ts(origin_ + spec_.start, ain_->time_base);
    if (spec_.end) aend_ts_ = seconds_to_ts(origin_ + *spec_.end, ain_->time_base);
  }
  if (spec_.copy_audio && ain_) {
    aout_ = writer_.add_copy(ain_);
    return;
  }
  aenc_.emplace(spec_.sample_rate, spec_.channels, writer_.global_header(), spec_.output);
  aout_ = writer_.add_encoded(aenc_->context());
  adec_ = av::open_decoder(ain_, spec_.input);
  afilter_.emplace(av::FilterChain::audio(adec_.get(), ain_->time_base, audio_filters(spec_), spec_.input));
}

void Transcoder::seek_to_start() {
  if (spec_.start <= 0) return;
  // A little before the start, so that audio decoders have their pre-roll and the video
  // decoder its keyframe; everything before the start is decoded and dropped.
  int64_t target = std::llround((origin_ + std::max(0.0, spec_.start - 0.1)) * AV_TIME_BASE);
  if (spec_.copy_video) target = std::llround((origin_ + spec_.start) * AV_TIME_BASE) + 1000;  // on the keyframe
  int ret = avformat_seek_file(in_.get(), -1, std::numeric_limits<int64_t>::min(), target, target, 0);
  if (ret < 0) av::check(av_seek_frame(in_.get(), -1, target, AVSEEK_FLAG_BACKWARD), ErrorKind::not_media,
                         spec_.input, "cannot seek to " + std::to_string(spec_.start) + " s");
}

void Transcoder::send(Item item) {
  if (!queue_.push(std::move(item))) {
    if (writer_error_) std::rethrow_exception(writer_error_);
    throw Error(ErrorKind::internal, spec_.output, "the writer stopped");
  }
}

void Transcoder::report_progress(double done) {
  if (!spec_.progress || done - last_progress_ < 0.2) return;
  last_progress_ = done;
  double total = length_ > 0 ? length_ : std::max(0.0, in_.end() - spec_.start);
  spec_.progress(done, total);
}

void Transcoder::decode(AVCodecContext* dec, AVPacket* pkt, bool video) {
  int ret = avcodec_send_packet(dec, pkt);
  // A damaged packet costs a frame, as in the ffmpeg CLI; the stream goes on.
  if (ret < 0 && ret != AVERROR_EOF && ret != AVERROR_INVALIDDATA)
    av::check(ret, ErrorKind::not_media, spec_.input, "decoding failed");
  while (true) {
    ret = avcodec_receive_frame(dec, frame_.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    if (ret == AVERROR_INVALIDDATA) continue;
    av::check(ret, ErrorKind::not_media, spec_.input, "decoding failed");
    int64_t ts = frame_->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) ts = frame_->pts;
    frame_->pts = ts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : ts - (video ? vstart_ts_ : astart_ts_);
    if (video) {
      if (frame_->pts != AV_NOPTS_VALUE) video_end_ts_ = std::max(video_end_ts_, frame_->pts + frame_->pkt_duration);
      vfilter_->push(frame_.get());
      pull_video();
    } else {
      afilter_->push(frame_.get());
      pull_audio();
    }
    av_frame_unref(frame_.get());
  }
}

void Transcoder::pull_video() {
  while (!video_done_ && vfilter_->pull(filtered_.get())) {
    Item item{av::make_frame(), nullptr};
    av_frame_move_ref(item.frame.get(), filtered_.get());
    send(std::move(item));
    if (++frames_out_ >= frames_wanted_) video_done_ = true;
    report_progress(static_cast<double>(frames_out_) / fps_.value());
  }
  if (vfilter_->ended()) video_done_ = true;
  av_frame_unref(filtered_.get());
}

void Transcoder::pull_audio() {
  while (afilter_->pull(filtered_.get())) {
    aenc_->place(filtered_.get());
    av_frame_unref(filtered_.get());
  }
  if (aenc_->placed() >= samples_wanted_ || afilter_->ended()) audio_done_ = true;
  feed_audio(false);
}

// Audio never runs ahead of the video written so far, so that at the end it can be cut or
// padded to the video's exact length.
int64_t Transcoder::audio_limit() const {
  int64_t limit = samples_wanted_;
  if (!vin_) return limit == kUnbounded ? std::numeric_limits<int64_t>::max() : limit;
  double video_seconds = spec_.copy_video ? copied_video_end_ : static_cast<double>(frames_out_) / fps_.value();
  return std::min(limit, static_cast<int64_t>(std::llround(video_seconds * spec_.sample_rate)));
}

void Transcoder::feed_audio(bool final) {
  if (!aenc_) return;
  auto sink = [&](AVPacket* p) {
    Item item{nullptr, av::make_packet()};
    av_packet_move_ref(item.packet.get(), p);
    item.packet->stream_index = aout_;
    av_packet_rescale_ts(item.packet.get(), aenc_->context()->time_base, writer_.time_base(aout_));
    send(std::move(item));
  };
  int64_t limit = audio_limit();
  if (!final) return aenc_->encode_until(limit, sink);
  if (limit == std::numeric_limits<int64_t>::max()) limit = aenc_->placed();
  aenc_->finish(limit, sink);
}

void Transcoder::copy_video_packet(AVPacket* pkt) {
  const int64_t half_frame = seconds_to_ts(0.5 / fps_.value(), vin_->time_base);
  if (pkt->pts != AV_NOPTS_VALUE && (pkt->flags & AV_PKT_FLAG_KEY) && pkt->pts >= vend_ts_ - half_frame) {
    video_done_ = true;  // the next GOP starts at or after the end: everything before is complete
    return;
  }
  if (pkt->pts == AV_NOPTS_VALUE || pkt->pts < vstart_ts_ - half_frame) return;
  pkt->pts -= vstart_ts_;
  if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= vstart_ts_;
  copied_video_end_ = std::max(copied_video_end_, (pkt->pts + pkt->duration) * av_q2d(vin_->time_base));
  ++frames_out_;
  Item item{nullptr, av::make_packet()};
  av_packet_move_ref(item.packet.get(), pkt);
  item.packet->stream_index = vout_;
  item.packet->pos = -1;
  av_packet_rescale_ts(item.packet.get(), vin_->time_base, writer_.time_base(vout_));
  send(std::move(item));
  report_progress(copied_video_end_);
  feed_audio(false);
}

void Transcoder::copy_audio_packet(AVPacket* pkt) {
  if (pkt->pts == AV_NOPTS_VALUE) return;
  const int64_t tolerance = seconds_to_ts(0.001, ain_->time_base);
  if (pkt->pts >= aend_ts_ - tolerance) {
    audio_done_ = true;
    return;
  }
  // From the very start, the encoder's priming packet (negative time) stays: the MP4 edit list
  // hides it, and the decoder needs it.
  if (spec_.start > 0 && pkt->pts < astart_ts_ - tolerance) return;
  pkt->pts -= astart_ts_;
  if (pkt->dts != AV_NOPTS_VALUE) pkt->dts -= astart_ts_;
  copied_audio_end_ = std::max(copied_audio_end_, (pkt->pts + pkt->duration) * av_q2d(ain_->time_base));
  Item item{nullptr, av::make_packet()};
  av_packet_move_ref(item.packet.get(), pkt);
  item.packet->stream_index = aout_;
  item.packet->pos = -1;
  av_packet_rescale_ts(item.packet.get(), ain_->time_base, writer_.time_base(aout_));
  send(std::move(item));
}

void Transcoder::on_video_packet(AVPacket* pkt) {
  if (video_done_) return;
  if (spec_.copy_video) return copy_video_packet(pkt);
  // Pictures nothing refers to are not decoded until two frames before the start: they would
  // be dropped anyway (the margin keeps the one the fps filter may show at the start).
  if (vdec_->skip_frame != AVDISCARD_DEFAULT && pkt->pts != AV_NOPTS_VALUE &&
      pkt->pts >= vstart_ts_ - seconds_to_ts(2.0 / fps_.value(), vin_->time_base))
    vdec_->skip_frame = AVDISCARD_DEFAULT;
  decode(vdec_.get(), pkt, true);
}

void Transcoder::on_audio_packet(AVPacket* pkt) {
  if (audio_done_) return;
  if (spec_.copy_audio) return copy_audio_packet(pkt);
  decode(adec_.get(), pkt, false);
}

void Transcoder::read_packets() {
  auto pkt = av::make_packet();
  while (!done()) {
    if (interrupted()) throw Error(ErrorKind::interrupted, spec_.output, "interrupted");
    int ret = av_read_frame(in_.get(), pkt.get());
    if (ret == AVERROR_EOF) break;
    av::check(ret, ErrorKind::not_media, spec_.input, "cannot read packets");
    if (vin_ && pkt->stream_index == vin_->index) on_video_packet(pkt.get());
    else if (ain_ && pkt->stream_index == ain_->index) on_audio_packet(pkt.get());
    av_packet_unref(pkt.get());
  }
}

// End of file (or of the range): drain decoders and filters, then fix the audio's exact length.
void Transcoder::finish_streams() {
  if (vdec_ && !video_done_) {
    decode(vdec_.get(), nullptr, true);
    vfilter_->close(video_end_ts_);
    pull_video();
  }
  if (adec_ && !audio_done_) {
    decode(adec_.get(), nullptr, false);
    afilter_->push(nullptr);
    pull_audio();
  }
  video_done_ = audio_done_ = true;
  feed_audio(true);
}

TranscodeResult Transcoder::run() {
  open_source();
  set_up_video();
  set_up_audio();
  writer_.start();
  seek_to_start();
  std::thread muxer([&] {
    try {
      while (auto item = queue_.pop()) {
        if (item->frame) writer_.encode_video(item->frame.get());
        else writer_.write(item->packet.get());
      }
    } catch (...) {
      writer_error_ = std::current_exception();
      queue_.abort();
    }
  });
  try {
    read_packets();
    finish_streams();
    queue_.close();
  } catch (...) {
    queue_.abort();
    muxer.join();
    throw;
  }
  muxer.join();
  if (writer_error_) std::rethrow_exception(writer_error_);
  if (interrupted()) throw Error(ErrorKind::interrupted, spec_.output, "interrupted");
  if (vin_ && !spec_.copy_video && frames_out_ == 0)
    throw Error(ErrorKind::unsupported, spec_.input, "no video frames in the range " + std::to_string(spec_.start) + " s onwards");
  writer_.finish();

  TranscodeResult r;
  r.output = spec_.output;
  r.video_copied = vin_ && spec_.copy_video;
  r.audio_copied = ain_ && spec_.copy_audio;
  r.video_frames = spec_.copy_video ? frames_out_ : writer_.video_frames();
  r.video_duration = spec_.copy_video ? copied_video_end_ : static_cast<double>(r.video_frames) / fps_.value();
  r.audio_duration = aenc_ ? static_cast<double>(aenc_->encoded()) / spec_.sample_rate : copied_audio_end_;
  return r;
}

}  // namespace

TranscodeResult transcode(const TranscodeSpec& spec) {
  Transcoder t(spec);
  return t.run();
}

}  // namespace omnicut
