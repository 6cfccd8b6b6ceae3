#include "emulator/billing.h"

#include <cmath>

namespace omnicut::emulator {

nlohmann::json usage_json(const Billing& b, double input_seconds, bool input_has_audio, double output_seconds,
                          size_t prompt_chars) {
  double prompt_tokens = b.prompt_chars_per_token > 0 ? std::ceil(prompt_chars / b.prompt_chars_per_token) : 0;
  double media_tokens = input_seconds * b.input_video_tokens_per_s +
                        (input_has_audio ? input_seconds * b.input_audio_tokens_per_s : 0);
  auto input_tokens = static_cast<long long>(std::llround(media_tokens + prompt_tokens));
  auto output_tokens = static_cast<long long>(std::llround(output_seconds * b.output_video_tokens_per_s));
  double cost = input_tokens / 1e6 * b.input_usd_per_mtok + output_tokens / 1e6 * b.output_usd_per_mtok;
  return {{"input_tokens", input_tokens}, {"output_tokens", output_tokens},
          {"cost_usd", std::round(cost * 1e6) / 1e6}};
}

}  // namespace omnicut::emulator
