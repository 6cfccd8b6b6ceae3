#include "emulator/storage.h"

#include <fstream>
#include <regex>
#include <stdexcept>

#include "common/error.h"
#include "emulator/http_util.h"

namespace omnicut::emulator {

namespace fs = std::filesystem;

namespace {

// FNV-1a over the part's bytes: a stable etag without a crypto dependency.
std::string etag_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  uint64_t h = 1469598103934665603ull;
  std::vector<char> buf(1 << 16);
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      h ^= static_cast<unsigned char>(buf[i]);
      h *= 1099511628211ull;
    }
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

void append_file(std::ofstream& out, const fs::path& part) {
  std::ifstream in(part, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) out.write(buf.data(), in.gcount());
}

}  // namespace

std::string sanitize_file_name(const std::string& name) {
  std::string out;
  for (char c : fs::path(name).filename().string())
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  while (!out.empty() && out.front() == '.') out.erase(0, 1);
  return out.empty() ? "file.bin" : out;
}

Storage::Storage(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(upload_dir(), ec);
  fs::create_directories(files_dir(), ec);
  if (ec) throw Error(ErrorKind::output, dir_.string(), "cannot create the emulator's storage: " + ec.message());
}

Upload Storage::initiate(const std::string& file_name, const std::string& content_type, bool multipart) {
  Upload u{.token = random_hex(12),
           .signature = random_hex(16),
           .file_name = sanitize_file_name(file_name),
           .content_type = content_type.empty() ? "application/octet-stream" : content_type,
           .multipart = multipart};
  std::lock_guard lock(mutex_);
  uploads_[u.token] = u;
  return u;
}

std::optional<Upload> Storage::find_upload(const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = uploads_.find(token);
  if (it == uploads_.end()) return std::nullopt;
  return it->second;
}

fs::path Storage::temp_path(const std::string& token) const {
  return upload_dir() / (token + ".tmp-" + random_hex(6));
}

fs::path Storage::part_file(const std::string& token, int number) const {
  return upload_dir() / (token + ".part" + std::to_string(number));
}

void Storage::publish(const std::string& token, const fs::path& data, const std::string& name,
                      const std::string& type) {
  fs::path dest = files_dir() / token;
  fs::rename(data, dest);
  StoredFile f{.path = dest, .file_name = name, .content_type = type, .size = fs::file_size(dest)};
  std::lock_guard lock(mutex_);
  files_[token] = f;
}

void Storage::accept_single(const Upload& upload, const fs::path& temp) {
  publish(upload.token, temp, upload.file_name, upload.content_type);
  std::lock_guard lock(mutex_);
  ++completed_uploads_;
}

std::string Storage::accept_part(const Upload& upload, int number, const fs::path& temp) {
  std::string etag = etag_of(temp);
  fs::rename(temp, part_file(upload.token, number));
  std::lock_guard lock(mutex_);
  part_etags_[upload.token][number] = etag;
  return etag;
}

void Storage::complete_multipart(const Upload& upload, std::vector<Part> parts) {
  if (parts.empty()) throw std::invalid_argument("parts is empty");
  std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) { return a.number < b.number; });
  {
    std::lock_guard lock(mutex_);
    const auto& have = part_etags_[upload.token];
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& p = parts[i];
      if (p.number != static_cast<int>(i) + 1)
        throw std::invalid_argument("parts must be numbered 1.." + std::to_string(parts.size()) +
                                    " without gaps or repeats (got " + std::to_string(p.number) + ")");
      auto it = have.find(p.number);
      if (it == have.end()) throw std::invalid_argument("part " + std::to_string(p.number) + " was never uploaded");
      if (unquote(p.etag) != it->second)
        throw std::invalid_argument("part " + std::to_string(p.number) + ": etag does not match");
    }
  }
  fs::path joined = temp_path(upload.token);
  {
    std::ofstream out(joined, std::ios::binary);
    for (const auto& p : parts) append_file(out, part_file(upload.token, p.number));
    if (!out) throw std::runtime_error("cannot write the joined upload");
  }
  publish(upload.token, joined, upload.file_name, upload.content_type);
  std::lock_guard lock(mutex_);
  for (const auto& [number, etag] : part_etags_[upload.token]) {
    std::error_code ec;
    fs::remove(part_file(upload.token, number), ec);
  }
  part_etags_.erase(upload.token);
  ++completed_uploads_;
}

std::string Storage::add_file(const fs::path& source, const std::string& file_name, const std::string& content_type) {
  std::string token = random_hex(12);
  publish(token, source, sanitize_file_name(file_name), content_type);
  return token;
}

std::optional<StoredFile> Storage::find_file(const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(token);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

int Storage::completed_uploads() const {
  std::lock_guard lock(mutex_);
  return completed_uploads_;
}

std::string Storage::file_path(const std::string& token, const std::string& file_name) {
  return "/files/" + token + "/" + file_name;
}

std::string Storage::token_of_file_path(const std::string& path) {
  static const std::regex re(R"(^/files/([0-9a-f]+)(/[^/?#]*)?(\?.*)?$)");
  std::smatch m;
  return std::regex_match(path, m, re) ? m[1].str() : std::string();
}

}  // namespace omnicut::emulator
