// remux: sync is measured in the output (flash frame vs beep onset), not assumed; the source's
// AAC packets come back bit for bit and decode to the source's own samples over the range;
// copy/encode decisions, durations, padding/trimming, the second track, atom order, bad inputs.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "codecs/testing/synth.h"
#include "codecs/transcode.h"
#include "pipeline/media/remux_stage.h"
#include "tests/support/media_checks.h"

namespace omnicut::test {
namespace {

using nlohmann::json;

constexpr double kFrame24 = 1.0 / 24;

SynthSpec marked_source(double duration, std::vector<double> marks, SynthAudio audio = {}) {
  SynthSpec s;
  s.duration = duration;
  s.fps = {25, 1};
  s.audio = {audio};
  // Two white frames per mark so that at least one survives the change to 24 fps.
  for (double m : marks) s.flashes.insert(s.flashes.end(), {m, m + 0.04});
  s.beeps = marks;
  return s;
}

// Stands in for prep + the model: prep's own engine re-encodes the range [start, start +
// frames/24) at 24 fps and the given size, with the range's own audio re-encoded as "the model's".
fs::path edit_stand_in(const fs::path& src, const fs::path& out, double start, int frames, bool audio = true,
                       int width = 640, int height = 360) {
  TranscodeSpec t;
  t.input = src.string();
  t.output = out.string();
  t.start = start;
  t.end = start + frames / 24.0;
  t.video_stream = 0;
  t.geometry.scale_width = t.geometry.out_width = width;
  t.geometry.scale_height = t.geometry.out_height = height;
  t.fps = {24, 1};
  t.preset = "ultrafast";
  t.audio_stream = audio ? 1 : -1;
  auto r = transcode(t);
  EXPECT_EQ(r.video_frames, frames);
  return out;
}

// Mean luma of each frame, decoded by the ffmpeg CLI at 16x16.
std::vector<double> frame_lumas(const fs::path& file) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:v:0", "-vf", "scale=16:16",
                                  "-pix_fmt", "gray", "-f", "rawvideo", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<double> out;
  for (size_t i = 0; i + 256 <= r.out.size(); i += 256) {
    double sum = 0;
    for (size_t j = 0; j < 256; ++j) sum += static_cast<unsigned char>(r.out[i + j]);
    out.push_back(sum / 256);
  }
  return out;
}

// The first audio track (or `track`), decoded to mono 48 kHz floats.
std::vector<float> audio_samples(const fs::path& file, int track = 0) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:a:" + std::to_string(track), "-ac",
                                  "1", "-ar", "48000", "-f", "f32le", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<float> s(r.out.size() / sizeof(float));
  std::memcpy(s.data(), r.out.data(), s.size() * sizeof(float));
  return s;
}

double first_flash(const std::vector<double>& lumas, double fps) {
  for (size_t i = 0; i < lumas.size(); ++i)
    if (lumas[i] > 200) return i / fps;
  return -1;
}

double first_beep(const std::vector<float>& s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (std::abs(s[i]) > 0.5f) return i / 48000.0;
  return -1;
}

double rms(const std::vector<float>& s, double from, double to) {
  size_t a = static_cast<size_t>(from * 48000), b = std::min(s.size(), static_cast<size_t>(to * 48000));
  double sum = 0;
  for (size_t i = a; i < b; ++i) sum += s[i] * s[i];
  return b > a ? std::sqrt(sum / (b - a)) : 0;
}

// The nth stream of `type` in ffprobe's JSON, or null.
json nth_stream(const json& probe, const std::string& type, int nth) {
  for (const auto& s : probe["streams"])
    if (s["codec_type"] == type && nth-- == 0) return s;
  return {};
}

// The source's 48 kHz audio packets as ffprobe lists them: start and duration in samples.
struct SourcePacket {
  int64_t pts, duration;
};
std::vector<SourcePacket> audio_packets(const fs::path& file) {
  std::vector<SourcePacket> out;
  for (const auto& p : probe_packets(file, "a:0"))
    out.push_back({p["pts"].get<int64_t>(), p["duration"].get<int64_t>()});
  return out;
}

// Decoded by the ffmpeg CLI at the stream's own rate, every channel: interleaved floats.
std::vector<float> native_samples(const fs::path& file) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:a:0", "-f", "f32le", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<float> s(r.out.size() / sizeof(float));
  std::memcpy(s.data(), r.out.data(), s.size() * sizeof(float));
  return s;
}

