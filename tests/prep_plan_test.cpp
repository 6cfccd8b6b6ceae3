// The prep plan on its own: numbers and words from a MediaInfo, no files (except shared media).
#include <algorithm>

#include "codecs/probe.h"
#include "pipeline/media/prep_plan.h"
#include "pipeline/support/time_value.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

const Endpoint& ep() { return default_endpoint(); }

// A file the endpoint takes as it is: 1280x720 H.264 yuv420p 25 fps, AAC 48 kHz stereo, 5 s MP4.
MediaInfo compliant() {
  MediaInfo m;
  m.path = "clip.mp4";
  m.container = "mov,mp4,m4a,3gp,3g2,mj2";
  m.duration = 5;
  VideoInfo v;
  v.index = 0, v.codec = "h264", v.decodable = true;
  v.width = v.display_width = 1280, v.height = v.display_height = 720;
  v.fps = v.peak_fps = 25, v.pix_fmt = "yuv420p", v.color_range = "tv";
  m.video = v;
  AudioInfo a;
  a.index = 1, a.codec = "aac", a.decodable = true, a.sample_rate = 48000, a.channels = 2, a.layout = "stereo";
  m.audio = {a};
  return m;
}

MediaInfo sized(int w, int h, int rotation = 0, bool mirrored = false, Rational sar = {1, 1}) {
  MediaInfo m = compliant();
  VideoInfo& v = *m.video;
  v.width = w, v.height = h, v.rotation = rotation, v.mirrored = mirrored, v.sar = sar;
  int sw = static_cast<int>(w * sar.value() + 0.5);
  bool quarter = rotation % 180 != 0;
  v.display_width = quarter ? h : sw, v.display_height = quarter ? sw : h;
  return m;
}

bool has(const PrepPlan& p, const std::string& action) {
  return std::find(p.actions.begin(), p.actions.end(), action) != p.actions.end();
}

