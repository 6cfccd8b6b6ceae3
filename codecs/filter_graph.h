// One libavfilter graph with a single input and a single output ("buffer"/"abuffer" in, a chain
// described in FFmpeg's filter syntax, "buffersink"/"abuffersink" out): what prep's video and
// audio paths push decoded frames through.
#pragma once
#include <string>

#include "codecs/av_ptr.h"

namespace omnicut::av {

class FilterChain {
 public:
  // `chain` is e.g. "fps=30,scale=1280:720"; an empty chain passes frames through. `subject`
  // names the file in errors. Frames pushed must match `dec`'s format; `time_base` is their
  // timestamps' unit. `threads` 0 lets libavfilter pick.
  static FilterChain video(const AVCodecContext* dec, AVRational time_base, const std::string& chain,
                           const std::string& subject, int threads = 0);
  // Output frames hold exactly `frame_size` samples (the last may hold fewer) when > 0.
  static FilterChain audio(const AVCodecContext* dec, AVRational time_base, const std::string& chain,
                           const std::string& subject, int frame_size = 0);

  // Hands a frame to the graph, taking its data (the frame is left blank); nullptr ends the stream.
  void push(AVFrame* frame);
  // Ends the stream at `pts` (the end of the last frame, in the input time base), so that
  // filters timing by duration (fps) keep the last frame.
  void close(int64_t pts);
  // Takes the next output frame into `out`; false when none is ready yet or the graph has ended.
  bool pull(AVFrame* out);
  bool ended() const { return ended_; }

  AVRational output_time_base() const;
  AVRational output_frame_rate() const;
  int output_width() const;
  int output_height() const;

 private:
  FilterChain(std::string subject) : subject_(std::move(subject)) {}
  void build(const char* source, const std::string& source_args, const char* sink, const std::string& chain,
             int threads);

  std::string subject_;
  FilterGraph graph_;
  AVFilterContext* source_ = nullptr;
  AVFilterContext* sink_ = nullptr;
  bool ended_ = false;
};

}  // namespace omnicut::av
