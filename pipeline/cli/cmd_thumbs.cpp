// omnicut thumbs: a contact sheet of evenly spaced frames, for reports.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "codecs/thumbnails.h"
#include "pipeline/cli/command.h"

namespace omnicut::cli {
namespace {

struct ThumbsOptions {
  ContactSheetSpec spec;
  bool json = false;
};

int run(const ThumbsOptions& o) {
  ContactSheet s = make_contact_sheet(o.spec);
  if (want_json(o.json)) {
    nlohmann::json j = {{"output", s.output},         {"width", s.width},
                        {"height", s.height},         {"cols", o.spec.cols},
                        {"rows", o.spec.rows},        {"tile_width", s.tile_width},
                        {"tile_height", s.tile_height}, {"times", s.times},
                        {"frames_decoded", s.frames_decoded}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("%s: %dx%d, %d x %d tiles of %dx%d, %d frames decoded\n", s.output.c_str(), s.width, s.height,
                o.spec.cols, o.spec.rows, s.tile_width, s.tile_height, s.frames_decoded);
  }
  return 0;
}

}  // namespace

void add_thumbs_command(CLI::App& root, Action& chosen) {
  auto opts = std::make_shared<ThumbsOptions>();
  auto* cmd = root.add_subcommand("thumbs", "a contact sheet (PNG) of evenly spaced frames");
  cmd->add_option("file", opts->spec.input, "video file")->required();
  cmd->add_option("-o,--output", opts->spec.output, "the PNG to write")->required();
  cmd->add_option("--cols", opts->spec.cols, "tiles across (default 4)")->check(CLI::Range(1, 40));
  cmd->add_option("--rows", opts->spec.rows, "tiles down (default 3)")->check(CLI::Range(1, 40));
  cmd->add_option("--tile-width", opts->spec.tile_width, "width of one tile in pixels (default 320)")
      ->check(CLI::Range(16, 4096));
  cmd->add_flag("--json", opts->json, "JSON output");
  cmd->callback([opts, &chosen] { chosen = [opts](const GlobalOptions&) { return run(*opts); }; });
}

}  // namespace omnicut::cli
