// thumbs: the sheet's size is cols x rows tiles, the tiles are different frames taken at the
// expected times, no frame is decoded twice (a long GOP is decoded once, not once per tile) and
// whole GOPs between tiles are skipped.
#include <cmath>
#include <cstring>
#include <set>

#include "codecs/testing/synth.h"
#include "tests/support/media_checks.h"
#include "tests/support/test_support.h"

namespace omnicut::test {
namespace {

// The PNG decoded by the ffmpeg CLI to raw RGB.
std::string png_pixels(const fs::path& png) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", png.string(), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// `omnicut thumbs --json` on `clip`, cols x rows tiles `tile_width` wide.
nlohmann::json make_sheet(const fs::path& clip, const fs::path& png, int cols, int rows, int tile_width) {
  auto r = run_omnicut({"thumbs", clip.string(), "-o", png.string(), "--cols", std::to_string(cols), "--rows",
                        std::to_string(rows), "--tile-width", std::to_string(tile_width), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

// How many tiles of the sheet differ from one another (each should be its own frame), failing
// the test for a black one.
size_t distinct_tiles(const fs::path& png, const nlohmann::json& sheet, int cols, int rows) {
  const int w = sheet["width"], tw = sheet["tile_width"], th = sheet["tile_height"];
  std::string px = png_pixels(png);
  EXPECT_EQ(px.size(), static_cast<size_t>(w) * th * rows * 3);
  std::set<std::string> tiles;
  for (int t = 0; t < cols * rows; ++t) {
    std::string tile;
    int x0 = (t % cols) * tw, y0 = (t / cols) * th;
    for (int y = y0; y < y0 + th; ++y) tile += px.substr((static_cast<size_t>(y) * w + x0) * 3, static_cast<size_t>(tw) * 3);
    EXPECT_NE(tile.find_first_not_of('\0'), std::string::npos) << "tile " << t << " is black";
    tiles.insert(tile);
  }
  return tiles.size();
}

// ffprobe's count of the video frames a decoder must go through to show the one at `t` seconds
// after the first: those before it and itself.
int frames_through(const fs::path& clip, double t) {
  auto packets = probe_packets(clip, "v:0");
  double first = INFINITY;
  for (const auto& p : packets) first = std::min(first, num(p, "pts_time"));
  int n = 1;
  for (const auto& p : packets) n += num(p, "pts_time") - first < t - 1e-6;
  return n;
}

int keyframes_in(const fs::path& clip) {
  int n = 0;
  for (const auto& p : probe_packets(clip, "v:0")) n += p["flags"].get<std::string>().find('K') != std::string::npos;
  return n;
}

TEST(Thumbs, SheetIsColsByRowsTilesOfDifferentFrames) {
  auto dir = scratch_dir();
  SynthSpec s;
  s.duration = 12;
  s.width = 640;
  s.height = 360;
  s.keyframe_interval = 2;
  synthesize((dir / "clip.mp4").string(), s);
  auto j = make_sheet(dir / "clip.mp4", dir / "sheet.png", 4, 2, 160);
  auto probe = ffprobe(dir / "sheet.png");
  ASSERT_EQ(probe["streams"].size(), 1u);
  EXPECT_EQ(probe["streams"][0]["codec_name"], "png");
  EXPECT_EQ(probe["streams"][0]["width"], 640);
  EXPECT_EQ(probe["streams"][0]["height"], 180);  // 16:9 tiles of 160x90, two rows
  ASSERT_EQ(j["times"].size(), 8u);
  EXPECT_NEAR(j["times"][0].get<double>(), 0.75, 1e-6);
  EXPECT_NEAR(j["times"][7].get<double>(), 11.25, 1e-6);
  EXPECT_LE(j["frames_decoded"].get<int>(), 1.1 * frames_through(dir / "clip.mp4", 11.25));
  EXPECT_EQ(distinct_tiles(dir / "sheet.png", j, 4, 2), 8u) << "some tiles show the same frame";
}

// One keyframe for the whole clip, as the edit endpoint returns them: every tile lies in the same
// GOP, so the frames are decoded once, forward, whatever the container keeps as an index (MP4
// every sample, Matroska its cues, MPEG-TS none).
class ThumbsLongGop : public ::testing::TestWithParam<const char*> {};

TEST_P(ThumbsLongGop, DecodesEachFrameOnce) {
  auto dir = scratch_dir();
  const fs::path clip = dir / (std::string("clip.") + GetParam());
  SynthSpec s;
  s.duration = 8;
  s.fps = {24, 1};
  s.keyframe_interval = 8;
  synthesize(clip.string(), s);
  ASSERT_EQ(keyframes_in(clip), 1);
  auto j = make_sheet(clip, dir / "sheet.png", 4, 3, 80);
  ASSERT_EQ(j["times"].size(), 12u);
  const int needed = frames_through(clip, j["times"][11].get<double>());
  EXPECT_GE(j["frames_decoded"].get<int>(), needed);
  EXPECT_LE(j["frames_decoded"].get<int>(), 1.1 * needed) << "frames decoded more than once";
  EXPECT_EQ(distinct_tiles(dir / "sheet.png", j, 4, 3), 12u) << "some tiles show the same frame";
}

INSTANTIATE_TEST_SUITE_P(Containers, ThumbsLongGop, ::testing::Values("mp4", "mkv", "ts"));

// Half-second GOPs and tiles five seconds apart: each tile costs at most its own GOP.
class ThumbsShortGop : public ::testing::TestWithParam<const char*> {};

TEST_P(ThumbsShortGop, SkipsTheGopsBetweenTiles) {
  auto dir = scratch_dir();
  const fs::path clip = dir / (std::string("clip.") + GetParam());
  SynthSpec s;
  s.duration = 20;
  s.keyframe_interval = 0.5;  // 12.5 frames: x264 makes it 13
  synthesize(clip.string(), s);
  auto j = make_sheet(clip, dir / "sheet.png", 2, 2, 80);
  const int gop = frames_through(clip, 20) / keyframes_in(clip) + 1;
  EXPECT_LE(j["frames_decoded"].get<int>(), 4 * gop);
  EXPECT_EQ(distinct_tiles(dir / "sheet.png", j, 2, 2), 4u) << "some tiles show the same frame";
}

INSTANTIATE_TEST_SUITE_P(Containers, ThumbsShortGop, ::testing::Values("mp4", "mkv"));

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
