#include "pipeline/support/json_file.h"

#include <fstream>
#include <sstream>

#include "common/atomic_file.h"

namespace omnicut {

nlohmann::json read_json_object(const std::filesystem::path& path, const std::string& missing, ErrorKind bad_kind,
                                const std::string& invalid) {
  std::error_code ec;
  std::ifstream in(path);
  if (!in || !std::filesystem::is_regular_file(path, ec)) throw Error(ErrorKind::not_found, path.string(), missing);
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(bad_kind, path.string(), invalid);
  return j;
}

void write_text_file(const std::filesystem::path& path, const std::string& text, const std::string& what) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary);
    out << text;
    out.close();
    if (!out) throw Error(ErrorKind::output, path.string(), "cannot write the " + what);
  }
  file.commit();
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& j, const std::string& what) {
  write_text_file(path, j.dump(2) + "\n", what);
}

}  // namespace omnicut
