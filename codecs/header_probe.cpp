#include "codecs/header_probe.h"

#include <filesystem>

#include "codecs/av_error.h"
#include "codecs/av_log.h"
#include "codecs/av_ptr.h"
#include "codecs/input.h"

namespace omnicut {
namespace {

double seconds(int64_t ts, AVRational tb) { return ts == AV_NOPTS_VALUE ? 0.0 : ts * av_q2d(tb); }

bool header_is_enough(const AVFormatContext* ic) {
  if (ic->duration == AV_NOPTS_VALUE || ic->duration <= 0 || ic->nb_streams == 0) return false;
  for (unsigned i = 0; i < ic->nb_streams; ++i) {
    const AVCodecParameters* par = ic->streams[i]->codecpar;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && (par->width <= 0 || par->height <= 0)) return false;
  }
  return true;
}

av::InputFormat open_header(const std::string& path) {
  av::check_readable_file(path);
  av::clear_last_log();
  AVFormatContext* raw = nullptr;
  int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (ret < 0) {
    std::string cause = "not a readable media file: " + av::error_text(ret);
    if (auto log = av::last_log_line(); !log.empty()) cause += " (" + log.substr(log.find("] ") == std::string::npos ? 0 : log.find("] ") + 2) + ")";
    throw Error(ErrorKind::not_media, path, cause);
  }
  return av::InputFormat(raw);
}

}  // namespace

MediaInfo probe_headers(const std::string& path) {
  auto ic = open_header(path);
  if (!header_is_enough(ic.get())) ic = av::open_input(path);  // the full stream-info search
  if (ic->nb_streams == 0) throw Error(ErrorKind::not_media, path, "no audio or video streams");

  MediaInfo info;
  info.path = path;
  info.container = ic->iformat->name;
  std::error_code ec;
  info.size = std::filesystem::file_size(path, ec);
  info.duration = ic->duration == AV_NOPTS_VALUE ? 0.0 : ic->duration / static_cast<double>(AV_TIME_BASE);
  info.start = ic->start_time == AV_NOPTS_VALUE ? 0.0 : ic->start_time / static_cast<double>(AV_TIME_BASE);
  info.stream_count = static_cast<int>(ic->nb_streams);
  for (unsigned i = 0; i < ic->nb_streams; ++i) {
    AVStream* st = ic->streams[i];
    const AVCodecParameters* par = st->codecpar;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && !info.video && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      VideoInfo v;
      v.index = static_cast<int>(i);
      v.codec = avcodec_get_name(par->codec_id);
      v.decodable = avcodec_find_decoder(par->codec_id) != nullptr;
      v.width = v.display_width = par->width;
      v.height = v.display_height = par->height;
      v.duration = st->duration > 0 ? seconds(st->duration, st->time_base) : info.duration;
      v.start = seconds(st->start_time, st->time_base);
      info.video = v;
    } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
      AudioInfo a;
      a.index = static_cast<int>(i);
      a.codec = avcodec_get_name(par->codec_id);
      a.decodable = avcodec_find_decoder(par->codec_id) != nullptr;
      a.sample_rate = par->sample_rate;
      a.channels = par->ch_layout.nb_channels;
      a.start = seconds(st->start_time, st->time_base);
      a.duration = st->duration > 0 ? seconds(st->duration, st->time_base) : info.duration;
      info.audio.push_back(a);
    }
  }
  return info;
}

}  // namespace omnicut
