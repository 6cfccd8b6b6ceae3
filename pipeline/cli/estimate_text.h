// The estimate an edit shows on a terminal before anything is sent, built from the pipeline's
// EstimateView for a single clip and for --split alike; the rates are the Billing's in use.
#pragma once
#include <string>

#include "pipeline/edit/events.h"

namespace omnicut::cli {

// "5,792 input tokens/s of video + 32/s of audio at $1.875 per 1M tokens, 5,792 output tokens/s
// at $21.875 per 1M tokens"; for billing per output second, "$0.15 per second of output at
// 1080p, ..." at `resolution` ("": the billing's default).
std::string rates_text(const Billing& billing, const std::string& resolution = "");

// Several lines, each ending in "\n".
std::string estimate_text(const EstimateView& estimate);

}  // namespace omnicut::cli
