// omnicut remux: the edited clip's video with the source's own audio, in sync.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "codecs/remux.h"
#include "pipeline/cli/command.h"
#include "pipeline/format.h"

namespace omnicut::cli {
namespace {

struct RemuxOptions {
  RemuxSpec spec;
  double start = 0, end = -1;
  bool json = false;
};

nlohmann::json to_json(const RemuxResult& r) {
  return {{"output", r.output},
          {"video", {{"copied", true}, {"frames", r.video_frames}, {"fps", r.video_fps}, {"duration", r.video_duration}}},
          {"range", {{"start", r.range_start}, {"end", r.range_end}, {"duration", r.range_duration}}},
          {"duration_difference", r.duration_difference},
          {"audio",
           {{"mode", r.audio_mode},
            {"reason", r.audio_reason},
            {"source_stream", r.source_audio_stream},
            {"source_codec", r.source_audio_codec},
            {"duration", r.audio_duration},
            {"padded", r.audio_padded},
            {"trimmed", r.audio_trimmed}}},
          {"edit_audio_kept", r.edit_audio_kept},
          {"notices", r.notices}};
}

void print_table(const RemuxResult& r) {
  std::printf("%-12s %s\n", "output", r.output.c_str());
  std::printf("%-12s copied, %lld frames, %.3f fps, %s\n", "video", static_cast<long long>(r.video_frames), r.video_fps,
              format_seconds(r.video_duration).c_str());
  std::printf("%-12s %.3f s - %.3f s (%s), video %+.3f s\n", "range", r.range_start, r.range_end,
              format_seconds(r.range_duration).c_str(), r.duration_difference);
  if (r.audio_mode == "none") std::printf("%-12s none\n", "audio");
  else
    std::printf("%-12s %s from %s stream %d, %s (padded %.3f s, trimmed %.3f s)\n", "audio", r.audio_mode.c_str(),
                r.source_audio_codec.c_str(), r.source_audio_stream, format_seconds(r.audio_duration).c_str(),
                r.audio_padded, r.audio_trimmed);
  if (!r.audio_reason.empty()) std::printf("%-12s %s\n", "", r.audio_reason.c_str());
  if (r.edit_audio_kept) std::printf("%-12s the edited clip's audio, second track, not default\n", "audio 2");
  for (const auto& n : r.notices) std::fprintf(stderr, "omnicut: %s\n", n.c_str());
}

int run(const RemuxOptions& o) {
  RemuxSpec spec = o.spec;
  spec.start = o.start;
  if (o.end >= 0) spec.end = o.end;
  RemuxResult r = remux(spec);
  if (want_json(o.json)) std::printf("%s\n", to_json(r).dump(2).c_str());
  else print_table(r);
  return 0;
}

void setup(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<RemuxOptions>();
  auto* cmd = root.add_subcommand("remux", "put the source's own audio back under an edited clip, in sync");
  cmd->add_option("--video", opts->spec.video, "the edited clip (its video is copied untouched)")->required();
  cmd->add_option("--audio", opts->spec.audio, "the source whose audio is used")->required();
  cmd->add_option("-o,--output", opts->spec.output, "output MP4")->required();
  cmd->add_option("--start", opts->start, "start of the range prep cut, seconds")->check(CLI::NonNegativeNumber);
  cmd->add_option("--end", opts->end, "end of the range prep cut, seconds (default: start + the clip's length)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--keep-edit-audio", opts->spec.keep_edit_audio, "keep the edited clip's audio as a second track");
  cmd->add_flag("--require-audio", opts->spec.require_audio, "fail when the source has no audio");
  cmd->add_flag("--json", opts->json, "JSON output");
  cmd->callback([opts, &chosen] { chosen = [opts] { return run(*opts); }; });
}

const RegisterCommand reg(50, setup);

}  // namespace
}  // namespace omnicut::cli