RunResult remux(const std::vector<std::string>& args) {
  std::vector<std::string> all{"remux", "--json"};
  all.insert(all.end(), args.begin(), args.end());
  return run_omnicut(all);
}

json parse(const RunResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0 ? json::parse(r.out) : json{};
}

bool no_leftovers(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".part-") != std::string::npos) return false;
  return true;
}

TEST(Remux, FlashAndBeepStayInSyncAfterA24FpsEdit) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(6, {2.0, 4.0}));
  // 1.0 s is mid-packet for 48 kHz AAC (46.875 packets): copied, and cut to the sample.
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 1.0, 96, true, 1280, 720);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        "1", "--end", "5", "-o", (dir / "out.mp4").string()}));
  EXPECT_EQ(j["audio"]["mode"], "copied") << j["audio"]["reason"];
  RemuxResult back;  // the one remux JSON shape reads back
  ASSERT_NO_THROW(back = remux_result_from_json(j, "remux --json")) << j.dump();
  EXPECT_NEAR(back.range_start, 1.0, 1e-9);
  EXPECT_TRUE(j["restore"].is_null());

  auto lumas = frame_lumas(dir / "out.mp4");
  auto samples = audio_samples(dir / "out.mp4");
  double flash = first_flash(lumas, 24), beep = first_beep(samples);
  ASSERT_GE(flash, 0);
  ASSERT_GE(beep, 0);
  EXPECT_NEAR(flash, 1.0, kFrame24);
  EXPECT_NEAR(beep, 1.0, 0.002);
  EXPECT_LE(std::abs(flash - beep), kFrame24) << "flash at " << flash << " s, beep at " << beep << " s";

  auto probe = ffprobe(dir / "out.mp4");
  auto v = stream_of(probe, "video"), a = stream_of(probe, "audio");
  EXPECT_NEAR(num(v, "start_time"), 0, 1e-3);
  EXPECT_NEAR(num(a, "start_time"), 0, 1e-3);
  EXPECT_NEAR(num(a, "duration"), num(v, "duration"), 0.001);
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["profile"], "LC");
  EXPECT_EQ(v["nb_frames"], "96");
}

TEST(Remux, VideoStreamIsCopiedBitForBit) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(4, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0.5, 48);
  parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start", "0.5",
               "-o", (dir / "out.mp4").string()}));
  auto md5 = [&](const fs::path& f) {
    auto r = run_program("ffmpeg", {"-v", "error", "-i", f.string(), "-map", "0:v", "-c", "copy", "-f", "md5", "-"});
    return r.out;
  };
  EXPECT_EQ(md5(dir / "edit.mp4"), md5(dir / "out.mp4"));
}

// The packets from the one before the range's first sample (the decoder's pre-roll) to the
// one holding its last, bit for bit; the MP4 says the range to the sample; the decoded audio is
// the source's own decoded samples over the range (same packets, same decoder state).
void expect_source_packets_over_range(const fs::path& src, const fs::path& out, double start, double length) {
  const int64_t first = std::llround(start * 48000), samples = std::llround(length * 48000);
  auto packets = audio_packets(src);
  size_t k = 0;
  while (k < packets.size() && packets[k].pts + packets[k].duration <= first) ++k;
  ASSERT_LT(k, packets.size());
  size_t m = k;
  while (m < packets.size() && packets[m].pts + packets[m].duration < first + samples) ++m;
  ASSERT_LT(m, packets.size());
  const size_t from = k > 0 ? k - 1 : 0;
  auto source = packet_hashes(src, "a:0"), copied = packet_hashes(out, "a:0");
  ASSERT_EQ(source.size(), packets.size());
  std::vector<std::string> expected(source.begin() + static_cast<std::ptrdiff_t>(from),
                                    source.begin() + static_cast<std::ptrdiff_t>(m + 1));
  EXPECT_EQ(copied, expected);

  auto a = stream_of(ffprobe(out), "audio");
  EXPECT_EQ(a["duration_ts"].get<int64_t>(), samples) << "the track is not the range to the sample";
  EXPECT_EQ(a["time_base"], "1/48000");

  // FFmpeg 5.1 skips the pre-roll to the sample but decodes the last packet whole.
  auto src_pcm = native_samples(src), out_pcm = native_samples(out);
  const int ch = 2;
  const int64_t tail = packets[m].pts + packets[m].duration - (first + samples);
  EXPECT_EQ(static_cast<int64_t>(out_pcm.size()) / ch, samples + tail);
  ASSERT_GE(static_cast<int64_t>(src_pcm.size()) / ch, first + samples);
  ASSERT_GE(static_cast<int64_t>(out_pcm.size()) / ch, samples);
  double worst = 0;
  for (int64_t i = 0; i < samples * ch; ++i) worst = std::max(worst, double(std::abs(out_pcm[i] - src_pcm[first * ch + i])));
  EXPECT_LT(worst, 1e-6) << "the decoded range differs from the source's decoded samples";
}

