// fal's presigned storage protocol (JS client storage.ts): initiate / initiate-multipart on the
// REST API (key required), then PUTs to the presigned upload URL (no key; the signature in its
// query is the permission), parts at {upload path}/{n} and POST {upload path}/complete.
// Bytes go straight to disk as they arrive.
#include <fstream>

#include "emulator/context.h"
#include "emulator/http_util.h"

namespace omnicut::emulator {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kChunkedDropAfter = 1 << 20;  // drop-upload without a Content-Length

void initiate(Context& ctx, const httplib::Request& req, httplib::Response& res, bool multipart) {
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return send_json(res, 422, validation_detail("", "Input should be a valid JSON object", "json_invalid"));
  std::string name = body.value("file_name", nlohmann::json()).is_string() ? body["file_name"].get<std::string>() : "";
  std::string type = body.value("content_type", nlohmann::json()).is_string() ? body["content_type"].get<std::string>() : "";
  Upload u = ctx.storage.initiate(name.empty() ? "upload.bin" : name, type, multipart);
  send_json(res, 200, {{"upload_url", ctx.base_url + "/upload/" + u.token + "?signature=" + u.signature},
                       {"file_url", ctx.base_url + Storage::file_path(u.token, u.file_name)}});
}

// The upload named by the path's token, if the query carries its signature; answers otherwise.
std::optional<Upload> signed_upload(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto upload = ctx.storage.find_upload(req.matches[1].str());
  if (!upload) {
    send_detail(res, 404, "No such upload");
    return std::nullopt;
  }
  if (req.get_param_value("signature") != upload->signature) {
    send_detail(res, 403, "The presigned URL's signature is missing or wrong");
    return std::nullopt;
  }
  return upload;
}

// Streams the body to `temp`. False when the body did not arrive whole (or was cut on purpose).
bool receive_body(Context& ctx, const httplib::Request& req, const httplib::ContentReader& reader, const fs::path& temp) {
  const bool drop = ctx.faults.take_drop_upload();
  const uint64_t expected = req.has_header("Content-Length") ? std::stoull(req.get_header_value("Content-Length")) : 0;
  const uint64_t drop_at = expected > 1 ? expected / 2 : kChunkedDropAfter;
  std::ofstream out(temp, std::ios::binary);
  uint64_t received = 0;
  bool dropped = false;
  bool read = reader([&](const char* data, size_t n) {
    out.write(data, static_cast<std::streamsize>(n));
    received += n;
    if (drop && received >= drop_at) {
      dropped = drop_connection(req);
      return false;
    }
    return static_cast<bool>(out);
  });
  out.close();
  bool whole = read && !dropped && out && (expected == 0 || received == expected);
  if (!whole) {
    std::error_code ec;
    fs::remove(temp, ec);
  }
  return whole;
}

void put_single(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  auto upload = signed_upload(ctx, req, res);
  if (!upload) return;
  if (upload->multipart) return send_detail(res, 400, "This is a multipart upload: PUT its parts to {upload_url path}/{partNumber}");
  fs::path temp = ctx.storage.temp_path(upload->token);
  if (!receive_body(ctx, req, reader, temp)) return send_detail(res, 400, "The upload did not arrive whole");
  ctx.storage.accept_single(*upload, temp);
  res.status = 200;
}

void put_part(Context& ctx, const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
  auto upload = signed_upload(ctx, req, res);
  if (!upload) return;
  int number = std::stoi(req.matches[2].str());
  if (!upload->multipart) return send_detail(res, 400, "Not a multipart upload");
  if (number < 1 || number > 10000) return send_detail(res, 400, "partNumber must be 1..10000");
  fs::path temp = ctx.storage.temp_path(upload->token);
  if (!receive_body(ctx, req, reader, temp)) return send_detail(res, 400, "The part did not arrive whole");
  std::string etag = ctx.storage.accept_part(*upload, number, temp);
  // The JS client reads the etag from the JSON body, fal's Python toolkit from the ETag header.
  res.set_header("ETag", "\"" + etag + "\"");
  send_json(res, 200, {{"partNumber", number}, {"etag", etag}});
}

void complete(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto upload = signed_upload(ctx, req, res);
  if (!upload) return;
  if (!upload->multipart) return send_detail(res, 400, "Not a multipart upload");
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.contains("parts") || !body["parts"].is_array())
    return send_json(res, 422, validation_detail("parts", "Field required", "missing"));
  std::vector<Part> parts;
  for (const auto& p : body["parts"]) {
    if (!p.is_object() || !p.contains("partNumber") || !p["partNumber"].is_number_integer() || !p.contains("etag") ||
        !p["etag"].is_string())
      return send_json(res, 422, validation_detail("parts", "each part needs partNumber and etag", "value_error"));
    parts.push_back({p["partNumber"].get<int>(), p["etag"].get<std::string>()});
  }
  try {
    ctx.storage.complete_multipart(*upload, std::move(parts));
  } catch (const std::invalid_argument& e) {
    return send_detail(res, 400, e.what());
  }
  send_json(res, 200, {{"file_url", ctx.base_url + Storage::file_path(upload->token, upload->file_name)}});
}

}  // namespace

void add_storage_routes(httplib::Server& server, Context& ctx) {
  server.Post(R"(/storage/upload/initiate/?)",
              [&](const httplib::Request& req, httplib::Response& res) { initiate(ctx, req, res, false); });
  server.Post(R"(/storage/upload/initiate-multipart/?)",
              [&](const httplib::Request& req, httplib::Response& res) { initiate(ctx, req, res, true); });
  server.Put(R"(/upload/([0-9a-f]+)/?)",
             [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
               put_single(ctx, req, res, reader);
             });
  server.Put(R"(/upload/([0-9a-f]+)/(\d{1,6})/?)",
             [&](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
               put_part(ctx, req, res, reader);
             });
  server.Post(R"(/upload/([0-9a-f]+)/complete/?)",
              [&](const httplib::Request& req, httplib::Response& res) { complete(ctx, req, res); });
}

}  // namespace omnicut::emulator
