// Serving stored files at their public URLs (uploads and results), without a key, with Range
// (httplib answers 206 + Content-Range for the ranges a provider with a known length serves).
#include <fstream>
#include <memory>

#include "emulator/context.h"
#include "emulator/http_util.h"

namespace omnicut::emulator {

namespace {

constexpr size_t kChunk = 256 * 1024;

struct Sending {
  std::ifstream in;
  bool drop = false;
  size_t first_offset = 0;
  size_t total = 0;   // bytes this response carries
  bool started = false;
  std::vector<char> buf = std::vector<char>(kChunk);
};

void serve_file(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto file = ctx.storage.find_file(req.matches[1].str());
  if (!file) return send_detail(res, 404, "File not found");
  auto state = std::make_shared<Sending>();
  state->in.open(file->path, std::ios::binary);
  if (!state->in) return send_detail(res, 404, "File not found");
  // Only a GET that sends bytes consumes the drop; a HEAD leaves it for the download.
  state->drop = req.method == "GET" && ctx.faults.take_drop_download();
  res.set_header("Accept-Ranges", "bytes");
  res.set_content_provider(
      file->size, file->content_type, [state, &req](size_t offset, size_t length, httplib::DataSink& sink) {
        if (!state->started) {
          state->started = true;
          state->first_offset = offset;
          state->total = length;
        }
        size_t n = std::min(kChunk, length);
        if (state->drop) {
          // Cut the transfer half-way: the client has a Content-Length and sees a short body.
          size_t half = state->first_offset + state->total / 2;
          if (offset >= half) {
            drop_connection(req);
            return false;
          }
          n = std::min(n, half - offset);
        }
        // httplib asks for consecutive offsets; seek only when it does not (a new range).
        if (static_cast<size_t>(state->in.tellg()) != offset) state->in.seekg(static_cast<std::streamoff>(offset));
        state->in.read(state->buf.data(), static_cast<std::streamsize>(n));
        if (state->in.gcount() != static_cast<std::streamsize>(n)) return false;
        return sink.write(state->buf.data(), n);
      });
}

}  // namespace

void add_file_routes(httplib::Server& server, Context& ctx) {
  server.Get(R"(/files/([0-9a-f]+)(?:/[^/]*)?)",
             [&](const httplib::Request& req, httplib::Response& res) { serve_file(ctx, req, res); });
}

}  // namespace omnicut::emulator
