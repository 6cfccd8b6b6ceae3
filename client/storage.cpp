#include "client/storage.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <system_error>

#include <nlohmann/json.hpp>

#include "client/errors.h"
#include "client/fal_urls.h"
#include "common/error.h"

namespace omnicut::client {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Slot {
  std::string upload_url;
  std::string file_url;
};

json parse_json(const Http& http, const std::string& subject, const Response& r, const char* what) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw Error(ErrorKind::network, subject,
                std::string("fal answered the ") + what + " with something that is not JSON: " +
                    http.redact(r.body.substr(0, 120)));
  return j;
}

std::string string_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// POST {rest}/storage/upload/<kind>?storage_type=fal-cdn-v3 -> {upload_url, file_url}.
Slot initiate(const Fal& fal, const std::string& kind, const std::string& subject, const UploadResult& up) {
  Request r;
  r.method = "POST";
  r.url = fal.urls.rest + "/storage/upload/" + kind + "?storage_type=fal-cdn-v3";
  r.with_key = true;
  r.headers = {"Content-Type: application/json", "Accept: application/json"};
  r.body = json{{"content_type", up.content_type}, {"file_name", up.file_name}}.dump();
  Response resp = fal.http.send(r, policy::standard(), subject);
  expect_success(fal.http, subject, resp);
  json j = parse_json(fal.http, subject, resp, "upload request");
  Slot slot{string_field(j, "upload_url"), string_field(j, "file_url")};
  if (url_origin(slot.upload_url).empty() || slot.file_url.empty())
    throw Error(ErrorKind::network, subject, "fal's upload answer lacks an http(s) upload_url or a file_url");
  return slot;
}

Request put_range(const std::string& url, const fs::path& file, uint64_t offset, uint64_t length,
                  const std::string& content_type) {
  Request r;
  r.method = "PUT";
  r.url = url;
  r.body_file = file;
  r.body_offset = offset;
  r.body_length = length;
  r.whole_request_timeout = false;  // big bodies: the low-speed limit guards against stalls
  if (!content_type.empty()) r.headers.push_back("Content-Type: " + content_type);
  return r;
}

void upload_single(const Fal& fal, const fs::path& file, const UploadOptions& options, UploadResult& up) {
  const std::string subject = file.string();
  Slot slot = initiate(fal, "initiate", subject, up);
  Request put = put_range(slot.upload_url, file, 0, up.size, up.content_type);
  uint64_t total = up.size;
  if (options.progress) put.progress = [&](uint64_t done, uint64_t) { options.progress(done, total); };
  // Presigned PUTs are idempotent (the same bytes to the same object), so every failure is retried.
  expect_success(fal.http, subject, fal.http.send(put, policy::standard(), subject));
  up.file_url = slot.file_url;
}

// "{origin}{path}{/suffix}{?query}": the presigned query string stays on every multipart call.
std::string with_path_suffix(const std::string& url, const std::string& suffix) {
  auto q = url.find_first_of("?#");
  std::string base = q == std::string::npos ? url : url.substr(0, q);
  std::string query = q == std::string::npos ? "" : url.substr(q);
  if (auto hash = query.find('#'); hash != std::string::npos) query.resize(hash);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + suffix + query;
}

void upload_multipart(const Fal& fal, const fs::path& file, const UploadOptions& options, UploadResult& up) {
  const std::string subject = file.string();
  Slot slot = initiate(fal, "initiate-multipart", subject, up);
  const uint64_t part_size = std::max<uint64_t>(options.part_size, 5ull << 20);
  const uint64_t count = (up.size + part_size - 1) / part_size;
  json parts = json::array();
  for (uint64_t n = 1; n <= count; ++n) {
    uint64_t offset = (n - 1) * part_size;
    uint64_t length = std::min(part_size, up.size - offset);
    // fal's JS client sends parts without a Content-Type; the object's type came with initiate.
    Request put = put_range(with_path_suffix(slot.upload_url, std::to_string(n)), file, offset, length, "");
    if (options.progress)
      put.progress = [&, offset](uint64_t done, uint64_t) { options.progress(offset + done, up.size); };
    std::string part_subject = subject + " (part " + std::to_string(n) + "/" + std::to_string(count) + ")";
    Response resp = fal.http.send(put, policy::standard(), part_subject);
    expect_success(fal.http, part_subject, resp);
    // The JS client reads {partNumber, etag} from the body; the server SDK the ETag header.
    auto j = json::parse(resp.body, nullptr, false);
    std::string etag = j.is_object() ? string_field(j, "etag") : "";
    if (etag.empty()) etag = resp.header("etag");
    if (etag.empty()) throw Error(ErrorKind::network, part_subject, "fal's answer to the part carries no etag");
    parts.push_back({{"partNumber", n}, {"etag", etag}});
  }
  Request complete;
  complete.method = "POST";
  complete.url = with_path_suffix(slot.upload_url, "complete");
  complete.headers = {"Content-Type: application/json", "Accept: application/json"};
  // An etag comes from a header, which need not be UTF-8: json's dump would throw its type_error.
  // Replaced bytes make a tag storage refuses, which then reads as the usual HTTP error.
  complete.body = json{{"parts", parts}}.dump(-1, ' ', false, json::error_handler_t::replace);
  expect_success(fal.http, subject, fal.http.send(complete, policy::standard(), subject));
  up.file_url = slot.file_url;
  up.parts = static_cast<int>(count);
}

}  // namespace

std::string content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string> types = {
      {".mp4", "video/mp4"},         {".m4v", "video/x-m4v"},      {".mov", "video/quicktime"},
      {".webm", "video/webm"},       {".mkv", "video/x-matroska"}, {".avi", "video/x-msvideo"},
      {".mpg", "video/mpeg"},        {".mpeg", "video/mpeg"},      {".ts", "video/mp2t"},
      {".3gp", "video/3gpp"},        {".ogv", "video/ogg"},        {".flv", "video/x-flv"},
      {".wav", "audio/wav"},         {".mp3", "audio/mpeg"},       {".m4a", "audio/mp4"},
      {".aac", "audio/aac"},         {".flac", "audio/flac"},      {".ogg", "audio/ogg"},
      {".opus", "audio/opus"},       {".png", "image/png"},        {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},       {".webp", "image/webp"},      {".gif", "image/gif"},
      {".json", "application/json"}, {".txt", "text/plain"},
  };
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = types.find(ext);
  return it == types.end() ? "application/octet-stream" : it->second;
}

UploadResult upload_file(const Fal& fal, const fs::path& file, const UploadOptions& options) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error(ErrorKind::not_found, file.string(), fs::exists(file, ec) ? "not a regular file" : "no such file");
  UploadResult up;
  up.size = fs::file_size(file, ec);
  if (ec) throw Error(ErrorKind::not_found, file.string(), "cannot read its size: " + ec.message());
  up.content_type = options.content_type.empty() ? content_type_for(file) : options.content_type;
  up.file_name = options.file_name.empty() ? file.filename().string() : options.file_name;
  if (up.size > options.multipart_threshold)
    upload_multipart(fal, file, options, up);
  else
    upload_single(fal, file, options, up);
  return up;
}

}  // namespace omnicut::client
