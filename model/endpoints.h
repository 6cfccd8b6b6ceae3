// The endpoint table: one row per fal endpoint omnicut supports, with the input limits the model
// states, the fields it takes and its billing rule. It is data: model/endpoints.json, compiled
// in, replaceable as a whole by a file of the same shape (`omnicut --endpoints FILE`, or
// OMNICUT_ENDPOINTS=FILE). prep, probe's verdict, estimate, edit, the cost model and the emulator
// all read it, so a new endpoint version is a new row plus tests.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace omnicut {

// How fal bills the endpoint.
enum class BillingKind {
  tokens,          // v1: input and output tokens per second of media, priced per 1M tokens
  output_seconds,  // v1.1: seconds of the output file at a price per output resolution
};

struct Billing {
  BillingKind kind = BillingKind::tokens;
  // kind tokens: the published accounting (per second of media, per 1M tokens in USD).
  double input_usd_per_mtok = 0;
  double output_usd_per_mtok = 0;
  double input_video_tokens_per_s = 0;
  double input_audio_tokens_per_s = 0;
  double output_video_tokens_per_s = 0;
  double prompt_chars_per_token = 4;  // text tokens: an estimate, ~4 characters a token
  // kind output_seconds: USD per second of output, by output resolution ("360p" -> 0.03).
  std::map<std::string, double> usd_per_output_second;
  std::string default_resolution;     // the row's output resolution when a request names none
  // What the output file's audio runs past its video (so is billed on top): an estimate's stated assumption.
  double audio_overhang_s = 0;
  // The price of one of fal's billing units (the x-fal-billable-units a result reports), where
  // known; 0: unknown, and an edit asks fal's /v1/models/pricing (pipeline/money/unit_price.h).
  // For kind output_seconds a unit is a second, priced by the turn's resolution instead.
  double usd_per_unit = 0;
  std::string note;                   // the rule in words, from the table
};

// One output resolution an endpoint renders: "1080p" -> 1920x1080 landscape (portrait: swapped).
struct OutputSize {
  std::string name;
  int long_side = 0;
  int short_side = 0;
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
  size_t prompt_max_chars = 0;   // 0: no stated limit
  std::string video_input_field = "video_url";
  std::string video_output_field = "video";
  std::string resolution_field;  // "": the endpoint takes no output resolution
  // What it renders: every resolution it takes (one, fixed, when resolution_field is empty).
  std::vector<OutputSize> resolutions;
  std::string default_resolution;
  Billing billing;

  bool takes_resolution() const { return !resolution_field.empty(); }
  // The row's output size by name; nullptr when the endpoint does not render it.
  const OutputSize* output_size(std::string_view resolution) const;
  // "360p, 720p, 1080p, 4k"
  std::string resolution_names() const;
  // The smallest output it renders (what `edit --draft` asks for).
  const std::string& lowest_resolution() const;
};

// The table in use: the compiled-in one unless use_endpoint_table_file() replaced it.
const std::vector<Endpoint>& endpoint_table();
const Endpoint& default_endpoint();
// Throws Error(usage) naming the id and listing the known ones.
const Endpoint& find_endpoint(std::string_view id);
// The endpoint `edit --draft` uses when none is named: the table's first row that takes an output
// resolution. Throws Error(usage) when no row does.
const Endpoint& draft_endpoint();
// Replaces the table with FILE's rows (same shape as model/endpoints.json). Call before any look-up.
// Throws Error(not_found) / Error(usage) naming the file and what is wrong.
void use_endpoint_table_file(const std::string& path);
// The rows of a table document; Error(usage, subject, ...) on a malformed one.
std::vector<Endpoint> parse_endpoint_table(const nlohmann::json& doc, const std::string& subject);
const char* builtin_endpoints_json();  // model/endpoints.json as compiled in

// The output resolution a request asks for, checked against the row: nullopt asks for the row's
// default. Throws Error(usage, "--resolution", ...) when the endpoint takes no such field (v1) or
// does not render that value (the allowed values are listed).
std::string resolve_resolution(const Endpoint& endpoint, const std::optional<std::string>& requested);

// Billing as JSON (for --pricing files and the ledger) and back; missing keys keep `base`'s. A
// price or rate that is negative, not finite or absurd is Error(usage, subject, naming the key).
nlohmann::json billing_to_json(const Billing& billing);
Billing billing_from_json(const nlohmann::json& j, const Billing& base, const std::string& subject = "billing");

}  // namespace omnicut
