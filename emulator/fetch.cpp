#include "emulator/fetch.h"

#include <fstream>

#include <httplib.h>

#include "emulator/context.h"
#include "emulator/http_util.h"

namespace omnicut::emulator {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void cannot_fetch(const std::string& why) {
  std::string msg = "Could not download the file from video_url: " + why;
  throw JobError{.http_status = 422, .body = validation_detail("video_url", msg, "file_download_error"),
                 .message = msg, .error_type = "file_download_error"};
}

fs::path download_loopback(const UrlParts& url, const fs::path& dest) {
  httplib::Client client(url.host == "[::1]" ? "::1" : url.host, url.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(60);
  std::ofstream out(dest, std::ios::binary);
  int status = 0;
  auto res = client.Get(
      url.path_and_query,
      [&](const httplib::Response& r) {
        status = r.status;
        return r.status == 200;
      },
      [&](const char* data, size_t n) {
        out.write(data, static_cast<std::streamsize>(n));
        return static_cast<bool>(out);
      });
  out.close();
  if (status != 0 && status != 200) cannot_fetch("the server answered HTTP " + std::to_string(status));
  if (!res) cannot_fetch(httplib::to_string(res.error()));
  if (!out) cannot_fetch("cannot write the downloaded file");
  return dest;
}

}  // namespace

fs::path fetch_video(Context& ctx, const std::string& url, const fs::path& dest) {
  if (url.rfind(ctx.base_url + "/", 0) == 0) {
    std::string token = Storage::token_of_file_path(url.substr(ctx.base_url.size()));
    auto file = token.empty() ? std::nullopt : ctx.storage.find_file(token);
    if (!file) cannot_fetch("no such file in storage (was the upload completed?)");
    return file->path;
  }
  auto parts = parse_url(url);
  if (!parts) cannot_fetch("not an http(s) URL");
  if (parts->scheme != "http" || !is_loopback_host(parts->host))
    cannot_fetch("the emulator only fetches http URLs on loopback (127.0.0.1, localhost)");
  return download_loopback(*parts, dest);
}

}  // namespace omnicut::emulator
