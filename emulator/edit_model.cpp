// The model behind the emulator's endpoints: validate the input as fal's app would (422 with
// FastAPI's detail list, billing "0"), fetch video_url, render the edit, publish the result file
// ({"video": File}, exactly fal's result body), and bill it in x-fal-billable-units.
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "codecs/probe.h"
#include "common/error.h"
#include "emulator/billing.h"
#include "emulator/context.h"
#include "emulator/fetch.h"
#include "emulator/http_util.h"
#include "emulator/render.h"

namespace omnicut::emulator {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void invalid(const std::string& field, const std::string& msg, const std::string& type) {
  throw JobError{.http_status = 422, .body = validation_detail(field, msg, type), .message = field + ": " + msg,
                 .error_type = type};
}

std::string required_string(const nlohmann::json& input, const std::string& field) {
  if (!input.contains(field) || input[field].is_null()) invalid(field, "Field required", "missing");
  if (!input[field].is_string()) invalid(field, "Input should be a valid string", "string_type");
  std::string value = input[field].get<std::string>();
  if (value.empty()) invalid(field, "String should have at least 1 character", "string_too_short");
  return value;
}

// fal's app validates the optional output resolution against its Literal (lower case only).
std::string requested_size(const nlohmann::json& input, const Endpoint& endpoint) {
  if (!endpoint.takes_resolution() || !input.contains(endpoint.resolution_field) || input[endpoint.resolution_field].is_null())
    return endpoint.default_resolution;
  const auto& v = input[endpoint.resolution_field];
  if (v.is_string() && endpoint.output_size(v.get<std::string>())) return v.get<std::string>();
  std::string allowed;
  for (size_t i = 0; i < endpoint.resolutions.size(); ++i)
    allowed += (i == 0 ? "" : i + 1 == endpoint.resolutions.size() ? " or " : ", ") + ("'" + endpoint.resolutions[i].name + "'");
  invalid(endpoint.resolution_field, "Input should be " + allowed, "literal_error");
}

void check_prompt_length(const std::string& prompt, const Endpoint& endpoint) {
  if (endpoint.prompt_max_chars > 0 && prompt.size() > endpoint.prompt_max_chars)
    invalid(endpoint.prompt_field, "String should have at most " + std::to_string(endpoint.prompt_max_chars) + " characters",
            "string_too_long");
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

// The model takes clips up to the endpoint's maximum; a little slack for container rounding.
void check_duration(const MediaInfo& info, const Endpoint& endpoint) {
  double d = info.video && info.video->duration > 0 ? info.video->duration : info.duration;
  if (endpoint.max_duration > 0 && d > endpoint.max_duration + 0.5)
    invalid("video_url", "The video is " + seconds(d) + " s long; this endpoint takes at most " +
                             seconds(endpoint.max_duration) + " s", "video_too_long");
}

RenderResult render_or_422(const fs::path& input, const fs::path& output, const std::string& prompt,
                           const Endpoint& endpoint, const OutputSize& size, const TimeFault& time, const LogFn& log) {
  double next_log = 1.0;
  auto progress = [&](double done, double total) {
    if (done + 1e-6 < next_log) return;
    log("rendered " + seconds(done) + " of " + seconds(total) + " s");
    next_log = std::floor(done) + 1.0;
  };
  try {
    check_duration(probe(input.string()), endpoint);
    return render_edit(input.string(), output.string(), prompt, endpoint, size, progress, time);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::not_found || e.kind() == ErrorKind::not_media || e.kind() == ErrorKind::unsupported)
      invalid("video_url", std::string("Could not decode the video: ") + e.what(), "video_decode_error");
    throw;
  }
}

}  // namespace

JobOutput run_edit(Context& ctx, const JobInput& job, const LogFn& log) {
  const Endpoint& endpoint = find_endpoint(job.endpoint_id);
  const std::string prompt = required_string(job.input, endpoint.prompt_field);
  const std::string video_url = required_string(job.input, endpoint.video_input_field);
  check_prompt_length(prompt, endpoint);
  const OutputSize& canvas = *endpoint.output_size(requested_size(job.input, endpoint));

  fs::path dir = ctx.work_dir / "jobs" / job.id;
  fs::create_directories(dir);
  log("downloading " + video_url);
  fs::path input = fetch_video(ctx, video_url, dir / "input");
  log("editing: \"" + prompt + "\"");
  fs::path output = dir / "output.mp4";
  const TimeFault time{ctx.faults.shift_s(), ctx.faults.retime()};
  RenderResult r = render_or_422(input, output, prompt, endpoint, canvas, time, log);
  if (time.any()) {
    std::lock_guard lock(ctx.stats_mutex);
    ++ctx.stats.retimed_renders;
  }
  log("look " + r.look + ", " + std::to_string(r.width) + "x" + std::to_string(r.height) + ", " +
      seconds(r.output_duration) + " s");

  uint64_t size = fs::file_size(output);
  std::string token = ctx.storage.add_file(output, "output.mp4", "video/mp4");
  std::error_code ec;
  fs::remove_all(dir, ec);
  nlohmann::json file = {{"url", ctx.base_url + Storage::file_path(token, "output.mp4")},
                         {"content_type", "video/mp4"},
                         {"file_name", "output.mp4"},
                         {"file_size", size}};
  double units = endpoint.billing.kind == BillingKind::output_seconds
                     ? billable_output_seconds(r.file_duration)
                     : billable_units(endpoint.billing, r.input_duration, r.input_has_audio, r.output_duration, prompt.size());
  return {.body = {{endpoint.video_output_field, file}}, .billable_units = format_billable_units(units)};
}

}  // namespace omnicut::emulator
