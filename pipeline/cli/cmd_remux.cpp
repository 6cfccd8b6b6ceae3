// omnicut remux: the edited clip's video with the source's own audio, in sync.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "pipeline/cli/command.h"
#include "pipeline/cli/common_options.h"
#include "pipeline/support/format.h"
#include "pipeline/media/remux_stage.h"

namespace omnicut::cli {
namespace {

struct RemuxOptions {
  RemuxRequest request;
  TimeRange range;
  std::string sync;  // "": not measured
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
  if (o.sync)
    std::printf("%-12s %s (confidence %.2f)%s\n", "sync", o.sync->measured.verdict.c_str(), o.sync->measured.confidence,
                o.sync->corrected ? ": the audio was laid to the picture" : "");
  if (r.edit_audio_kept) std::printf("%-12s the edited clip's audio, second track, not default\n", "audio 2");
  for (const auto& n : r.notices) std::fprintf(stderr, "omnicut: %s\n", n.c_str());
}

int run(const RemuxOptions& o) {
  RemuxRequest req = o.request;
  req.start_given = o.range.start.has_value();
  req.end_given = o.range.end.has_value();
  if (req.start_given) req.spec.start = *o.range.start;
  if (req.end_given) req.spec.end = *o.range.end;
  if (!o.sync.empty()) req.sync = parse_sync_mode(o.sync);
  RemuxOutcome r = run_remux(req);
  if (want_json(o.json)) std::printf("%s\n", to_json(r).dump(2).c_str());
  else print_table(r);
  return 0;
}

}  // namespace

void add_remux_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<RemuxOptions>();
  auto* cmd = root.add_subcommand("remux", "put the source's own audio back under an edited clip, in sync");
  RemuxSpec& spec = opts->request.spec;
  cmd->add_option("--video", spec.video, "the edited clip (its video is copied untouched)")->required();
  cmd->add_option("--audio", spec.audio, "the source whose audio is used")->required();
  cmd->add_option("-o,--output", spec.output, "output MP4")->required();
  RangeHelp range;
  range.start = "start of the range prep cut: seconds or [hh:]mm:ss[.ms] (default: the sidecar's, else 0)";
  range.end = "end of the range prep cut (default: the sidecar's, else start + the clip's length)";
  add_range_options(cmd, opts->range, range);
  cmd->add_option("--sidecar", opts->request.sidecar, "prep's OUT.prep.json (or prep's OUT): the range and geometry");
  auto* restore = cmd->add_flag("--restore", opts->request.restore,
                                "re-encode the edited video back to the source's geometry (needs --sidecar)");
  cmd->add_option("--max-height", opts->request.max_height, "with --restore: at most this many lines")
      ->check(CLI::Range(2, 8640))
      ->needs(restore);
  cmd->add_flag("--keep-edit-audio", spec.keep_edit_audio, "keep the edited clip's audio as a second track");
  cmd->add_flag("--require-audio", spec.require_audio, "fail when the source has no audio");
  cmd->add_option("--sync", opts->sync,
                  "measure the edited picture's timing against the source first: correct (lay the audio to it), "
                  "off (say it, lay by the clock), refuse (write nothing when it moved)")
      ->check(CLI::IsMember({"correct", "off", "refuse"}));
  cmd->add_flag("--json", opts->json, "JSON output");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions&) { return run(*opts); }; });
}

}  // namespace omnicut::cli
