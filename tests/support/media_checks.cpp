#include "tests/support/media_checks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace omnicut::test {

std::vector<std::string> top_level_atoms(const fs::path& mp4) {
  std::ifstream in(mp4, std::ios::binary);
  std::vector<std::string> atoms;
  uint64_t size = fs::file_size(mp4), pos = 0;
  while (pos + 8 <= size) {
    unsigned char h[16];
    in.seekg(static_cast<std::streamoff>(pos));
    in.read(reinterpret_cast<char*>(h), 8);
    uint64_t len = (uint64_t{h[0]} << 24) | (h[1] << 16) | (h[2] << 8) | h[3];
    atoms.emplace_back(reinterpret_cast<char*>(h + 4), 4);
    if (len == 1) {
      in.read(reinterpret_cast<char*>(h + 8), 8);
      len = 0;
      for (int i = 8; i < 16; ++i) len = (len << 8) | h[i];
    } else if (len == 0) {
      len = size - pos;
    }
    if (len < 8) break;
    pos += len;
  }
  return atoms;
}

namespace {

nlohmann::json probe_section(const fs::path& file, const std::string& stream, const std::string& what) {
  auto r = run_program("ffprobe", {"-v", "error", "-select_streams", stream, "-show_" + what, "-of", "json",
                                   file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return nlohmann::json::array();
  auto j = nlohmann::json::parse(r.out);
  return j.value(what, nlohmann::json::array());
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path temp_name(const std::string& suffix) {
  static int n = 0;
  return fs::path(OMNICUT_TEST_TMP) / ("checks-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + suffix);
}

}  // namespace

nlohmann::json probe_frames(const fs::path& file, const std::string& stream) {
  return probe_section(file, stream, "frames");
}

nlohmann::json probe_packets(const fs::path& file, const std::string& stream) {
  return probe_section(file, stream, "packets");
}

double Picture::mean_y() const {
  double sum = 0;
  for (auto v : y) sum += v;
  return y.empty() ? 0 : sum / y.size();
}

double Picture::mean(const std::vector<uint8_t>& plane, int x0, int y0, int x1, int y1) const {
  int stride = plane.size() == y.size() ? width : (width + 1) / 2;
  double sum = 0;
  int n = 0;
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx, ++n) sum += plane[static_cast<size_t>(yy) * stride + xx];
  return n ? sum / n : 0;
}

std::vector<Picture> decode_pictures(const fs::path& file, int width, int height, int max_frames) {
  fs::path raw = temp_name(".yuv");
  std::vector<std::string> args{"-v", "error", "-i", file.string(), "-map", "0:v:0"};
  if (max_frames > 0) args.insert(args.end(), {"-frames:v", std::to_string(max_frames)});
  args.insert(args.end(), {"-f", "rawvideo", "-pix_fmt", "yuv420p", "-y", raw.string()});
  auto r = run_program("ffmpeg", args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string data = read_all(raw);
  fs::remove(raw);
  const size_t luma = static_cast<size_t>(width) * height;
  const size_t chroma = static_cast<size_t>((width + 1) / 2) * ((height + 1) / 2);
  std::vector<Picture> pictures;
  for (size_t pos = 0; pos + luma + 2 * chroma <= data.size(); pos += luma + 2 * chroma) {
    Picture p{width, height, {}, {}, {}};
    auto* d = reinterpret_cast<const uint8_t*>(data.data()) + pos;
    p.y.assign(d, d + luma);
    p.u.assign(d + luma, d + luma + chroma);
    p.v.assign(d + luma + chroma, d + luma + 2 * chroma);
    pictures.push_back(std::move(p));
  }
  return pictures;
}

std::vector<float> decode_audio(const fs::path& file) {
  fs::path raw = temp_name(".f32");
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:a:0", "-ac", "1", "-ar", "48000",
                                  "-f", "f32le", "-y", raw.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string data = read_all(raw);
  fs::remove(raw);
  std::vector<float> samples(data.size() / sizeof(float));
  std::memcpy(samples.data(), data.data(), samples.size() * sizeof(float));
  return samples;
}

int64_t first_loud_sample(const std::vector<float>& samples, float threshold, int64_t from) {
  for (size_t i = static_cast<size_t>(std::max<int64_t>(0, from)); i < samples.size(); ++i)
    if (samples[i] > threshold || samples[i] < -threshold) return static_cast<int64_t>(i);
  return -1;
}

PacketSpan packet_span(const fs::path& file, const std::string& stream) {
  PacketSpan span{std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest()};
  for (const auto& p : probe_packets(file, stream)) {
    double t = num(p, "pts_time"), d = num(p, "duration_time");
    if (std::isnan(t)) continue;
    span.start = std::min(span.start, t);
    span.end = std::max(span.end, t + (std::isnan(d) ? 0 : d));
  }
  return span;
}

double flash_time(const fs::path& file, int width, int height) {
  auto pictures = decode_pictures(file, width, height);
  auto frames = probe_frames(file, "v:0");
  for (size_t i = 0; i < pictures.size() && i < frames.size(); ++i)
    if (pictures[i].mean(pictures[i].y, width / 4, height / 4, width * 3 / 4, height * 3 / 4) > 200)  // inside any pad
      return num(frames[i], "best_effort_timestamp_time");
  return -1;
}

std::vector<double> flash_times(const fs::path& file) {
  constexpr int w = 64, h = 36;
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:v:0", "-vf",
                                  "scale=" + std::to_string(w) + ":" + std::to_string(h) + ",format=gray", "-f", "rawvideo", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto frames = probe_frames(file, "v:0");
  std::vector<double> times;
  bool in_flash = false;
  for (size_t i = 0; (i + 1) * w * h <= r.out.size() && i < frames.size(); ++i) {
    double sum = 0;  // the centre: inside any pad
    for (int y = h / 4; y < h * 3 / 4; ++y)
      for (int x = w / 4; x < w * 3 / 4; ++x) sum += static_cast<uint8_t>(r.out[i * w * h + y * w + x]);
    bool flash = sum / (w / 2 * (h / 2)) > 200;
    if (flash && !in_flash) times.push_back(num(frames[i], "best_effort_timestamp_time"));
    in_flash = flash;
  }
  return times;
}

std::vector<double> beep_times(const fs::path& file) {
  auto samples = decode_audio(file);
  std::vector<double> times;
  for (int64_t at = 0; (at = first_loud_sample(samples, 0.25f, at)) >= 0;) {
    times.push_back(at / 48000.0);
    int64_t quiet = 0;  // the beep ends after 0.1 s below the threshold
    for (; at < static_cast<int64_t>(samples.size()) && quiet < 4800; ++at)
      quiet = std::fabs(samples[at]) > 0.25f ? 0 : quiet + 1;
  }
  return times;
}

std::vector<std::string> packet_hashes(const fs::path& file, const std::string& stream) {
  auto r = run_program("ffmpeg", {"-v", "error", "-i", file.string(), "-map", "0:" + stream, "-c", "copy", "-f",
                                  "framemd5", "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> hashes;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    // stream, dts, pts, duration, size, hash
    std::vector<std::string> cols;
    std::istringstream cs(line);
    for (std::string c; std::getline(cs, c, ',');) cols.push_back(c.substr(c.find_first_not_of(' ')));
    if (cols.size() >= 6) hashes.push_back(cols[4] + "," + cols[5]);
  }
  return hashes;
}

std::string file_md5(const fs::path& file) {
  auto r = run_program("md5sum", {file.string()});
  return r.out.substr(0, 32);
}

const nlohmann::json& stream_of(const nlohmann::json& probe, const std::string& type) {
  for (const auto& s : probe["streams"])
    if (s["codec_type"] == type) return s;
  static const nlohmann::json none;
  return none;
}

double num(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return NAN;
  return j[key].is_string() ? std::stod(j[key].get<std::string>()) : j[key].get<double>();
}

// The properties every prep output must have, whatever the source.
void expect_endpoint_ready(const fs::path& out, int width, int height) {
  auto atoms = top_level_atoms(out);
  auto moov = std::find(atoms.begin(), atoms.end(), "moov"), mdat = std::find(atoms.begin(), atoms.end(), "mdat");
  ASSERT_NE(moov, atoms.end());
  ASSERT_NE(mdat, atoms.end());
  EXPECT_LT(moov - atoms.begin(), mdat - atoms.begin()) << "moov must come before mdat";
  auto probe = ffprobe(out);
  const auto& v = stream_of(probe, "video");
  ASSERT_FALSE(v.is_null());
  EXPECT_EQ(v["codec_name"], "h264");
  EXPECT_EQ(v["width"], width);
  EXPECT_EQ(v["height"], height);
  EXPECT_EQ(v["pix_fmt"], "yuv420p");
  EXPECT_EQ(v.value("color_range", ""), "tv");
  EXPECT_EQ(v.value("color_space", ""), "bt709");
  EXPECT_EQ(v.value("color_primaries", ""), "bt709");
  EXPECT_EQ(v.value("color_transfer", ""), "bt709");
  EXPECT_FALSE(v.contains("side_data_list")) << v.dump();
  EXPECT_EQ(v.value("sample_aspect_ratio", "1:1"), "1:1");
  auto frames = probe_frames(out, "v:0");
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0]["width"], width);
  EXPECT_EQ(frames[0]["height"], height);
  double first = num(frames[0], "pts_time"), step = num(frames[0], "pkt_duration_time");
  EXPECT_NEAR(first, 0.0, 1e-6);
  for (size_t i = 1; i < frames.size(); ++i) {
    EXPECT_NEAR(num(frames[i], "pts_time") - num(frames[i - 1], "pts_time"), step, 1e-4) << "frame " << i;
    EXPECT_FALSE(frames[i].contains("side_data_list"));
  }
}

}  // namespace omnicut::test
