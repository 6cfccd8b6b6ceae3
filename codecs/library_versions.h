// The FFmpeg libraries this process runs with, asked of the loaded libraries (not the headers
// omnicut was built against: a distribution update can change them under the same binary), for
// `omnicut --version` and bug reports.
#pragma once
#include <string>

namespace omnicut::av {

// "FFmpeg 5.1.6-0+deb12u1 (libavformat 59.27.100, libavcodec 59.37.100, ...)": FFmpeg's own
// release string, then each library omnicut links with its major.minor.micro.
std::string library_versions();

}  // namespace omnicut::av