TEST(Remux, AacIsCopiedPacketForPacketAndCutToTheSample) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(6, {2.0}));
  // Mid-packet at both ends: 1.01 s = 47.34 packets in, 64 frames at 24 fps = 125 packets.
  const double start = 1.01, length = 64 / 24.0;
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", start, 64);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        std::to_string(start), "--end", std::to_string(start + length), "-o",
                        (dir / "out.mp4").string()}));
  EXPECT_EQ(j["audio"]["mode"], "copied") << j.dump();
  EXPECT_NE(j["audio"]["reason"].get<std::string>().find("edit list"), std::string::npos) << j["audio"]["reason"];
  EXPECT_DOUBLE_EQ(j["audio"]["padded"].get<double>(), 0);
  expect_source_packets_over_range(dir / "src.mp4", dir / "out.mp4", start, length);
  double flash = first_flash(frame_lumas(dir / "out.mp4"), 24), beep = first_beep(audio_samples(dir / "out.mp4"));
  EXPECT_NEAR(beep, 2.0 - start, 0.001);
  EXPECT_LE(std::abs(flash - beep), kFrame24);
}

TEST(Remux, AacCutOnPacketBoundariesIsCopiedToo) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(6, {2.0}));
  const double start = 47 * 1024 / 48000.0, length = 64 / 24.0;
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", start, 64);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        std::to_string(start), "--end", std::to_string(start + length), "-o",
                        (dir / "out.mp4").string()}));
  EXPECT_EQ(j["audio"]["mode"], "copied") << j.dump();
  expect_source_packets_over_range(dir / "src.mp4", dir / "out.mp4", std::llround(start * 48000) / 48000.0, length);
}

struct CodecCase {
  const char* codec;
  const char* ext;
};
class RemuxSourceCodec : public ::testing::TestWithParam<CodecCase> {};

TEST_P(RemuxSourceCodec, IsReencodedToAacLcWithTheVideosDuration) {
  auto dir = scratch_dir();
  auto src = dir / (std::string("src.") + GetParam().ext);
  SynthAudio audio;
  audio.codec = GetParam().codec;
  synthesize(src.string(), marked_source(5, {2.0}, audio));
  edit_stand_in(src, dir / "edit.mp4", 1.0, 72);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", src.string(), "--start", "1", "--end", "4",
                        "-o", (dir / "out.mp4").string()}));
  EXPECT_EQ(j["audio"]["mode"], "encoded");
  EXPECT_NE(j["audio"]["reason"].get<std::string>().find("re-encoded to AAC-LC"), std::string::npos)
      << j["audio"]["reason"];
  EXPECT_EQ(j["audio"]["source_codec"], GetParam().codec == std::string("libopus") ? "opus" : GetParam().codec);
  auto probe = ffprobe(dir / "out.mp4");
  auto v = stream_of(probe, "video"), a = stream_of(probe, "audio");
  EXPECT_EQ(a["codec_name"], "aac");
  EXPECT_EQ(a["profile"], "LC");
  EXPECT_NEAR(num(a, "duration"), num(v, "duration"), 0.001);
  // Matroska may put the first video frame a few ms after zero: the range counts from that frame.
  double beep = first_beep(audio_samples(dir / "out.mp4")), flash = first_flash(frame_lumas(dir / "out.mp4"), 24);
  EXPECT_NEAR(beep, 1.0, 0.01);
  EXPECT_LE(std::abs(flash - beep), kFrame24) << "flash at " << flash << " s, beep at " << beep << " s";
}

INSTANTIATE_TEST_SUITE_P(Codecs, RemuxSourceCodec,
                         ::testing::Values(CodecCase{"pcm_s16le", "mov"}, CodecCase{"ac3", "mkv"},
                                           CodecCase{"libopus", "mkv"}, CodecCase{"mp2", "mkv"}),
                         [](const auto& info) { return std::string(info.param.ext) + "_" + info.param.codec; });

