// The endpoint table: one row per fal endpoint omnicut supports, with the input limits the model
// states and its billing rules. prep, probe's verdict, estimate and the emulator all read it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace omnicut {

// Token accounting as published for the endpoint (per second of media, per 1M tokens in USD).
struct Billing {
  double input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  double input_video_tokens_per_s = 0;
  double input_audio_tokens_per_s = 0;
  double output_video_tokens_per_s = 0;
  double prompt_chars_per_token = 4;  // text tokens: an estimate, ~4 characters a token
  // The price of one of fal's billing units (the x-fal-billable-units a result reports), where
  // known; 0: unknown, and an edit asks fal's /v1/models/pricing (pipeline/money/unit_price.h).
  double usd_per_unit = 0;
};

struct Endpoint {
  std::string id;                // e.g. "google/gemini-omni-flash/edit"
  std::string description;
  // Input the model takes.
  int long_side = 1280;          // 16:9 -> 1280x720, 9:16 -> 720x1280
  int short_side = 720;
  double min_duration = 0;       // seconds
  double max_duration = 0;       // seconds
  double max_fps = 30;           // prep caps the frame rate here
  double output_fps = 24;        // what the model returns
  std::vector<std::string> containers;    // accepted containers, e.g. {"mp4"}
  std::vector<std::string> video_codecs;  // accepted codecs, e.g. {"h264"}
  // Request/response field names.
  std::string prompt_field = "prompt";
  std::string video_input_field = "video_url";
  std::string video_output_field = "video";
  Billing billing;
};

const std::vector<Endpoint>& endpoint_table();
const Endpoint& default_endpoint();
// Throws Error(usage) naming the id and listing the known ones.
const Endpoint& find_endpoint(std::string_view id);

// Billing as JSON (for --pricing files and the ledger) and back; missing keys keep `base`'s.
nlohmann::json billing_to_json(const Billing& billing);
Billing billing_from_json(const nlohmann::json& j, const Billing& base);

}  // namespace omnicut
