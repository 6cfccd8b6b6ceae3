// Measuring an output file the way a test needs to: its top-level MP4 atoms, its decoded frames'
// timing and side data (ffprobe -show_frames), its pictures and samples decoded by the ffmpeg
// CLI (an independent decoder, so tests do not grade omnicut with omnicut's own code).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/test_support.h"

namespace omnicut::test {

// The file's top-level box types in order, e.g. {"ftyp", "moov", "mdat"}.
std::vector<std::string> top_level_atoms(const fs::path& mp4);

// `ffprobe -show_frames` for one stream ("v:0", "a:0"): the "frames" array.
nlohmann::json probe_frames(const fs::path& file, const std::string& stream);
// `ffprobe -show_packets` for one stream: the "packets" array.
nlohmann::json probe_packets(const fs::path& file, const std::string& stream);

// Every decoded picture as 8-bit 4:2:0 planes (Y then U then V), `width` x `height`.
struct Picture {
  int width = 0, height = 0;
  std::vector<uint8_t> y, u, v;
  double mean_y() const;
  // Mean of a rectangle of the U or V plane, in plane coordinates.
  double mean(const std::vector<uint8_t>& plane, int x0, int y0, int x1, int y1) const;
};
std::vector<Picture> decode_pictures(const fs::path& file, int width, int height, int max_frames = 0);

// The first audio stream decoded to mono float at 48 kHz.
std::vector<float> decode_audio(const fs::path& file);
// Index of the first sample whose magnitude exceeds `threshold`, or -1.
int64_t first_loud_sample(const std::vector<float>& samples, float threshold, int64_t from = 0);

// A stream's first presentation and the end of its last packet (pts + duration), seconds on the
// container's clock, from ffprobe's packets.
struct PacketSpan {
  double start = 0, end = 0;
  double length() const { return end - start; }
};
PacketSpan packet_span(const fs::path& file, const std::string& stream);

// When the first flash (a picture whose centre has mean luma over 200) shows, seconds by ffprobe's frame
// times; -1 when none does. `width` x `height` is the picture size to decode at.
double flash_time(const fs::path& file, int width, int height);

// When each flash begins (the first frame of each run of frames whose centre has mean luma over
// 200), seconds by ffprobe's frame times; decoded at 64x36.
std::vector<double> flash_times(const fs::path& file);
// When each beep begins in the first audio stream (a loud sample after at least 0.1 s of quiet), seconds.
std::vector<double> beep_times(const fs::path& file);

// `ffmpeg -c copy -f framemd5`: one "size,md5" string per packet of the stream.
std::vector<std::string> packet_hashes(const fs::path& file, const std::string& stream);

std::string file_md5(const fs::path& file);

// The first stream of `type` ("video", "audio") in ffprobe's JSON, or null.
const nlohmann::json& stream_of(const nlohmann::json& probe, const std::string& type);
// A number from ffprobe JSON (which writes many as strings); NaN when absent.
double num(const nlohmann::json& j, const char* key);
// The properties every prep output must have, whatever the source: moov before mdat, H.264
// `width` x `height` yuv420p, limited range, BT.709 tags, square pixels, no display matrix,
// first frame at 0 and every frame lasting the same.
void expect_endpoint_ready(const fs::path& out, int width, int height);

}  // namespace omnicut::test