TEST(Remux, ShortRangeIsPaddedWithSilenceNeverShorteningTheVideo) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(5, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 1.0, 60);  // 2.5 s of video for a 2 s range
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        "1", "--end", "3", "-o", (dir / "out.mp4").string()}));
  // The source's packets end on the packet edge nearest 2.0 s (at most half a frame away), then
  // encoded silence.
  EXPECT_EQ(j["audio"]["mode"], "copied") << j["audio"]["reason"];
  EXPECT_NE(j["audio"]["reason"].get<std::string>().find("silence"), std::string::npos) << j["audio"]["reason"];
  EXPECT_NEAR(j["audio"]["padded"].get<double>(), 0.5, 512 / 48000.0 + 1e-9);
  EXPECT_NEAR(j["duration_difference"].get<double>(), 0.5, 0.001);
  auto probe = ffprobe(dir / "out.mp4");
  EXPECT_EQ(stream_of(probe, "video")["nb_frames"], "60");
  EXPECT_EQ(stream_of(probe, "audio")["duration_ts"], 2.5 * 48000);
  auto s = audio_samples(dir / "out.mp4");
  EXPECT_GE(s.size(), 2.5 * 48000);
  EXPECT_GT(rms(s, 0.1, 1.98), 0.1);   // the source's 0.2-amplitude tone
  EXPECT_LT(rms(s, 2.05, 2.5), 0.01);  // silence after the range
  // The source's packets from the pre-roll on are the output's first ones, bit for bit.
  auto source = packet_hashes(dir / "src.mp4", "a:0"), out = packet_hashes(dir / "out.mp4", "a:0");
  auto packets = audio_packets(dir / "src.mp4");
  size_t k = 0;
  while (k < packets.size() && packets[k].pts + packets[k].duration <= 48000) ++k;
  ASSERT_GT(k, 0u);
  // Where the silence starts, in source samples: the range's start plus what is not padding.
  const int64_t edge = 48000 + std::llround((2.5 - j["audio"]["padded"].get<double>()) * 48000);
  const auto copied = static_cast<size_t>((edge - packets[k - 1].pts) / 1024);
  ASSERT_GT(out.size(), copied);
  EXPECT_EQ(std::vector<std::string>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(copied)),
            std::vector<std::string>(source.begin() + static_cast<std::ptrdiff_t>(k - 1),
                                     source.begin() + static_cast<std::ptrdiff_t>(k - 1 + copied)));
}

TEST(Remux, SourceAudioStartingLateIsPaddedAtTheFront) {
  auto dir = scratch_dir();
  SynthAudio late;
  late.start = 0.5;
  synthesize((dir / "src.mp4").string(), marked_source(4, {}, late));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0, 48);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        "0", "--end", "2", "-o", (dir / "out.mp4").string()}));
  // The source's first AAC packet (encoder priming) sits ~1 packet before 0.5 s on its timeline.
  EXPECT_EQ(j["audio"]["mode"], "encoded");
  EXPECT_NE(j["audio"]["reason"].get<std::string>().find("silence in front"), std::string::npos);
  EXPECT_NEAR(j["audio"]["padded"].get<double>(), 0.5, 0.025);
  auto s = audio_samples(dir / "out.mp4");
  EXPECT_LT(rms(s, 0.0, 0.45), 0.01);
  EXPECT_GT(rms(s, 0.55, 1.9), 0.1);
  EXPECT_NEAR(num(stream_of(ffprobe(dir / "out.mp4"), "audio"), "duration"), 2.0, 0.001);
}

TEST(Remux, LongRangeIsTrimmedToTheVideo) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(5, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 1.0, 48);  // 2 s of video for a 2.5 s range
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        "1", "--end", "3.5", "-o", (dir / "out.mp4").string()}));
  EXPECT_EQ(j["audio"]["mode"], "copied");
  EXPECT_NEAR(j["audio"]["trimmed"].get<double>(), 0.5, 0.001);
  EXPECT_NEAR(j["audio"]["padded"].get<double>(), 0.0, 0.001);
  auto probe = ffprobe(dir / "out.mp4");
  EXPECT_EQ(stream_of(probe, "video")["nb_frames"], "48");
  EXPECT_NEAR(num(stream_of(probe, "audio"), "duration"), 2.0, 0.001);
}

