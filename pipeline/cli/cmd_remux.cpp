// omnicut remux: the edited clip's video with the source's own audio, in sync.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/support/format.h"
#include "pipeline/media/remux_stage.h"
#include "pipeline/support/time_value.h"

namespace omnicut::cli {
namespace {

struct RemuxOptions {
  RemuxRequest request;
  std::string start, end;
  bool json = false;
};

void print_table(const RemuxOutcome& o) {
  const RemuxResult& r = o.result;
  std::printf("%-12s %s\n", "output", r.output.c_str());
  if (o.restore) std::printf("%-12s re-encoded at %dx%d from %s\n", "restored", o.restore->width, o.restore->height,
                             o.sidecar.c_str());
  std::printf("%-12s %s, %lld frames, %.3f fps, %s\n", "video", o.restore ? "re-encoded" : "copied", static_cast<long long>(r.video_frames), r.video_fps,
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
  RemuxRequest req = o.request;
  req.start_given = !o.start.empty();
  req.end_given = !o.end.empty();
  if (req.start_given) req.spec.start = parse_time(o.start, "--start");
  if (req.end_given) req.spec.end = parse_time(o.end, "--end");
  RemuxOutcome r = run_remux(req);
  if (want_json(o.json)) std::printf("%s\n", to_json(r).dump(2).c_str());
  else print_table(r);
  return 0;
}

void setup(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<RemuxOptions>();
  auto* cmd = root.add_subcommand("remux", "put the source's own audio back under an edited clip, in sync");
  RemuxSpec& spec = opts->request.spec;
  cmd->add_option("--video", spec.video, "the edited clip (its video is copied untouched)")->required();
  cmd->add_option("--audio", spec.audio, "the source whose audio is used")->required();
  cmd->add_option("-o,--output", spec.output, "output MP4")->required();
  cmd->add_option("--start", opts->start, "start of the range prep cut (seconds or h:m:s.ms; default: the sidecar's, else 0)");
  cmd->add_option("--end", opts->end, "end of the range prep cut (default: the sidecar's, else start + the clip's length)");
  cmd->add_option("--sidecar", opts->request.sidecar, "prep's OUT.prep.json (or prep's OUT): the range and geometry");
  auto* restore = cmd->add_flag("--restore", opts->request.restore,
                                "re-encode the edited video back to the source's geometry (needs --sidecar)");
  cmd->add_option("--max-height", opts->request.max_height, "with --restore: at most this many lines")
      ->check(CLI::Range(2, 8640))
      ->needs(restore);
  cmd->add_flag("--keep-edit-audio", spec.keep_edit_audio, "keep the edited clip's audio as a second track");
  cmd->add_flag("--require-audio", spec.require_audio, "fail when the source has no audio");
  cmd->add_flag("--json", opts->json, "JSON output");
  cmd->callback([opts, &chosen] { chosen = [opts] { return run(*opts); }; });
}

const RegisterCommand reg(50, setup);

}  // namespace
}  // namespace omnicut::cli
