// thumbs: the sheet's size is cols x rows tiles, the tiles are different frames taken at the
// expected times, and only a fraction of the file is decoded.
#include <cstring>
#include <set>

#include "codecs/synth.h"
#include "tests/support/test_support.h"

namespace omnicut::test {
namespace {

// The PNG decoded by the ffmpeg CLI to raw RGB.
std::string png_pixels(const fs::path& png) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", png.string(), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(Thumbs, SheetIsColsByRowsTilesOfDifferentFrames) {
  auto dir = scratch_dir();
  SynthSpec s;
  s.duration = 12;
  s.width = 640;
  s.height = 360;
  s.keyframe_interval = 2;
  synthesize((dir / "clip.mp4").string(), s);
  auto r = run_omnicut({"thumbs", (dir / "clip.mp4").string(), "-o", (dir / "sheet.png").string(), "--cols", "4",
                        "--rows", "2", "--tile-width", "160", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  auto probe = ffprobe(dir / "sheet.png");
  ASSERT_EQ(probe["streams"].size(), 1u);
  EXPECT_EQ(probe["streams"][0]["codec_name"], "png");
  EXPECT_EQ(probe["streams"][0]["width"], 640);
  EXPECT_EQ(probe["streams"][0]["height"], 180);  // 16:9 tiles of 160x90, two rows
  EXPECT_EQ(j["times"].size(), 8u);
  EXPECT_NEAR(j["times"][0].get<double>(), 0.75, 1e-6);
  EXPECT_NEAR(j["times"][7].get<double>(), 11.25, 1e-6);
  // Seeking: each picture costs at most one keyframe interval (50 frames) of decoding, far
  // fewer than the file's 300 (plus decoder look-ahead).
  EXPECT_LT(j["frames_decoded"].get<int>(), 8 * 50 + 8 * 16);
  EXPECT_LT(j["frames_decoded"].get<int>(), 300);

  std::string px = png_pixels(dir / "sheet.png");
  ASSERT_EQ(px.size(), 640u * 180 * 3);
  std::set<std::string> tiles;
  for (int t = 0; t < 8; ++t) {
    std::string tile;
    int x0 = (t % 4) * 160, y0 = (t / 4) * 90;
    for (int y = y0; y < y0 + 90; ++y) tile += px.substr((static_cast<size_t>(y) * 640 + x0) * 3, 160 * 3);
    EXPECT_NE(tile.find_first_not_of('\0'), std::string::npos) << "tile " << t << " is black";
    tiles.insert(tile);
  }
  EXPECT_EQ(tiles.size(), 8u) << "some tiles show the same frame";
}

TEST(Thumbs, BadInputsFailCleanly) {
  auto dir = scratch_dir();
  SynthSpec audio_only;
  audio_only.video = false;
  audio_only.audio = {SynthAudio{}};
  synthesize((dir / "a.m4a").string(), audio_only);
  auto r = run_omnicut({"thumbs", (dir / "a.m4a").string(), "-o", (dir / "s.png").string()});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("a.m4a"), std::string::npos);
  EXPECT_EQ(run_omnicut({"thumbs", (dir / "missing.mp4").string(), "-o", (dir / "s.png").string()}).exit_code, 3);
  EXPECT_EQ(run_omnicut({"thumbs", (dir / "a.m4a").string(), "-o", (dir / "s.png").string(), "--cols", "0"}).exit_code,
            2);
  EXPECT_FALSE(fs::exists(dir / "s.png"));
}

}  // namespace
}  // namespace omnicut::test
