#include "pipeline/support/format.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace omnicut {

std::string format_seconds(double s) {
  char buf[64];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.2f s", s);
  else std::snprintf(buf, sizeof buf, "%d min %.1f s", static_cast<int>(s / 60), std::fmod(s, 60.0));
  return buf;
}

std::string format_bytes(uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) v /= 1000, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string format_usd(double usd) {
  char buf[64];
  std::snprintf(buf, sizeof buf, usd < 1 ? "$%.4f" : "$%.2f", usd);
  return buf;
}

std::string format_count(double n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", n);
  std::string digits = buf, out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && std::isdigit(static_cast<unsigned char>(digits[i - 1])) && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace omnicut