std::string error_text(const MediaInfo& m, const PrepRequest& r, ErrorKind kind) {
  try {
    plan_prep(m, ep(), r);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(PrepPlan, CompliantFileIsOkAndCopyable) {
  PrepPlan p = plan_prep(compliant(), ep(), {});
  EXPECT_EQ(p.verdict, Verdict::ok);
  EXPECT_TRUE(p.actions.empty());
  EXPECT_TRUE(p.video_complies);
  EXPECT_TRUE(p.audio_complies);
  EXPECT_EQ(p.copy_blocker, "");
  EXPECT_EQ(p.spec.input, "clip.mp4");
  EXPECT_EQ(p.spec.output, "");
  EXPECT_EQ(p.spec.video_stream, 0);
  EXPECT_EQ(p.spec.audio_stream, 1);
  EXPECT_EQ(p.spec.geometry.scale_width, 1280);
  EXPECT_EQ(p.spec.geometry.out_height, 720);
  EXPECT_FALSE(p.spec.geometry.crop);
  EXPECT_EQ(p.spec.fps, (Rational{25, 1}));
  EXPECT_EQ(p.spec.start, 0);
  EXPECT_FALSE(p.spec.end);
  EXPECT_EQ(p.segments_needed, 1);
}

TEST(PrepPlan, LandscapeScalesDown) {
  PrepPlan p = plan_prep(sized(1920, 1080), ep(), {});
  EXPECT_EQ(p.verdict, Verdict::needs_prep);
  EXPECT_EQ(p.spec.geometry.scale_width, 1280);
  EXPECT_EQ(p.spec.geometry.scale_height, 720);
  EXPECT_EQ(p.spec.geometry.out_width, 1280);
  EXPECT_TRUE(has(p, "scale 1920x1080 to 1280x720"));
  EXPECT_FALSE(p.video_complies);
  EXPECT_EQ(p.copy_blocker, "video is 1920x1080, not 1280x720");
}

TEST(PrepPlan, FourThreePadsIntoSixteenNine) {
  PrepPlan p = plan_prep(sized(640, 480), ep(), {});
  const Geometry& g = p.spec.geometry;
  EXPECT_EQ(g.scale_width, 960);
  EXPECT_EQ(g.scale_height, 720);
  EXPECT_EQ(g.out_width, 1280);
  EXPECT_EQ(g.out_height, 720);
  EXPECT_FALSE(g.crop);
  EXPECT_TRUE(has(p, "pad 4:3 to 16:9"));
}

TEST(PrepPlan, FourThreeCropsToFill) {
  PrepRequest r;
  r.fit = Fit::crop;
  PrepPlan p = plan_prep(sized(640, 480), ep(), r);
  const Geometry& g = p.spec.geometry;
  ASSERT_TRUE(g.crop);
  EXPECT_EQ(*g.crop, (Rect{0, 60, 640, 360}));
  EXPECT_EQ(g.scale_width, 1280);
  EXPECT_EQ(g.scale_height, 720);
  EXPECT_EQ(g.out_width, 1280);
  EXPECT_TRUE(has(p, "crop 4:3 to 16:9"));
}

TEST(PrepPlan, PortraitGoesTo720x1280) {
  PrepPlan p = plan_prep(sized(1080, 1920), ep(), {});
  EXPECT_EQ(p.spec.geometry.out_width, 720);
  EXPECT_EQ(p.spec.geometry.out_height, 1280);
  EXPECT_EQ(p.spec.geometry.scale_width, 720);
  EXPECT_FALSE(has(p, "pad 9:16 to 9:16"));
}

TEST(PrepPlan, SquareIsLandscapeWithPillars) {
  PrepPlan p = plan_prep(sized(500, 500), ep(), {});
  EXPECT_EQ(p.spec.geometry.out_width, 1280);
  EXPECT_EQ(p.spec.geometry.scale_width, 720);
  EXPECT_EQ(p.spec.geometry.scale_height, 720);
  EXPECT_TRUE(has(p, "pad 1:1 to 16:9"));
  PrepRequest r;
  r.fit = Fit::crop;
  PrepPlan c = plan_prep(sized(500, 500), ep(), r);
  EXPECT_EQ(*c.spec.geometry.crop, (Rect{0, 108, 500, 282}));
}

TEST(PrepPlan, OddSizesStayEven) {
  PrepPlan p = plan_prep(sized(641, 481), ep(), {});
  EXPECT_EQ(p.spec.geometry.scale_width % 2, 0);
  EXPECT_EQ(p.spec.geometry.scale_height % 2, 0);
  PrepRequest r;
  r.fit = Fit::crop;
  const Rect c = *plan_prep(sized(641, 481), ep(), r).spec.geometry.crop;
  for (int v : {c.x, c.y, c.width, c.height}) EXPECT_EQ(v % 2, 0) << v;
}

TEST(PrepPlan, RotationMakesPortraitAndIsNamed) {
  PrepPlan p = plan_prep(sized(1920, 1080, 90, true), ep(), {});
  EXPECT_EQ(p.display_width, 1080);
  EXPECT_EQ(p.display_height, 1920);
  EXPECT_EQ(p.spec.geometry.out_width, 720);
  EXPECT_EQ(p.spec.geometry.out_height, 1280);
  EXPECT_EQ(p.spec.geometry.rotation, 90);
  EXPECT_TRUE(p.spec.geometry.mirrored);
  EXPECT_TRUE(has(p, "rotate 90° and mirror"));
  EXPECT_TRUE(has(plan_prep(sized(1280, 720, 180), ep(), {}), "rotate 180°"));
  EXPECT_TRUE(has(plan_prep(sized(1280, 720, 0, true), ep(), {}), "mirror"));
}

TEST(PrepPlan, AnamorphicPixelsMadeSquare) {
  PrepPlan p = plan_prep(sized(960, 720, 0, false, {4, 3}), ep(), {});
  EXPECT_EQ(p.spec.geometry.sar, (Rational{4, 3}));
  EXPECT_TRUE(has(p, "make pixels square (SAR 4:3)"));
  EXPECT_EQ(p.display_width, 1280);
  EXPECT_FALSE(p.spec.geometry.crop);
  EXPECT_EQ(p.spec.geometry.scale_width, 1280);
  EXPECT_EQ(p.copy_blocker, "pixels are not square (SAR 4:3)");
}

TEST(PrepPlan, TooLongNamesTheTrimAndTheSegments) {
  MediaInfo m = compliant();
  m.duration = 34.2;
  EXPECT_EQ(error_text(m, {}, ErrorKind::too_long),
            "clip.mp4: 34.20 s is longer than the endpoint's 10 s limit: trim with --start 0 --end 10 "
            "(or --duration 10), or split into 4 segments");
  PrepRequest r;
  r.start = 5, r.end = 25;
  EXPECT_EQ(error_text(m, r, ErrorKind::too_long),
            "clip.mp4: the range 5.00-25.00 s (20.00 s) is longer than the endpoint's 10 s limit: trim with "
            "--start 5 --end 15 (or --duration 10), or split into 2 segments");
  PrepPlan probe_view = assess(m, ep());
  EXPECT_EQ(probe_view.verdict, Verdict::needs_prep);
  EXPECT_TRUE(has(probe_view, "trim 34.2 s to 10 s, or split into 4 segments"));
  EXPECT_EQ(probe_view.segments_needed, 4);
}

TEST(PrepPlan, TooShort) {
  MediaInfo m = compliant();
  m.duration = 2;
  EXPECT_EQ(error_text(m, {}, ErrorKind::too_long), "clip.mp4: 2.00 s is shorter than the endpoint's 3 s minimum");
  PrepPlan a = assess(m, ep());
  EXPECT_EQ(a.verdict, Verdict::unusable);
  EXPECT_EQ(a.unusable_kind, ErrorKind::too_long);
  PrepRequest r;
  r.start = 1, r.duration = 1;
  EXPECT_EQ(error_text(compliant(), r, ErrorKind::too_long),
            "clip.mp4: the range 1.00-2.00 s (1.00 s) is shorter than the endpoint's 3 s minimum");
}

TEST(PrepPlan, TrimWithinTheFile) {
  MediaInfo m = compliant();
  m.duration = 34.2;
  PrepRequest r;
  r.start = 12.5, r.duration = 8;
  PrepPlan p = plan_prep(m, ep(), r);
  EXPECT_DOUBLE_EQ(p.spec.start, 12.5);
  ASSERT_TRUE(p.spec.end);
  EXPECT_DOUBLE_EQ(*p.spec.end, 20.5);
  EXPECT_DOUBLE_EQ(p.range_end, 20.5);
  EXPECT_TRUE(has(p, "trim to 12.50-20.50 s"));
  EXPECT_EQ(p.verdict, Verdict::needs_prep);
}

TEST(PrepPlan, TrimOutsideTheFileIsAUsageError) {
  PrepRequest r;
  r.start = 7;
  EXPECT_EQ(error_text(compliant(), r, ErrorKind::usage), "clip.mp4: --start 7.00 s is outside the file (0 to 5.00 s)");
  r.start = 1, r.end = 9;
  EXPECT_EQ(error_text(compliant(), r, ErrorKind::usage),
            "clip.mp4: the range ends at 9.00 s, past the end of the file (5.00 s)");
  r.end = 4, r.duration = 2;
  error_text(compliant(), r, ErrorKind::usage);
}

TEST(PrepPlan, FrameRateCapOverrideAndVfr) {
  MediaInfo m = compliant();
  m.video->fps = m.video->peak_fps = 60;
  PrepPlan p = plan_prep(m, ep(), {});
  EXPECT_EQ(p.spec.fps, (Rational{30, 1}));
  EXPECT_TRUE(has(p, "frame rate 60 to 30 fps"));
  m.video->fps = m.video->peak_fps = 30000.0 / 1001;
  EXPECT_EQ(plan_prep(m, ep(), {}).spec.fps, (Rational{30000, 1001}));
  PrepRequest r;
  r.fps = 24;
  PrepPlan o = plan_prep(m, ep(), r);
  EXPECT_EQ(o.spec.fps, (Rational{24, 1}));
  EXPECT_TRUE(has(o, "frame rate 29.97 to 24 fps"));
  r.fps = 60;
  error_text(m, r, ErrorKind::usage);
  m.video->vfr = true, m.video->fps = 16.7, m.video->peak_fps = 25;
  PrepPlan v = plan_prep(m, ep(), {});
  EXPECT_EQ(v.spec.fps, (Rational{25, 1}));
  EXPECT_TRUE(has(v, "variable frame rate to constant 25 fps"));
  EXPECT_EQ(v.copy_blocker, "variable frame rate");
}

TEST(PrepPlan, PixelsAndHdr) {
  MediaInfo m = compliant();
  m.video->pix_fmt = "yuv420p10le", m.video->bit_depth = 10, m.video->hdr = true, m.video->color_transfer = "smpte2084";
  PrepPlan p = plan_prep(m, ep(), {});
  EXPECT_TRUE(has(p, "10-bit to 8-bit"));
  EXPECT_TRUE(has(p, "tone-map HDR"));
  EXPECT_TRUE(p.spec.tonemap);
  EXPECT_FALSE(p.video_complies);
  m = compliant();
  m.video->pix_fmt = "yuvj420p", m.video->color_range = "pc";
  EXPECT_TRUE(has(plan_prep(m, ep(), {}), "full range to limited range"));
  m.video->pix_fmt = "yuv422p";
  EXPECT_TRUE(has(plan_prep(m, ep(), {}), "convert yuv422p to yuv420p"));
}

TEST(PrepPlan, AudioChoice) {
  MediaInfo m = compliant();
  AudioInfo odd;
  odd.index = 2, odd.codec = "unknown", odd.decodable = false;
  AudioInfo ac3;
  ac3.index = 3, ac3.codec = "ac3", ac3.decodable = true, ac3.sample_rate = 48000, ac3.channels = 6, ac3.layout = "5.1(side)";
  m.audio = {odd, ac3};
  PrepPlan p = plan_prep(m, ep(), {});
  EXPECT_EQ(p.spec.audio_stream, 3);
  EXPECT_TRUE(has(p, "ignore undecodable audio track 2"));
  EXPECT_TRUE(has(p, "audio ac3 48000 Hz 5.1(side) to AAC-LC 48 kHz stereo"));
  EXPECT_FALSE(p.audio_complies);
  EXPECT_TRUE(p.video_complies);
  EXPECT_EQ(p.copy_blocker, "audio is not AAC 48 kHz stereo");
  m.audio.clear();
  PrepPlan silent = plan_prep(m, ep(), {});
  EXPECT_EQ(silent.spec.audio_stream, -1);
  EXPECT_EQ(silent.verdict, Verdict::ok);
}

TEST(PrepPlan, Unusable) {
  MediaInfo audio_only = compliant();
  audio_only.video.reset();
  PrepPlan a = assess(audio_only, ep());
  EXPECT_EQ(a.verdict, Verdict::unusable);
  EXPECT_EQ(a.unusable_reason, "no video stream (audio only)");
  EXPECT_EQ(error_text(audio_only, {}, ErrorKind::unsupported), "clip.mp4: no video stream (audio only)");
  MediaInfo undecodable = compliant();
  undecodable.video->decodable = false, undecodable.video->codec = "unknown";
  EXPECT_EQ(assess(undecodable, ep()).verdict, Verdict::unusable);
  for (auto [w, h] : {std::pair{8, 8}, std::pair{20000, 720}, std::pair{1280, 15}}) {
    PrepPlan p = assess(sized(w, h), ep());
    EXPECT_EQ(p.verdict, Verdict::unusable) << w << "x" << h;
    EXPECT_NE(p.unusable_reason.find("absurd picture size"), std::string::npos);
  }
}

TEST(PrepPlan, ContainerAndCodec) {
  MediaInfo m = compliant();
  m.container = "matroska,webm";
  m.video->codec = "hevc";
  PrepPlan p = plan_prep(m, ep(), {});
  EXPECT_TRUE(has(p, "re-encode hevc to H.264"));
  EXPECT_TRUE(has(p, "write MP4 instead of matroska,webm"));
  EXPECT_EQ(p.copy_blocker, "video codec hevc is not h264");
}

TEST(TimeValue, SecondsAndClock) {
  EXPECT_DOUBLE_EQ(parse_time("12.5", "--start"), 12.5);
  EXPECT_DOUBLE_EQ(parse_time("0", "--start"), 0);
  EXPECT_DOUBLE_EQ(parse_time("1:02.5", "--start"), 62.5);
  EXPECT_DOUBLE_EQ(parse_time("01:00:03.250", "--end"), 3603.25);
  for (const char* bad : {"", "abc", "-1", "1:60", "1.5:00", "1:2:3:4", "12s", "nan"}) {
    try {
      parse_time(bad, "--end");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::usage);
      EXPECT_EQ(std::string(e.what()).rfind("--end: not a time", 0), 0u) << e.what();
    }
  }
}

TEST(PrepPlan, SharedMedia) {
  OMNICUT_REQUIRE_SHARED_MEDIA(media);
  // Already 1280x720 at 30 fps: nothing to scale, pad or retime, but it is 1 s long and AC-3 in MKV.
  PrepPlan hd = assess(probe((media / "sample-6-ac.mkv").string()), ep());
  EXPECT_EQ(hd.spec.geometry.scale_width, 1280);
  EXPECT_EQ(hd.spec.geometry.scale_height, 720);
  EXPECT_FALSE(hd.spec.geometry.crop);
  EXPECT_EQ(hd.spec.fps, (Rational{30, 1}));
  EXPECT_EQ(hd.verdict, Verdict::unusable);
  EXPECT_EQ(hd.unusable_kind, ErrorKind::too_long);
  // Stored 120x160, turned 90° clockwise for display: landscape 160x120.
  PrepPlan turned = plan_prep(probe((media / "orientation.mov").string()), ep(), {});
  EXPECT_EQ(turned.display_width, 160);
  EXPECT_EQ(turned.display_height, 120);
  EXPECT_EQ(turned.spec.geometry.out_width, 1280);
  EXPECT_TRUE(has(turned, "rotate 90°"));
  // A mirror only: stays portrait.
  PrepPlan flip = plan_prep(probe((media / "orientation-hflip.mov").string()), ep(), {});
  EXPECT_TRUE(has(flip, "mirror"));
  EXPECT_EQ(flip.spec.geometry.out_width, 720);
  EXPECT_EQ(flip.spec.geometry.out_height, 1280);
  PrepPlan anamorphic = plan_prep(probe((media / "sar_2x1.mp4").string()), ep(), {});
  EXPECT_TRUE(has(anamorphic, "make pixels square (SAR 2:1)"));
  EXPECT_EQ(anamorphic.spec.geometry.scale_width, 1280);
  EXPECT_EQ(anamorphic.spec.geometry.scale_height, 360);
  PrepPlan secondary = assess(probe((media / "unsupported-secondary-audio.mov").string()), ep());
  EXPECT_TRUE(has(secondary, "ignore undecodable audio track 2"));
  EXPECT_TRUE(has(secondary, "10-bit to 8-bit"));
  EXPECT_EQ(assess(probe((media / "multiple-aac-tracks.mp4").string()), ep()).verdict, Verdict::unusable);
}

}  // namespace
}  // namespace omnicut
