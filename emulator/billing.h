// What the emulator bills for one edit, sent as fal sends a bill: the `x-fal-billable-units`
// header on the result GET (docs/fal-platform-apis.md 8.3), "0" on a 422.
//
// v1.1 bills seconds of the output file (billable_output_seconds), priced by resolution.
//
// The unit (v1). fal bills per unit and prices a unit through /models/pricing; for the token-billed v1
// edit no source says what a unit is (one unit_price cannot hold its two token rates; a
// third-party price table treats fal's unit as $1, unverified). The emulator takes that reading:
// one unit is one US dollar (kEmulatorUsdPerUnit, which its /v1/models/pricing serves), and an
// edit's units are its token cost by the endpoint table's billing rules, the same ones `estimate`
// uses, so estimate and bill can be compared: video and audio tokens per second of input, prompt
// tokens at prompt_chars_per_token, video tokens per second of output.
#pragma once
#include <cstddef>
#include <string>

#include "model/endpoints.h"

namespace omnicut::emulator {

inline constexpr double kEmulatorUsdPerUnit = 1.0;

double billable_units(const Billing& billing, double input_seconds, bool input_has_audio, double output_seconds,
                      size_t prompt_chars);
// v1.1 and any endpoint billed per output second: the output file's seconds (its longest stream,
// as fal's recorded bill of 5.034667 units for 5.000 s of video and 5.034667 s of audio shows),
// rounded to the microsecond as that bill was.
double billable_output_seconds(double file_seconds);

// As fal's SDK writes the header: a whole number as an integer ("42"), anything else with 8
// decimals ("0.08713000").
std::string format_billable_units(double units);

}  // namespace omnicut::emulator
