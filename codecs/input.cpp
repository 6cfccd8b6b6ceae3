#include "codecs/input.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "codecs/av_error.h"
#include "codecs/av_log.h"

namespace omnicut::av {
namespace fs = std::filesystem;

void check_readable_file(const std::string& path) {
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw Error(ErrorKind::not_found, path, "no such file");
  if (fs::is_directory(st)) throw Error(ErrorKind::not_found, path, "is a directory, not a media file");
  if (!fs::is_regular_file(st)) throw Error(ErrorKind::not_found, path, "not a regular file");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw Error(ErrorKind::not_found, path, std::string("cannot read: ") + std::strerror(errno));
  if (fs::file_size(path, ec) == 0) throw Error(ErrorKind::not_media, path, "empty file");
}

namespace {

// FFmpeg's own log line says more than "Invalid data found" (e.g. "moov atom not found").
std::string cause_with_log(const std::string& what, int ret) {
  std::string cause = what + ": " + error_text(ret);
  std::string log = last_log_line();
  if (auto pos = log.find("] "); pos != std::string::npos) log = log.substr(pos + 2);
  if (!log.empty() && log.find(error_text(ret)) == std::string::npos) cause += " (" + log + ")";
  return cause;
}

}  // namespace

InputFormat open_input(const std::string& path) {
  check_readable_file(path);
  clear_last_log();
  AVFormatContext* raw = nullptr;
  int ret = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
  if (ret < 0) {
    auto kind = ret == AVERROR(ENOENT) || ret == AVERROR(EACCES) ? ErrorKind::not_found : ErrorKind::not_media;
    throw Error(kind, path, cause_with_log("not a readable media file", ret));
  }
  InputFormat input(raw);
  ret = avformat_find_stream_info(input.get(), nullptr);
  if (ret < 0) throw Error(ErrorKind::not_media, path, cause_with_log("cannot read stream info", ret));
  if (input->nb_streams == 0) throw Error(ErrorKind::not_media, path, "no audio or video streams");
  return input;
}

}  // namespace omnicut::av
