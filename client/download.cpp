#include "client/download.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>

#include "client/errors.h"
#include "client/fal_urls.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/interrupt.h"

namespace omnicut::client {
namespace {

namespace fs = std::filesystem;

std::optional<uint64_t> parse_u64(const std::string& text) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19)
    return std::nullopt;
  return std::stoull(text);
}

// "bytes START-END/TOTAL" -> START and TOTAL (TOTAL may be "*").
bool parse_content_range(const std::string& value, uint64_t& start, std::optional<uint64_t>& total) {
  if (value.rfind("bytes ", 0) != 0) return false;
  auto dash = value.find('-', 6), slash = value.find('/', 6);
  if (dash == std::string::npos || slash == std::string::npos) return false;
  auto s = parse_u64(value.substr(6, dash - 6));
  if (!s) return false;
  start = *s;
  total = parse_u64(value.substr(slash + 1));
  return true;
}

// The state of one download across its resumed attempts.
struct Progress {
  int fd = -1;
  uint64_t written = 0;                 // bytes on disk, contiguous from 0
  std::optional<uint64_t> expected;     // from file_size, Content-Length or Content-Range
  std::string mismatch;                 // why a reply could not be used
  int write_errno = 0;
  uint64_t kept_on_resume = 0;          // bytes a 206 let us keep, summed over resumes
};

bool accept_head(Progress& p, const Response& head, uint64_t asked_from) {
  if (head.status == 206) {
    uint64_t start = 0;
    std::optional<uint64_t> total;
    if (!parse_content_range(head.header("content-range"), start, total) || start != asked_from) {
      p.mismatch = "the server resumed at the wrong offset (" + head.header("content-range") + ")";
      return false;
    }
    if (total) p.expected = total;
    p.kept_on_resume += asked_from;
  } else {
    // A full answer: whatever was on disk is replaced.
    if (asked_from > 0 && ::ftruncate(p.fd, 0) != 0) {
      p.write_errno = errno;
      return false;
    }
    p.written = 0;
    if (auto length = parse_u64(head.header("content-length"))) p.expected = length;
  }
  return true;
}

bool write_all(Progress& p, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::pwrite(p.fd, data, size, static_cast<off_t>(p.written));
    if (n < 0) {
      if (errno == EINTR) continue;
      p.write_errno = errno;
      return false;
    }
    p.written += static_cast<uint64_t>(n);
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool on_fal_host(const Fal& fal, const std::string& url) {
  auto origin = url_origin(url);
  return origin == url_origin(fal.urls.rest) || origin == url_origin(fal.urls.queue) ||
         origin == url_origin(fal.urls.run);
}

}  // namespace

RemoteFile RemoteFile::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("url") || !j["url"].is_string())
    throw Error(ErrorKind::remote, "result", "the endpoint returned no file URL: " + j.dump().substr(0, 200));
  RemoteFile f;
  f.url = j["url"].get<std::string>();
  // Optional strings: another type there is ignored, not json's type_error.
  auto text_of = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  f.content_type = text_of("content_type");
  f.file_name = text_of("file_name");
  if (auto s = j.find("file_size"); s != j.end() && s->is_number_unsigned()) f.file_size = s->get<uint64_t>();
  return f;
}

std::string safe_file_name(const std::string& server_name, const std::string& fallback) {
  std::string name = server_name.substr(server_name.find_last_of("/\\") == std::string::npos
                                            ? 0
                                            : server_name.find_last_of("/\\") + 1);
  std::string clean;
  for (unsigned char c : name)
    if (c >= 0x20 && c != 0x7f && c != ':') clean += static_cast<char>(c);
  auto first = clean.find_first_not_of(". ");
  clean = first == std::string::npos ? "" : clean.substr(first);
  while (!clean.empty() && (clean.back() == ' ' || clean.back() == '.')) clean.pop_back();
  if (clean.size() > 200) clean = clean.substr(clean.size() - 200);
  return clean.empty() ? fallback : clean;
}

DownloadResult download_file(const Fal& fal, const RemoteFile& file, const fs::path& dest,
                             const DownloadOptions& options) {
  if (url_origin(file.url).empty())
    throw Error(ErrorKind::remote, file.url.substr(0, 200), "not an http:// or https:// URL; not followed");
  AtomicFile out(dest);
  Progress p;
  p.expected = file.file_size;
  p.fd = ::open(out.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (p.fd < 0) throw Error(ErrorKind::output, dest.string(), std::string("cannot write: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() {
      if (fd >= 0) ::close(fd);
    }
  } closer{p.fd};

  DownloadResult result{dest, 0, 0};
  // Result files are public; the key goes along only when the file lives on fal's own API origin
  // (the emulator), never to a CDN or any other host.
  bool key = on_fal_host(fal, file.url);
  RetryPolicy policy = policy::standard();
  policy.retry_maybe_delivered = false;  // a half-received body is resumed below, not restarted
  int stalls = 0;
  for (;;) {
    uint64_t from = p.written;
    Request r;
    r.url = file.url;
    r.with_key = key;
    r.follow_redirects = !key;
    r.whole_request_timeout = false;
    if (from > 0) r.headers.push_back("Range: bytes=" + std::to_string(from) + "-");
    r.on_head = [&](const Response& head) { return accept_head(p, head, from); };
    r.sink = [&](const char* data, size_t size) { return write_all(p, data, size); };
    if (options.progress)
      r.progress = [&](uint64_t, uint64_t) { options.progress(p.written, p.expected.value_or(0)); };
    try {
      Response resp = fal.http.send(r, policy, file.url);
      // Asked for the bytes after the end: the file was already complete.
      if (resp.status == 416 && p.expected && from == *p.expected) break;
      if (resp.status == 404 || resp.status == 410)
        throw Error(ErrorKind::remote, file.url, "HTTP " + std::to_string(resp.status) + ": the file is no longer there");
      expect_success(fal.http, file.url, resp);
      break;
    } catch (const Error& e) {
      if (p.write_errno) throw Error(ErrorKind::output, dest.string(), std::string("cannot write: ") + std::strerror(p.write_errno));
      if (!p.mismatch.empty()) throw Error(ErrorKind::remote, file.url, p.mismatch);
      if (e.kind() != ErrorKind::network) throw;
      // A connection that dropped mid-body: continue from what is on disk with Range.
      stalls = p.written > from ? 0 : stalls + 1;
      if (result.resumes >= options.max_resumes || stalls >= 3) throw;
      ++result.resumes;
      if (stalls > 0) std::this_thread::sleep_for(std::chrono::milliseconds(500 * stalls));
      if (omnicut::interrupted()) throw Error(ErrorKind::interrupted, file.url, "interrupted");
    }
  }
  if (p.expected && p.written != *p.expected)
    throw Error(ErrorKind::remote, file.url,
                "size mismatch: received " + std::to_string(p.written) + " bytes, expected " + std::to_string(*p.expected));
  if (file.file_size && p.written != *file.file_size)
    throw Error(ErrorKind::remote, file.url,
                "size mismatch: received " + std::to_string(p.written) + " bytes, file_size says " +
                    std::to_string(*file.file_size));
  // Some file systems report a failed write only at close.
  if (::close(std::exchange(closer.fd, -1)) != 0)
    throw Error(ErrorKind::output, dest.string(), std::string("cannot write: ") + std::strerror(errno));
  out.commit();
  result.size = p.written;
  result.resumed_bytes = p.kept_on_resume;
  return result;
}

}  // namespace omnicut::client
