// omnicut_probe FILE: what omnicut's probe says of FILE, through the installed library's public
// API. Exit status: 0, or 1 with omnicut's one-line message when the file cannot be probed.
#include <cstdio>

#include <omnicut/omnicut.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: omnicut_probe FILE\n");
    return 2;
  }
  try {
    omnicut::api::ProbeResult r = omnicut::api::probe(argv[1]);
    std::printf("file: %s\n", r.path.c_str());
    std::printf("size: %llu bytes\n", static_cast<unsigned long long>(r.size));
    std::printf("duration: %.3f s\n", r.duration);
    if (r.video) std::printf("video: %s %dx%d, %.3g fps\n", r.video->codec.c_str(), r.video->width, r.video->height, r.video->fps);
    std::printf("omnicut: %s\n", omnicut::api::version().c_str());
    return 0;
  } catch (const omnicut::Error& e) {
    std::fprintf(stderr, "omnicut_probe: %s\n", e.what());
    return 1;
  }
}
