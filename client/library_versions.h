// The libcurl this process runs with (the loaded library, not the headers omnicut was built
// against), for `omnicut --version` and bug reports.
#pragma once
#include <string>

namespace omnicut::client {

// "libcurl 7.88.1 (OpenSSL/3.0.15, zlib/1.2.13, nghttp2/1.52.0)": the version, then the TLS
// library and the compression and HTTP/2 libraries it was built with, where it has them.
std::string library_versions();

}  // namespace omnicut::client
