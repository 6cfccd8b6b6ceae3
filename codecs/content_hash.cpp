#include "codecs/content_hash.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

extern "C" {
#include <libavutil/mem.h>
#include <libavutil/sha.h>
}

#include "common/error.h"

namespace omnicut {
namespace {

constexpr std::streamoff kChunk = 1 << 20;

struct ShaDeleter {
  void operator()(AVSHA* s) const { av_free(s); }
};

std::vector<uint8_t> read_at(std::ifstream& in, std::streamoff offset, std::streamoff length,
                             const std::string& path) {
  std::vector<uint8_t> buf(static_cast<size_t>(length));
  in.seekg(offset);
  in.read(reinterpret_cast<char*>(buf.data()), length);
  if (in.gcount() != length) throw Error(ErrorKind::not_found, path, "cannot read for the content hash");
  return buf;
}

}  // namespace

std::string content_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(ErrorKind::not_found, path, std::string("cannot read: ") + std::strerror(errno));
  const std::streamoff size = in.tellg();
  std::unique_ptr<AVSHA, ShaDeleter> sha(av_sha_alloc());
  if (!sha || av_sha_init(sha.get(), 256) < 0) throw Error(ErrorKind::internal, path, "cannot start SHA-256");

  uint8_t size_bytes[8];
  for (int i = 0; i < 8; ++i) size_bytes[i] = static_cast<uint8_t>(static_cast<uint64_t>(size) >> (8 * i));
  av_sha_update(sha.get(), size_bytes, sizeof size_bytes);
  if (size <= 2 * kChunk) {
    auto all = read_at(in, 0, size, path);
    av_sha_update(sha.get(), all.data(), all.size());
  } else {
    auto head = read_at(in, 0, kChunk, path);
    auto tail = read_at(in, size - kChunk, kChunk, path);
    av_sha_update(sha.get(), head.data(), head.size());
    av_sha_update(sha.get(), tail.data(), tail.size());
  }
  uint8_t digest[32];
  av_sha_final(sha.get(), digest);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (uint8_t b : digest) out += hex[b >> 4], out += hex[b & 15];
  return out;
}

}  // namespace omnicut
