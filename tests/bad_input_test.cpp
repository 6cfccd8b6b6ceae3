// `omnicut probe` on files that are not usable media: each gets its documented exit code and one
// line on stderr naming the file and the cause; nothing crashes or hangs.
#include <fstream>
#include <random>

#include "codecs/testing/synth.h"
#include "pipeline/cli/exit_codes.h"
#include "tests/support/test_support.h"

namespace omnicut {
namespace {

using test::fs::path;

void write_bytes(const path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

std::string read_bytes(const path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

SynthSpec tiny(double duration = 1.0) {
  SynthSpec s;
  s.duration = duration;
  s.width = 160, s.height = 96;
  return s;
}

// Runs probe on one file and checks the failure's shape; returns the stderr line.
std::string expect_probe_failure(const path& file, int exit_code, const std::string& cause) {
  test::RunResult r = test::run_omnicut({"probe", file.string(), "--json"});
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(file.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cause), std::string::npos) << r.err;
  // stdout is still the JSON report, one entry for the file.
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["path"], file.string());
  return r.err;
}

TEST(ProbeBadInput, MissingFile) {
  path file = test::scratch_dir() / "nope.mp4";
  expect_probe_failure(file, cli::kNotFound, "no such file");
}

TEST(ProbeBadInput, Directory) {
  path dir = test::scratch_dir();
  expect_probe_failure(dir, cli::kNotFound, "is a directory");
}

TEST(ProbeBadInput, EmptyFile) {
  path file = test::scratch_dir() / "empty.mp4";
  write_bytes(file, "");
  expect_probe_failure(file, cli::kNotMedia, "empty file");
}

TEST(ProbeBadInput, Text) {
  path file = test::scratch_dir() / "notes.mp4";
  write_bytes(file, "These are not the frames you are looking for.\n");
  expect_probe_failure(file, cli::kNotMedia, "not a readable media file");
}

TEST(ProbeBadInput, RandomBytes) {
  path file = test::scratch_dir() / "noise.mov";
  std::mt19937 rng(7);
  std::string bytes(256 * 1024, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng());
  write_bytes(file, bytes);
  expect_probe_failure(file, cli::kNotMedia, file.string());
}

TEST(ProbeBadInput, TruncatedMp4WithoutMoov) {
  path dir = test::scratch_dir();
  path file = dir / "cut.mp4";
  synthesize(file.string(), tiny(2.0));  // no faststart: the index comes last
  std::string bytes = read_bytes(file);
  ASSERT_GT(bytes.rfind("moov"), bytes.size() / 2);
  write_bytes(file, bytes.substr(0, bytes.size() / 2));
  expect_probe_failure(file, cli::kNotMedia, "moov atom not found");
}

TEST(ProbeBadInput, AudioOnlyIsUnusable) {
  path file = test::scratch_dir() / "song.m4a";
  SynthSpec s = tiny(4.0);
  s.video = false;
  s.audio = {SynthAudio{}};
  synthesize(file.string(), s);
  expect_probe_failure(file, cli::kUnsupported, "no video stream (audio only)");
  auto j = nlohmann::json::parse(test::run_omnicut({"probe", file.string(), "--json"}).out);
  EXPECT_EQ(j[0]["verdict"], "unusable");
  EXPECT_TRUE(j[0]["video"].is_null());
}

// The sample entry's codec tag renamed to one no FFmpeg knows: a video track without a decoder.
TEST(ProbeBadInput, UndecodableVideo) {
  path file = test::scratch_dir() / "alien.mp4";
  synthesize(file.string(), tiny(4.0));
  std::string bytes = read_bytes(file);
  int tags = 0;
  for (size_t at = bytes.find("avc1"); at != std::string::npos; at = bytes.find("avc1", at + 4), ++tags)
    bytes.replace(at, 4, "zzzv");  // the sample entry, and the brand list where it appears too
  ASSERT_GT(tags, 0);
  write_bytes(file, bytes);
  expect_probe_failure(file, cli::kUnsupported, "cannot be decoded");
}

TEST(ProbeBadInput, AbsurdlySmallPicture) {
  path file = test::scratch_dir() / "speck.mp4";
  SynthSpec s = tiny(4.0);
  s.width = 8, s.height = 8;
  synthesize(file.string(), s);
  expect_probe_failure(file, cli::kUnsupported, "absurd picture size 8x8");
}

TEST(ProbeBadInput, AbsurdlyWidePicture) {
  path file = test::scratch_dir() / "ribbon.avi";
  SynthSpec s = tiny(3.2);
  s.fps = {5, 1};
  s.video_codec = "rawvideo";  // x264 and MPEG-4 refuse such sizes; raw pictures have no limit
  s.width = 16400, s.height = 16;
  synthesize(file.string(), s);
  expect_probe_failure(file, cli::kUnsupported, "absurd picture size 16400x16");
}

TEST(ProbeBadInput, TooShortForTheEndpoint) {
  path file = test::scratch_dir() / "blink.mp4";
  synthesize(file.string(), tiny(1.0));
  expect_probe_failure(file, cli::kTooLong, "shorter than the endpoint's 3 s minimum");
}

TEST(ProbeBadInput, SeveralFilesReportEveryOneAndExitOne) {
  path dir = test::scratch_dir();
  path good = dir / "good.mp4";
  synthesize(good.string(), tiny(4.0));
  write_bytes(dir / "bad.mp4", "nope");
  test::RunResult r = test::run_omnicut({"probe", good.string(), (dir / "bad.mp4").string(), (dir / "gone.mp4").string(), "--json"});
  EXPECT_EQ(r.exit_code, cli::kSomeFilesFailed);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["verdict"], "needs_prep");
  EXPECT_EQ(j[0]["video"]["width"], 160);
  EXPECT_TRUE(j[1].contains("error"));
  EXPECT_TRUE(j[2].contains("error"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  test::RunResult ok = test::run_omnicut({"probe", good.string(), good.string()});
  EXPECT_EQ(ok.exit_code, cli::kOk);
  EXPECT_EQ(ok.err, "");
}

TEST(ProbeBadInput, UnknownEndpointIsAUsageError) {
  path file = test::scratch_dir() / "x.mp4";
  synthesize(file.string(), tiny(4.0));
  test::RunResult r = test::run_omnicut({"probe", file.string(), "--endpoint", "acme/none"});
  EXPECT_EQ(r.exit_code, cli::kUsage);
  EXPECT_NE(r.err.find("acme/none"), std::string::npos);
}

}  // namespace
}  // namespace omnicut
