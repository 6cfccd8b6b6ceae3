// What the emulator would charge for one edit, by the endpoint table's billing rules (the same
// ones `estimate` uses), so a test can compare the two.
#pragma once
#include <cstddef>

#include <nlohmann/json.hpp>

#include "model/endpoints.h"

namespace omnicut::emulator {

// {"input_tokens", "output_tokens", "cost_usd"}: video and audio tokens per second of input,
// prompt tokens at prompt_chars_per_token, video tokens per second of output.
nlohmann::json usage_json(const Billing& billing, double input_seconds, bool input_has_audio,
                          double output_seconds, size_t prompt_chars);

}  // namespace omnicut::emulator
