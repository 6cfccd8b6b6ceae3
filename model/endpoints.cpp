#include "model/endpoints.h"

#include <nlohmann/json.hpp>

#include "common/error.h"

namespace omnicut {

const std::vector<Endpoint>& endpoint_table() {
  static const std::vector<Endpoint> table = {
      {
          .id = "google/gemini-omni-flash/edit",
          .description = "Gemini Omni Flash video edit: edits a 3-10 s clip from a plain instruction",
          .long_side = 1280,
          .short_side = 720,
          .min_duration = 3.0,
          .max_duration = 10.0,
          .max_fps = 30.0,
          .output_fps = 24.0,
          .containers = {"mp4"},
          .video_codecs = {"h264"},
          .prompt_field = "prompt",
          .video_input_field = "video_url",
          .video_output_field = "video",
          // fal's published accounting: 5,792 input tokens per second of video plus 32 per second
          // of audio, 5,792 output tokens per second of 720p video; $1.875 / $21.875 per 1M. What
          // one of its billing units costs is not published (docs/fal-platform-apis.md 8.3): unknown.
          .billing = {.input_usd_per_mtok = 1.875,
                      .output_usd_per_mtok = 21.875,
                      .input_video_tokens_per_s = 5792,
                      .input_audio_tokens_per_s = 32,
                      .output_video_tokens_per_s = 5792,
                      .prompt_chars_per_token = 4},
      },
  };
  return table;
}

const Endpoint& default_endpoint() { return endpoint_table().front(); }

const Endpoint& find_endpoint(std::string_view id) {
  for (const auto& e : endpoint_table())
    if (e.id == id) return e;
  std::string known;
  for (const auto& e : endpoint_table()) known += (known.empty() ? "" : ", ") + e.id;
  throw Error(ErrorKind::usage, std::string(id), "unknown endpoint (known: " + known + ")");
}

nlohmann::json billing_to_json(const Billing& b) {
  return {{"input_usd_per_mtok", b.input_usd_per_mtok},
          {"output_usd_per_mtok", b.output_usd_per_mtok},
          {"input_video_tokens_per_s", b.input_video_tokens_per_s},
          {"input_audio_tokens_per_s", b.input_audio_tokens_per_s},
          {"output_video_tokens_per_s", b.output_video_tokens_per_s},
          {"prompt_chars_per_token", b.prompt_chars_per_token},
          {"usd_per_unit", b.usd_per_unit}};
}

Billing billing_from_json(const nlohmann::json& j, const Billing& base) {
  Billing b = base;
  b.input_usd_per_mtok = j.value("input_usd_per_mtok", b.input_usd_per_mtok);
  b.output_usd_per_mtok = j.value("output_usd_per_mtok", b.output_usd_per_mtok);
  b.input_video_tokens_per_s = j.value("input_video_tokens_per_s", b.input_video_tokens_per_s);
  b.input_audio_tokens_per_s = j.value("input_audio_tokens_per_s", b.input_audio_tokens_per_s);
  b.output_video_tokens_per_s = j.value("output_video_tokens_per_s", b.output_video_tokens_per_s);
  b.prompt_chars_per_token = j.value("prompt_chars_per_token", b.prompt_chars_per_token);
  b.usd_per_unit = j.value("usd_per_unit", b.usd_per_unit);
  return b;
}

}  // namespace omnicut
