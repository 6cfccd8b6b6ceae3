// omnicut join: edited segments back into one clip, with the source's audio laid over it once.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/media/join_stage.h"

namespace omnicut::cli {
namespace {

struct JoinOptions {
  JoinRequest request;
  bool json = false;
};

int run(const JoinOptions& o) {
  JoinOutcome out = run_join(o.request);
  const RemuxResult& r = out.remux;
  if (want_json(o.json)) {
    std::printf("%s\n", to_json(out).dump(2).c_str());
    return 0;
  }
  std::printf("%-10s %s\n", "output", r.output.c_str());
  std::printf("%-10s %zu parts, %s, %lld frames, %.3f s\n", "video", out.order.size(),
              out.concat.copied ? "copied" : "re-encoded", static_cast<long long>(out.concat.frames), out.concat.duration);
  if (!out.concat.reason.empty()) std::printf("%-10s %s\n", "", out.concat.reason.c_str());
  std::printf("%-10s %.3f s - %.3f s, video %+.3f s\n", "range", r.range_start, r.range_end, r.duration_difference);
  std::printf("%-10s %s (%s), %.3f s\n", "audio", r.audio_mode.c_str(), r.source_audio_codec.c_str(), r.audio_duration);
  if (!r.audio_reason.empty()) std::printf("%-10s %s\n", "", r.audio_reason.c_str());
  for (const auto& n : r.notices) std::fprintf(stderr, "omnicut: %s\n", n.c_str());
  return 0;
}

}  // namespace

void add_join_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<JoinOptions>();
  auto* cmd = root.add_subcommand("join", "join edited segments and lay the source's audio over the whole, once");
  cmd->add_option("parts", opts->request.parts, "edited segments (in manifest order, or named after their segments)")
      ->required();
  cmd->add_option("-o,--output", opts->request.output, "output MP4")->required();
  cmd->add_option("--audio", opts->request.audio, "the source whose audio is laid over the whole")->required();
  cmd->add_option("--manifest", opts->request.manifest, "split's manifest.json: order and source range");
  cmd->add_flag("--require-audio", opts->request.require_audio, "fail when the source has no audio");
  cmd->add_flag("--json", opts->json, "JSON output");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions&) { return run(*opts); }; });
}

}  // namespace omnicut::cli
