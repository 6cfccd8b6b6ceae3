// Acting on picture sync: when the model's picture moved (the emulator's shift= and retime=
// faults), `edit` lays the source's audio where the picture's events are and the output is in
// sync within a frame, measured in OUT itself (each flash against its beep). --sync off keeps the
// clock, --sync refuse writes nothing (a resume keeps refusing; one with --sync correct writes it,
// nothing resent); a picture in time is left alone, a still one is not guessed at, and a clip the
// model made much longer is said, not refused. Every turn's timing goes in the ledger.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "codecs/testing/synth.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/media/remux_stage.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/media_checks.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::Emu;

constexpr double kFrame = 1.0 / 24;                      // the model's output rate
const std::vector<double> kMarks = {1.0, 3.0, 5.0};      // a flash and a beep together
const std::vector<std::string> kEnv = {"FAL_KEY=sync-audio-key-1a2b3c"};

// 6 s at 30 fps, a moving gradient, a one-frame-pair flash and a 50 ms beep at each mark, no tone.
fs::path flash_beep_source(const fs::path& dir, bool still = false) {
  SynthSpec s;
  s.duration = 6;
  s.width = 480, s.height = 270;
  s.fps = {30, 1};
  SynthAudio beeps_only;
  beeps_only.tone_hz = 0;
  s.audio = {beeps_only};
  for (double m : kMarks) s.flashes.insert(s.flashes.end(), {m, m + 1.0 / 30});
  s.beeps = kMarks;
  if (still) s.flashes.clear(), s.beeps = {kMarks.front()};
  auto path = dir / (still ? "still.mp4" : "source.mp4");
  synthesize(path.string(), s);
  return path;
}

test::RunResult edit(const fs::path& src, const fs::path& out, const Emu& e, std::vector<std::string> more = {},
                     const std::string& prompt = "Mirror it.") {
  std::vector<std::string> args = {"edit", src.string(), "-p", prompt, "-o", out.string(), "--fal-url", e.emu.url(),
                                   "--yes", "--poll-interval", "0.05", "--json", "--no-report"};
  args.insert(args.end(), more.begin(), more.end());
  return test::run_omnicut(args, kEnv);
}

// Each flash of OUT against the beep nearest it: the worst gap.
double worst_gap(const fs::path& out, size_t* pairs = nullptr) {
  auto flashes = test::flash_times(out);
  auto beeps = test::beep_times(out);
  double worst = 0;
  size_t n = 0;
  for (double f : flashes) {
    double nearest = 1e9;
    for (double b : beeps) nearest = std::fabs(b - f) < std::fabs(nearest) ? b - f : nearest;
    if (std::fabs(nearest) > 0.5) continue;  // a mark the picture or the audio lost at an end
    worst = std::max(worst, std::fabs(nearest));
    ++n;
  }
  if (pairs) *pairs = n;
  return worst;
}

// The model's timing faults, applied by the emulator to the picture only.
emulator::Faults time_fault(double shift_s, double retime = 0) {
  emulator::Faults f;
  f.shift_s = shift_s;
  f.retime = retime;
  return f;
}

nlohmann::json audio_of(const Session& s) { return to_json(s.final_output->remux)["audio"]; }

TEST(SyncAudio, APictureStartedLateGetsItsAudioMovedAndOutIsInSync) {
  auto dir = test::scratch_dir();
  auto src = flash_beep_source(dir);
  Emu e(time_fault(0.25));
  auto out = dir / "out.mp4";
  auto r = edit(src, out, e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().retimed_renders, 1);  // the fault fired
  EXPECT_NE(r.out.find("the source's audio was moved to match"), std::string::npos) << r.out;
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_TRUE(s.final_output && s.final_output->sync);
  EXPECT_NEAR(s.final_output->sync->offset_s, 0.25, kFrame);
  EXPECT_NEAR(audio_of(s)["timing"]["offset"].get<double>(), 0.25, kFrame);
  EXPECT_EQ(audio_of(s)["mode"], "encoded");
  ASSERT_TRUE(s.turns[0].sync);  // the turn's own measure, as the final's
  size_t pairs = 0;
  EXPECT_LE(worst_gap(out, &pairs), kFrame);
  EXPECT_EQ(pairs, kMarks.size());
  auto beeps = test::beep_times(out);
  ASSERT_FALSE(beeps.empty());
  EXPECT_NEAR(beeps.front(), 1.25, kFrame);  // not where the clock put it (1.0)
}

TEST(SyncAudio, APictureRunningSlowGetsItsAudioStretchedInSyncAtTheFirstAndLastFlash) {
  auto dir = test::scratch_dir();
  auto src = flash_beep_source(dir);
  Emu e(time_fault(0, 1.04));
  auto out = dir / "out.mp4";
  auto r = edit(src, out, e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().retimed_renders, 1);
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_TRUE(s.final_output && s.final_output->sync);
  EXPECT_NEAR(s.final_output->sync->scale, 1.04, 0.005);
  EXPECT_NEAR(audio_of(s)["timing"]["scale"].get<double>(), 1.04, 0.005);
  auto flashes = test::flash_times(out), beeps = test::beep_times(out);
  ASSERT_EQ(flashes.size(), kMarks.size());
  ASSERT_EQ(beeps.size(), kMarks.size());
  EXPECT_NEAR(beeps.front(), flashes.front(), kFrame);
  EXPECT_NEAR(beeps.back(), flashes.back(), kFrame);
  EXPECT_NEAR(beeps.back(), 5.0 * 1.04, kFrame);  // stretched, not by the clock (5.0)
}

