// The emulator's object store: presigned uploads (single PUT or multipart parts + complete)
// written to disk as they arrive, and the files it serves at their public URLs (uploads and
// rendered results alike). Thread-safe.
#pragma once
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace omnicut::emulator {

struct StoredFile {
  std::filesystem::path path;
  std::string file_name;
  std::string content_type;
  uint64_t size = 0;
};

struct Upload {
  std::string token;
  std::string signature;     // the presigned query's secret: PUTs without it are refused
  std::string file_name;
  std::string content_type;
  bool multipart = false;
};

struct Part {
  int number = 0;
  std::string etag;
};

class Storage {
 public:
  explicit Storage(std::filesystem::path dir);

  Upload initiate(const std::string& file_name, const std::string& content_type, bool multipart);
  std::optional<Upload> find_upload(const std::string& token) const;

  // Where a PUT streams its bytes before it is accepted: a private temporary name per call, so
  // a retried PUT racing a dropped one never mixes bytes.
  std::filesystem::path temp_path(const std::string& token) const;
  // A single PUT's bytes are complete: the file becomes downloadable at its file URL.
  void accept_single(const Upload& upload, const std::filesystem::path& temp);
  // A part's bytes are complete: returns its etag.
  std::string accept_part(const Upload& upload, int number, const std::filesystem::path& temp);
  // Joins the listed parts in part-number order (the list may come in any order). Throws
  // std::invalid_argument with the reason when a part is missing or an etag does not match.
  void complete_multipart(const Upload& upload, std::vector<Part> parts);

  // Registers a file the emulator made (a rendered result); returns its token.
  std::string add_file(const std::filesystem::path& source, const std::string& file_name,
                       const std::string& content_type);
  std::optional<StoredFile> find_file(const std::string& token) const;
  int completed_uploads() const;

  // "/files/{token}/{file_name}": the path part of a file URL.
  static std::string file_path(const std::string& token, const std::string& file_name);
  // The token of a file path as above, or "" when the path is not one.
  static std::string token_of_file_path(const std::string& path);

 private:
  std::filesystem::path upload_dir() const { return dir_ / "uploads"; }
  std::filesystem::path files_dir() const { return dir_ / "files"; }
  std::filesystem::path part_file(const std::string& token, int number) const;
  void publish(const std::string& token, const std::filesystem::path& data, const std::string& name,
               const std::string& type);

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::map<std::string, Upload> uploads_;
  std::map<std::string, std::map<int, std::string>> part_etags_;  // token -> part -> etag
  std::map<std::string, StoredFile> files_;
  int completed_uploads_ = 0;
};

// A name safe to put in a URL path and on disk: letters, digits, '.', '-', '_' kept.
std::string sanitize_file_name(const std::string& name);

}  // namespace omnicut::emulator