TEST(Remux, KeepEditAudioAddsASecondNonDefaultTrack) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(4, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0.5, 48);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--start",
                        "0.5", "--keep-edit-audio", "-o", (dir / "out.mp4").string()}));
  EXPECT_TRUE(j["edit_audio_kept"].get<bool>());
  auto probe = ffprobe(dir / "out.mp4");
  auto first = nth_stream(probe, "audio", 0), second = nth_stream(probe, "audio", 1);
  ASSERT_FALSE(second.is_null());
  EXPECT_EQ(first["disposition"]["default"], 1);
  EXPECT_EQ(second["disposition"]["default"], 0);
  EXPECT_EQ(nth_stream(probe, "audio", 2), json{});
}

TEST(Remux, IndexComesBeforeTheMediaData) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(3, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0, 48);
  parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "-o",
               (dir / "out.mp4").string()}));
  auto atoms = top_level_atoms(dir / "out.mp4");
  auto moov = std::find(atoms.begin(), atoms.end(), "moov"), mdat = std::find(atoms.begin(), atoms.end(), "mdat");
  ASSERT_NE(moov, atoms.end());
  ASSERT_NE(mdat, atoms.end());
  EXPECT_LT(moov - atoms.begin(), mdat - atoms.begin());
}

TEST(Remux, EditedFileWithoutVideoIsRejected) {
  auto dir = scratch_dir();
  SynthSpec audio_only = marked_source(2, {});
  audio_only.video = false;
  synthesize((dir / "audio.m4a").string(), audio_only);
  synthesize((dir / "src.mp4").string(), marked_source(3, {}));
  auto r = remux({"--video", (dir / "audio.m4a").string(), "--audio", (dir / "src.mp4").string(), "-o",
                  (dir / "out.mp4").string()});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("audio.m4a"), std::string::npos);
  EXPECT_NE(r.err.find("no video"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out.mp4"));
  EXPECT_TRUE(no_leftovers(dir));
}

TEST(Remux, SourceWithoutAudioWritesVideoOnlyUnlessAudioIsRequired) {
  auto dir = scratch_dir();
  SynthSpec silent = marked_source(3, {});
  silent.audio.clear();
  synthesize((dir / "src.mp4").string(), silent);
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0, 48, false);
  auto j = parse(remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "-o",
                        (dir / "out.mp4").string()}));
  EXPECT_EQ(j["audio"]["mode"], "none");
  EXPECT_FALSE(j["notices"].empty());
  auto probe = ffprobe(dir / "out.mp4");
  EXPECT_TRUE(stream_of(probe, "audio").is_null());
  EXPECT_EQ(stream_of(probe, "video")["nb_frames"], "48");

  auto r = remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--require-audio",
                  "-o", (dir / "strict.mp4").string()});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_NE(r.err.find("no audio"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "strict.mp4"));
  EXPECT_TRUE(no_leftovers(dir));
}

TEST(Remux, MismatchedRangesAreUsageErrors) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(3, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0, 48);
  auto base = std::vector<std::string>{"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(),
                                       "-o", (dir / "out.mp4").string()};
  auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return remux(args);
  };
  auto beyond = with({"--start", "7"});
  EXPECT_EQ(beyond.exit_code, 2);
  EXPECT_NE(beyond.err.find("beyond the source"), std::string::npos);
  EXPECT_EQ(with({"--start", "1", "--end", "0.5"}).exit_code, 2);
  EXPECT_EQ(with({"--start", "0", "--end", "9"}).exit_code, 2);  // past the source's end
  auto far = with({"--start", "0", "--end", "0.2"});  // a 2 s clip cannot be a 0.2 s range
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("does not belong"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out.mp4"));
  EXPECT_TRUE(no_leftovers(dir));
}

TEST(Remux, MissingAndUnwritableFilesHaveTheirOwnExitCodes) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(3, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0, 48);
  auto missing = remux({"--video", (dir / "nope.mp4").string(), "--audio", (dir / "src.mp4").string(), "-o",
                        (dir / "out.mp4").string()});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("nope.mp4"), std::string::npos);
  auto unwritable = remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "-o",
                           (dir / "no-such-dir" / "out.mp4").string()});
  EXPECT_EQ(unwritable.exit_code, 7);
  EXPECT_TRUE(no_leftovers(dir));
}

}  // namespace
}  // namespace omnicut::test