TEST(SyncAudio, SyncOffKeepsTheClockAndRefuseWritesNothingUntilResumedWithCorrect) {
  auto dir = test::scratch_dir();
  auto src = flash_beep_source(dir);
  Emu e(time_fault(0.25));

  auto kept = dir / "clock.mp4";
  auto r = edit(src, kept, e, {"--sync", "off"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("laid by the clock as asked (--sync off)"), std::string::npos) << r.out;
  auto beeps = test::beep_times(kept);
  ASSERT_FALSE(beeps.empty());
  EXPECT_NEAR(beeps.front(), 1.0, 0.005);
  EXPECT_EQ(audio_of(load_session(default_ledger_path(kept.string())))["mode"], "copied");
  EXPECT_EQ(e.emu.stats().retimed_renders, 1);  // the fault fired

  auto refused = dir / "refused.mp4";
  r = edit(src, refused, e, {"--sync", "refuse"});
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("late by"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(refused));
  const int sent = e.emu.stats().submissions;
  auto resume = [&](std::vector<std::string> extra) {
    std::vector<std::string> a{"edit", "--resume", default_ledger_path(refused.string()), "--fal-url", e.emu.url(),
                               "--yes", "--json", "--no-report"};
    a.insert(a.end(), extra.begin(), extra.end());
    return test::run_omnicut(a, kEnv);
  };
  r = resume({});  // the session keeps the mode it began with
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_FALSE(fs::exists(refused));
  r = resume({"--sync", "correct"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, sent);  // the paid turn is reused, nothing resent
  EXPECT_LE(worst_gap(refused), kFrame);
  EXPECT_EQ(load_session(default_ledger_path(refused.string())).options.sync, "correct");
}

TEST(SyncAudio, APictureInTimeIsLeftAloneAndAStillOneIsNotGuessedAt) {
  auto dir = test::scratch_dir();
  Emu plain;
  auto src = flash_beep_source(dir);
  auto out = dir / "out.mp4";
  auto r = edit(src, out, plain, {}, "Make it anime.");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_TRUE(s.final_output && s.final_output->sync);
  EXPECT_TRUE(s.final_output->sync->in_sync) << s.final_output->sync->verdict;
  EXPECT_EQ(audio_of(s)["mode"], "copied");  // the source's packets, untouched
  EXPECT_EQ(audio_of(s)["timing"]["offset"], 0.0);
  EXPECT_EQ(r.out.find("sync: "), std::string::npos) << r.out;  // nothing to say

  Emu shifted(time_fault(0.25));
  auto still = flash_beep_source(dir, true);
  auto still_out = dir / "still_out.mp4";
  r = edit(still, still_out, shifted);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(shifted.emu.stats().retimed_renders, 1);
  Session t = load_session(default_ledger_path(still_out.string()));
  ASSERT_TRUE(t.final_output && t.final_output->sync);
  EXPECT_FALSE(t.final_output->sync->confident);
  EXPECT_NE(r.out.find("low confidence"), std::string::npos) << r.out;
  EXPECT_EQ(audio_of(t)["timing"]["offset"], 0.0);  // no correction on a guess
}

TEST(SyncAudio, AClipTheModelMadeMuchLongerIsSaidAndPaddedNotRefused) {
  auto dir = test::scratch_dir();
  auto src = flash_beep_source(dir);
  Emu e(time_fault(0, 3.3));  // 6 s in, about 20 s out
  auto out = dir / "out.mp4";
  auto r = edit(src, out, e);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().retimed_renders, 1);  // the fault fired
  EXPECT_NE(r.out.find("the model changed the clip's length"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not compared"), std::string::npos) << r.out;
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_TRUE(s.final_output);
  EXPECT_GT(s.final_output->remux.video_duration, 18);
  EXPECT_NEAR(s.final_output->remux.audio_duration, s.final_output->remux.video_duration, 0.05);
  EXPECT_GT(s.final_output->remux.audio_padded, 12);
  EXPECT_EQ(audio_of(s)["timing"]["scale"], 1.0);
}

TEST(SyncAudio, RemuxCorrectsOnRequestAndSaysWhatItMeasured) {
  auto dir = test::scratch_dir();
  auto src = flash_beep_source(dir);
  Emu e(time_fault(0.25));
  auto edited = dir / "edited.mp4";
  ASSERT_EQ(edit(src, edited, e, {"--sync", "off"}).exit_code, 0);
  EXPECT_EQ(e.emu.stats().retimed_renders, 1);  // the fault fired
  auto out = dir / "remuxed.mp4";
  auto r = test::run_omnicut({"remux", "--video", edited.string(), "--audio", src.string(), "-o", out.string(), "--sync",
                              "correct", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["sync"]["corrected"].get<bool>());
  EXPECT_NEAR(j["audio"]["timing"]["offset"].get<double>(), 0.25, kFrame);
  EXPECT_LE(worst_gap(out), kFrame);
  auto bad = test::run_omnicut({"remux", "--video", edited.string(), "--audio", src.string(), "-o", out.string(), "--sync",
                                "sideways"});
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace omnicut
