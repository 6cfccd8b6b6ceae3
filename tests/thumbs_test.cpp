// thumbs: the sheet's size is cols x rows tiles, the tiles are different frames taken at the
// expected times, and only a fraction of the file is decoded.
#include <cstring>
#include <set>

#include "codecs/testing/synth.h"
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

// The mean of one RGB channel over a rectangle of a w-wide picture.
double mean_channel(const std::string& px, int w, int channel, int x0, int y0, int x1, int y1) {
  double sum = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) sum += static_cast<unsigned char>(px[(static_cast<size_t>(y) * w + x) * 3 + channel]);
  return sum / ((x1 - x0) * (y1 - y0));
}

// synth's chroma grows along the stored picture's axes: blue (U) to the right, red (V) down. A
// 320x180 clip turned 90 degrees clockwise by its display matrix is shown 180x320: the stored x
// axis runs down the screen (blue at the bottom) and the stored bottom edge is on the left (red
// on the left). A mirror of the stored picture first makes the stored x axis run up instead.
TEST(Thumbs, TilesAreUprightAsDisplayed) {
  auto dir = scratch_dir();
  for (bool mirrored : {false, true}) {
    SynthSpec s;
    s.duration = 1;
    s.width = 320;
    s.height = 180;
    s.rotation = 90;
    s.mirrored = mirrored;
    synthesize((dir / "phone.mp4").string(), s);
    auto r = run_omnicut({"thumbs", (dir / "phone.mp4").string(), "-o", (dir / "sheet.png").string(), "--cols", "1",
                          "--rows", "1", "--tile-width", "90", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto probe = ffprobe(dir / "sheet.png");
    ASSERT_EQ(probe["streams"][0]["width"], 90);
    ASSERT_EQ(probe["streams"][0]["height"], 160) << "a portrait display gives portrait tiles";
    std::string px = png_pixels(dir / "sheet.png");
    ASSERT_EQ(px.size(), 90u * 160 * 3);
    const int red = 0, blue = 2;
    double top = mean_channel(px, 90, blue, 0, 0, 90, 40), bottom = mean_channel(px, 90, blue, 0, 120, 90, 160);
    if (mirrored) EXPECT_GT(top, bottom + 20) << "mirrored then turned clockwise: blue runs up";
    else EXPECT_GT(bottom, top + 20) << "turned clockwise: blue runs down";
    double left = mean_channel(px, 90, red, 0, 0, 22, 160), right = mean_channel(px, 90, red, 68, 0, 90, 160);
    EXPECT_GT(left, right + 20) << "turned clockwise: the stored bottom (red) is on the left";
  }
}

TEST(Thumbs, RealPhoneClipsAreUpright) {
  OMNICUT_REQUIRE_SHARED_MEDIA(media);
  auto dir = scratch_dir();
  for (const char* name : {"orientation.mov", "orientation-90.mov", "orientation-hflip.mov"}) {
    auto r = run_omnicut({"thumbs", (media / name).string(), "-o", (dir / "s.png").string(), "--cols", "2", "--rows",
                          "1", "--tile-width", "120", "--json"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    auto j = nlohmann::json::parse(r.out);
    // 120x160 stored: a quarter turn shows it 160 wide and 120 high; the mirror keeps it portrait.
    EXPECT_EQ(j["tile_height"].get<int>(), std::string(name) == "orientation-hflip.mov" ? 160 : 90) << name;
  }
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