namespace omnicut::test {
namespace {

// Mean luma of the leftmost and rightmost 8 columns of the first frame.
std::pair<double, double> edge_lumas(const fs::path& file) {
  auto edge = [&](const std::string& x) {
    auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-frames:v", "1", "-vf",
                                    "crop=8:ih:" + x + ":0,scale=1:1:flags=area", "-pix_fmt", "gray", "-f", "rawvideo", "-"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.empty() ? -1.0 : static_cast<unsigned char>(r.out[0]) * 1.0;
  };
  return {edge("0"), edge("iw-8")};
}

TEST(RemuxRestore, PaddingIsCroppedAwayAndTheSourceSizeComesBack) {
  auto dir = scratch_dir();
  SynthSpec s = marked_source(4, {2.0});
  s.width = 640, s.height = 480;  // 4:3: prep pillarboxes it into 1280x720
  synthesize((dir / "src.mp4").string(), s);
  auto prep = run_omnicut({"prep", (dir / "src.mp4").string(), "-o", (dir / "prepped.mp4").string(), "--start", "0.5",
                           "--end", "3.5", "--json"});
  ASSERT_EQ(prep.exit_code, 0) << prep.err;
  ASSERT_TRUE(fs::exists(dir / "prepped.mp4.prep.json"));
  auto padded = stream_of(ffprobe(dir / "prepped.mp4"), "video");
  ASSERT_EQ(padded["width"], 1280);
  EXPECT_LT(edge_lumas(dir / "prepped.mp4").first, 20);  // the pillarbox

  auto j = parse(remux({"--video", (dir / "prepped.mp4").string(), "--audio", (dir / "src.mp4").string(),
                        "--sidecar", (dir / "prepped.mp4.prep.json").string(), "--restore", "-o",
                        (dir / "out.mp4").string()}));
  EXPECT_EQ(j["restore"]["width"], 640);
  EXPECT_NEAR(j["range"]["start"].get<double>(), 0.5, 1e-6);  // from the sidecar
  auto v = stream_of(ffprobe(dir / "out.mp4"), "video");
  EXPECT_EQ(v["width"], 640);
  EXPECT_EQ(v["height"], 480);
  auto [left, right] = edge_lumas(dir / "out.mp4");
  EXPECT_GT(left, 40) << "black bars left in the restored picture";
  EXPECT_GT(right, 40);
  double flash = first_flash(frame_lumas(dir / "out.mp4"), 25), beep = first_beep(audio_samples(dir / "out.mp4"));
  EXPECT_LE(std::abs(flash - beep), 1 / 25.0);

  auto capped = parse(remux({"--video", (dir / "prepped.mp4").string(), "--audio", (dir / "src.mp4").string(),
                             "--sidecar", (dir / "prepped.mp4").string(), "--restore", "--max-height", "240", "-o",
                             (dir / "small.mp4").string()}));
  auto sv = stream_of(ffprobe(dir / "small.mp4"), "video");
  EXPECT_EQ(sv["width"], 320);
  EXPECT_EQ(sv["height"], 240);
}

TEST(RemuxRestore, RotatedSourceComesBackUpright) {
  auto dir = scratch_dir();
  SynthSpec s = marked_source(4, {});
  s.width = 640, s.height = 360, s.rotation = 90;  // shown as 360x640
  synthesize((dir / "src.mp4").string(), s);
  ASSERT_EQ(run_omnicut({"prep", (dir / "src.mp4").string(), "-o", (dir / "prepped.mp4").string(), "--json"}).exit_code, 0);
  parse(remux({"--video", (dir / "prepped.mp4").string(), "--audio", (dir / "src.mp4").string(), "--sidecar",
               (dir / "prepped.mp4.prep.json").string(), "--restore", "-o", (dir / "out.mp4").string()}));
  auto v = stream_of(ffprobe(dir / "out.mp4"), "video");
  EXPECT_EQ(v["width"], 360);
  EXPECT_EQ(v["height"], 640);
  EXPECT_FALSE(v.contains("side_data_list")) << "a display matrix was left on the upright picture";
}

TEST(RemuxRestore, NeedsASidecar) {
  auto dir = scratch_dir();
  synthesize((dir / "src.mp4").string(), marked_source(3, {}));
  edit_stand_in(dir / "src.mp4", dir / "edit.mp4", 0, 48);
  auto r = remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--restore", "-o",
                  (dir / "out.mp4").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--sidecar"), std::string::npos);
  auto missing = remux({"--video", (dir / "edit.mp4").string(), "--audio", (dir / "src.mp4").string(), "--sidecar",
                        (dir / "none.prep.json").string(), "--restore", "-o", (dir / "out.mp4").string()});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_FALSE(fs::exists(dir / "out.mp4"));
  EXPECT_TRUE(no_leftovers(dir));
}

}  // namespace
}  // namespace omnicut::test
