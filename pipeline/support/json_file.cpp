#include "pipeline/support/json_file.h"

#include <fstream>
#include <sstream>

#include "common/atomic_file.h"

namespace omnicut {
namespace {

// Whether every floating-point number in `j` fits an int. The readers take counts, sizes and
// indexes with json's get<int>/get<int64_t>, which converts a float by a plain cast: undefined
// behaviour for 1e300. No omnicut file holds a float that large (they are seconds, rates, dollars).
bool floats_in_range(const nlohmann::json& j) {
  if (j.is_number_float()) {
    double v = j.get<double>();
    return v > -2147483648.0 && v < 2147483648.0;
  }
  if (j.is_structured())
    for (const auto& item : j)
      if (!floats_in_range(item)) return false;
  return true;
}

}  // namespace

nlohmann::json read_json_object(const std::filesystem::path& path, const std::string& missing, ErrorKind bad_kind,
                                const std::string& invalid) {
  std::error_code ec;
  std::ifstream in(path);
  if (!in || !std::filesystem::is_regular_file(path, ec)) throw Error(ErrorKind::not_found, path.string(), missing);
  std::stringstream text;
  text << in.rdbuf();
  auto j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(bad_kind, path.string(), invalid);
  if (!floats_in_range(j)) throw Error(bad_kind, path.string(), invalid + ": a number out of range");
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
  // A path or a message that is not UTF-8 (a Latin-1 file name) is written with U+FFFD, not refused.
  write_text_file(path, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", what);
}

}  // namespace omnicut
