// UTC timestamps as fal's APIs write and read them: ISO 8601 date-times ("2026-12-02T16:16:25Z",
// "…25.123456+00:00", any ±HH:MM offset, fraction optional) or plain dates ("2026-12-02", midnight
// UTC). One parser and one formatter for the emulator, the client and the ledger, so a time
// written by one side always reads back on the other.
#pragma once
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>

namespace omnicut {

using WallClock = std::chrono::system_clock;

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (milliseconds).
inline std::string format_iso8601(WallClock::time_point tp) {
  auto ms_total = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  auto ms = ((ms_total % 1000) + 1000) % 1000;
  std::time_t t = static_cast<std::time_t>((ms_total - ms) / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

// nullopt for anything that is not one of the forms above.
inline std::optional<WallClock::time_point> parse_iso8601(const std::string& text) {
  std::tm tm{};
  int used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &used) != 3 || used != 10)
    return std::nullopt;
  size_t pos = 10;
  double fraction = 0;
  long offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    int n = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 3 || n != 8)
      return std::nullopt;
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      size_t end = pos + 1;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
      if (end == pos + 1) return std::nullopt;
      fraction = std::stod("0" + text.substr(pos, end - pos));
      pos = end;
    }
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
      ++pos;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int hh = 0, mm = 0;
      if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5) return std::nullopt;
      offset_s = (text[pos] == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
      pos += 6;
    }
    if (pos != text.size()) return std::nullopt;
  }
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60)
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t t = timegm(&tm);
  auto tp = WallClock::from_time_t(t - offset_s);
  return tp + std::chrono::duration_cast<WallClock::duration>(std::chrono::duration<double>(fraction));
}

}  // namespace omnicut
