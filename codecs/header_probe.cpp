#include "codecs/header_probe.h"

#include "codecs/input.h"
#include "codecs/probe.h"

namespace omnicut {

MediaInfo probe_headers(const std::string& path) {
  // The headers' durations when they give one; only a live recording's packets are read.
  av::OpenedMedia m = av::open_media(path, {.quick = true, .true_duration = true, .stream_durations = false});
  AVFormatContext* ic = m.get();
  MediaInfo info = media_info_of(m);
  for (unsigned i = 0; i < ic->nb_streams; ++i) {
    AVStream* st = ic->streams[i];
    const AVCodecParameters* par = st->codecpar;
    if (st == m.video) {
      VideoInfo v;
      v.index = static_cast<int>(i);
      v.codec = avcodec_get_name(par->codec_id);
      v.decodable = avcodec_find_decoder(par->codec_id) != nullptr;
      v.width = v.display_width = par->width;
      v.height = v.display_height = par->height;
      v.duration = m.stream_duration[i];
      v.start = stream_start(m, static_cast<int>(i));
      info.video = v;
    } else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
      AudioInfo a;
      a.index = static_cast<int>(i);
      a.codec = avcodec_get_name(par->codec_id);
      a.decodable = avcodec_find_decoder(par->codec_id) != nullptr;
      a.sample_rate = par->sample_rate;
      a.channels = par->ch_layout.nb_channels;
      a.start = stream_start(m, static_cast<int>(i));
      a.duration = m.stream_duration[i];
      info.audio.push_back(a);
    }
  }
  return info;
}

}  // namespace omnicut
