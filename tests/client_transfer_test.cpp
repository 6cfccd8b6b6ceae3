// Storage upload (single PUT and multipart) and resumable download against the emulator:
// bytes on the server equal the file's, faults are survived, nothing partial is left behind.
#include <chrono>

#include <gtest/gtest.h>

#include "client/download.h"
#include "client/fal_urls.h"
#include "client/storage.h"
#include "common/error.h"
#include "tests/client_fixture.h"

namespace omnicut::test {
namespace {

using client::download_file;
using client::RemoteFile;
using client::upload_file;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Downloads what the server stored at `url` and compares it with `original`.
void expect_server_holds(const client::Fal& fal, const std::string& url, const fs::path& original) {
  fs::path back = original.parent_path() / ("back-" + original.filename().string());
  auto got = download_file(fal, RemoteFile{url, "", "", std::nullopt}, back);
  EXPECT_EQ(got.size, fs::file_size(original));
  EXPECT_TRUE(same_bytes(original, back)) << url;
  fs::remove(back);
}

TEST(ClientUpload, SinglePutStoresTheExactBytesAndNamesTheType) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  auto file = make_file(dir / "clip.mp4", 3'000'001);
  std::vector<uint64_t> progress;
  client::UploadOptions options;
  options.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, 3'000'001u);
    progress.push_back(done);
  };
  auto up = upload_file(fal, file, options);
  EXPECT_EQ(up.parts, 0);
  EXPECT_EQ(up.size, 3'000'001u);
  EXPECT_EQ(up.content_type, "video/mp4");
  EXPECT_EQ(client::url_origin(up.file_url), env.emu.url());
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_EQ(progress.back(), 3'000'001u);
  EXPECT_EQ(env.emu.stats().uploads, 1);
  expect_server_holds(fal, up.file_url, file);
}

TEST(ClientUpload, ConnectionDroppedMidUploadIsRetriedWhole) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.drop_upload = true;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto file = make_file(dir / "clip.mov", 6'000'000, 2);
  auto up = upload_file(fal, file);
  EXPECT_EQ(up.content_type, "video/quicktime");
  EXPECT_EQ(env.emu.stats().uploads, 1);
  expect_server_holds(fal, up.file_url, file);
}

TEST(ClientUpload, RateLimitWaitsForRetryAfter) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.rate_limit = 1;  // the initiate call answers 429 with Retry-After: 1
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto file = make_file(dir / "a.mp4", 1000);
  auto started = std::chrono::steady_clock::now();
  auto up = upload_file(fal, file);
  EXPECT_GE(seconds_since(started), 0.95) << "Retry-After: 1 was not honoured";
  expect_server_holds(fal, up.file_url, file);
}

TEST(ClientUpload, MultipartOf200MBKeepsMemoryFlatAndBytesExact) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  const uint64_t size = 200ull * 1000 * 1000;
  auto file = make_file(dir / "big.mp4", size, 3);
  long rss_before = peak_rss_kib();
  uint64_t last = 0;
  bool monotonic = true;
  client::UploadOptions options;
  options.progress = [&](uint64_t done, uint64_t) {
    monotonic = monotonic && done >= last;
    last = done;
  };
  auto up = upload_file(fal, file, options);
  long rss_growth_mib = (peak_rss_kib() - rss_before) / 1024;
  EXPECT_EQ(up.parts, 20);  // 200 MB in 10 MiB parts
  EXPECT_TRUE(monotonic);
  EXPECT_EQ(last, size);
  // The emulator runs in this process too; both stream, so neither holds the file in memory.
  EXPECT_LT(rss_growth_mib, 64) << "peak RSS grew by " << rss_growth_mib << " MiB during a 200 MB upload";
  expect_server_holds(fal, up.file_url, file);
}

TEST(ClientUpload, MultipartSurvivesADroppedPart) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.drop_upload = true;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto file = make_file(dir / "parts.bin", 23ull << 20, 4);
  client::UploadOptions options;
  options.multipart_threshold = 8ull << 20;  // multipart without a 90 MB fixture
  auto up = upload_file(fal, file, options);
  EXPECT_EQ(up.parts, 3);
  EXPECT_EQ(up.content_type, "application/octet-stream");
  expect_server_holds(fal, up.file_url, file);
}

TEST(ClientUpload, MissingFileIsNotFoundAndSendsNothing) {
  auto dir = scratch_dir();
  EmulatedFal env;
  try {
    upload_file(env.fal(), dir / "absent.mp4");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  EXPECT_EQ(env.emu.stats().uploads, 0);
}

TEST(ClientDownload, DroppedConnectionResumesWithRangeAndBytesMatch) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.drop_download = true;
  EmulatedFal env(faults);
  auto fal = env.fal();
  auto file = make_file(dir / "src.mp4", 12'345'678, 5);
  auto up = upload_file(fal, file);
  fs::path dest = dir / "out" / "result.mp4";
  fs::create_directories(dest.parent_path());
  auto got = download_file(fal, RemoteFile{up.file_url, "video/mp4", "result.mp4", up.size}, dest);
  EXPECT_EQ(got.resumes, 1);
  // A 206 to "Range: bytes=N-" let it keep the first N bytes: the emulator cut at half.
  EXPECT_GT(got.resumed_bytes, 0u);
  EXPECT_LT(got.resumed_bytes, up.size);
  EXPECT_TRUE(same_bytes(file, dest));
  // Only the finished file is left: no temporary beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dest.parent_path()), fs::directory_iterator()), 1);
}

TEST(ClientDownload, SizeMismatchLeavesNoFile) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto fal = env.fal();
  auto file = make_file(dir / "src.mp4", 100'000, 6);
  auto up = upload_file(fal, file);
  fs::create_directories(dir / "out");
  try {
    download_file(fal, RemoteFile{up.file_url, "", "", up.size + 1}, dir / "out" / "x.mp4");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::remote);
    EXPECT_NE(std::string(e.what()).find("size mismatch"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir / "out"));
}

TEST(ClientDownload, OnlyHttpUrlsAreFollowed) {
  auto dir = scratch_dir();
  EmulatedFal env;
  for (std::string url : {"file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://a/b", "/etc/passwd", "http//x"}) {
    try {
      download_file(env.fal(), RemoteFile{url, "", "", std::nullopt}, dir / "x.bin");
      ADD_FAILURE() << url << " was followed";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::remote) << url;
    }
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(ClientDownload, MissingFileIsOneClearError) {
  auto dir = scratch_dir();
  EmulatedFal env;
  try {
    download_file(env.fal(), RemoteFile{env.emu.url() + "/files/0123456789abcdef/x.mp4", "", "", std::nullopt},
                  dir / "x.mp4");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::remote);
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(ClientDownload, ServerFileNamesNeverBecomePaths) {
  using client::safe_file_name;
  EXPECT_EQ(safe_file_name("../../etc/passwd", "x"), "passwd");
  EXPECT_EQ(safe_file_name("..", "fallback.mp4"), "fallback.mp4");
  EXPECT_EQ(safe_file_name("/abs/olute.mp4", "x"), "olute.mp4");
  EXPECT_EQ(safe_file_name("a\\b\\c.mp4", "x"), "c.mp4");
  EXPECT_EQ(safe_file_name(".hidden", "x"), "hidden");
  EXPECT_EQ(safe_file_name("bad\nname\x01.mp4", "x"), "badname.mp4");
  EXPECT_EQ(safe_file_name("", "x.mp4"), "x.mp4");
  EXPECT_EQ(safe_file_name("edited.mp4", "x"), "edited.mp4");
}

}  // namespace
}  // namespace omnicut::test
