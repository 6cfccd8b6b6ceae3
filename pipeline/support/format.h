// Human-readable numbers for the CLI's tables: durations, sizes, money.
#pragma once
#include <cstdint>
#include <string>

namespace omnicut {

std::string format_seconds(double s);     // "4.00 s", "1 min 34.2 s"
std::string format_bytes(uint64_t bytes); // "512 B", "1.4 MB", "2.10 GB"
std::string format_usd(double usd);       // "$0.1376", "$12.40"
std::string format_count(double n);       // "5,792", "23,168" (rounded to a whole number)

}  // namespace omnicut
