#include "pipeline/support/time_value.h"

#include <charconv>
#include <cmath>
#include <vector>

#include "common/error.h"

namespace omnicut {
namespace {

bool parse_number(const std::string& s, double& out) {
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

}  // namespace

double parse_time(const std::string& text, const std::string& option) {
  std::vector<std::string> parts{""};
  for (char c : text) {
    if (c == ':') parts.emplace_back();
    else parts.back() += c;
  }
  const auto bad = [&] { return Error(ErrorKind::usage, option, "not a time: \"" + text + "\" (use seconds like 12.5 or hh:mm:ss.ms)"); };
  if (parts.size() > 3) throw bad();
  double total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    double v = 0;
    if (!parse_number(parts[i], v)) throw bad();
    bool last = i + 1 == parts.size();
    // Minutes and seconds after a colon stay below 60 and only the seconds may have a fraction.
    if (i > 0 && v >= 60) throw bad();
    if (!last && v != std::floor(v)) throw bad();
    total = total * 60 + v;
  }
  return total;
}

}  // namespace omnicut
