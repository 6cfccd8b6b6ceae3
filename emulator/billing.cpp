#include "emulator/billing.h"

#include <cmath>
#include <cstdio>

namespace omnicut::emulator {

double billable_units(const Billing& b, double input_seconds, bool input_has_audio, double output_seconds,
                      size_t prompt_chars) {
  double prompt_tokens = b.prompt_chars_per_token > 0 ? std::ceil(prompt_chars / b.prompt_chars_per_token) : 0;
  double media_tokens = input_seconds * b.input_video_tokens_per_s +
                        (input_has_audio ? input_seconds * b.input_audio_tokens_per_s : 0);
  double input_tokens = std::round(media_tokens + prompt_tokens);
  double output_tokens = std::round(output_seconds * b.output_video_tokens_per_s);
  double usd = input_tokens / 1e6 * b.input_usd_per_mtok + output_tokens / 1e6 * b.output_usd_per_mtok;
  return std::round(usd / kEmulatorUsdPerUnit * 1e8) / 1e8;
}

double billable_output_seconds(double file_seconds) { return std::round(file_seconds * 1e6) / 1e6; }

std::string format_billable_units(double units) {
  char buf[48];
  if (units == std::floor(units) && std::abs(units) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", units);
  else std::snprintf(buf, sizeof buf, "%.8f", units);
  return buf;
}

}  // namespace omnicut::emulator
