#include "codecs/av_ptr.h"

#include "common/error.h"

namespace omnicut::av {

Frame make_frame() {
  Frame f(av_frame_alloc());
  if (!f) throw Error(ErrorKind::internal, "av_frame_alloc", "out of memory");
  return f;
}

Packet make_packet() {
  Packet p(av_packet_alloc());
  if (!p) throw Error(ErrorKind::internal, "av_packet_alloc", "out of memory");
  return p;
}

}  // namespace omnicut::av
