// `omnicut upload` and `omnicut download` as a user runs them, against the in-process emulator:
// JSON fields, exit codes, the key never leaving the Authorization header, resumed downloads.
#include <gtest/gtest.h>

#include "client/fal_urls.h"
#include "tests/client_fixture.h"

namespace omnicut::test {
namespace {

const std::string kKey = "sk-cli-test-3b9e41f0a7";

std::vector<std::string> key_env() { return {"FAL_KEY=" + kKey, "FAL_KEY_ID=", "FAL_KEY_SECRET=", "OMNICUT_FAL_URL="}; }

TEST(ClientCli, UploadPrintsTheUrlAsJson) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto file = make_file(dir / "clip.mp4", 2'000'000);
  auto r = run_omnicut({"upload", file.string(), "--json", "--fal-url", env.emu.url()}, key_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["file"], file.string());
  EXPECT_EQ(j["size"], 2'000'000);
  EXPECT_EQ(j["content_type"], "video/mp4");
  std::string url = j["url"];
  EXPECT_EQ(client::url_origin(url), env.emu.url());
  // The URL really serves the bytes: fetch it back with the download command.
  auto back = run_omnicut({"download", url, "-o", (dir / "back.mp4").string(), "--json"}, key_env());
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_TRUE(same_bytes(file, dir / "back.mp4"));
  EXPECT_EQ(env.emu.stats().uploads, 1);
}

TEST(ClientCli, OmnicutFalUrlEnvPointsAtTheEmulator) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto file = make_file(dir / "a.webm", 1000);
  auto r = run_omnicut({"upload", file.string()}, {"FAL_KEY=" + kKey, "OMNICUT_FAL_URL=" + env.emu.url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["content_type"], "video/webm");
  EXPECT_EQ(env.emu.stats().uploads, 1);
}

TEST(ClientCli, NoKeyIsExit9InOneLineNamingFalKey) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto file = make_file(dir / "a.mp4", 1000);
  auto r = run_omnicut({"upload", file.string(), "--fal-url", env.emu.url()},
                       {"FAL_KEY=", "FAL_KEY_ID=", "FAL_KEY_SECRET="});
  EXPECT_EQ(r.exit_code, 9);
  EXPECT_NE(r.err.find("FAL_KEY"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(env.emu.stats().uploads, 0);
}

TEST(ClientCli, KeyIdAndSecretWorkAndStayHidden) {
  auto dir = scratch_dir();
  EmulatedFal env;
  auto file = make_file(dir / "a.mp4", 1000);
  auto r = run_omnicut({"-v", "upload", file.string(), "--fal-url", env.emu.url()},
                       {"FAL_KEY=", "FAL_KEY_ID=id-4c1f9e", "FAL_KEY_SECRET=secret-77aa10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("id-4c1f9e"), std::string::npos);
  EXPECT_EQ(r.err.find("secret-77aa10"), std::string::npos);
  EXPECT_NE(r.err.find("Authorization: Key ***"), std::string::npos) << r.err;
}

TEST(ClientCli, KeyNeverAppearsInOutputOrFilesEvenVerbose) {
  auto dir = scratch_dir();
  EmulatedFal env({}, (dir / "emulator").string());
  auto file = make_file(dir / "clip.mp4", 500'000);
  auto up = run_omnicut({"-v", "upload", file.string(), "--json", "--fal-url", env.emu.url()}, key_env());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  std::string url = nlohmann::json::parse(up.out)["url"];
  auto down = run_omnicut({"-v", "download", url, "-o", (dir / "back.mp4").string()}, key_env());
  ASSERT_EQ(down.exit_code, 0) << down.err;
  // A failing call too: its error text passes through the same redaction.
  auto bad = run_omnicut({"-v", "upload", (dir / "absent.mp4").string(), "--fal-url", env.emu.url()}, key_env());
  EXPECT_EQ(bad.exit_code, 3);
  for (const auto* r : {&up, &down, &bad}) {
    EXPECT_EQ(r->out.find(kKey), std::string::npos);
    EXPECT_EQ(r->err.find(kKey), std::string::npos);
  }
  // Verbose was on and showed the header, with the key replaced.
  EXPECT_NE(up.err.find("Authorization: Key ***"), std::string::npos) << up.err;
  EXPECT_FALSE(any_file_contains(dir, kKey)) << "the key was written to a file under " << dir;
}

TEST(ClientCli, DownloadResumesAfterADroppedConnection) {
  auto dir = scratch_dir();
  emulator::Faults faults;
  faults.drop_download = true;
  EmulatedFal env(faults);
  auto file = make_file(dir / "big.mp4", 20'000'000, 9);
  auto up = run_omnicut({"upload", file.string(), "--json", "--fal-url", env.emu.url()}, key_env());
  ASSERT_EQ(up.exit_code, 0) << up.err;
  std::string url = nlohmann::json::parse(up.out)["url"];
  auto down = run_omnicut({"download", url, "-o", (dir / "back.mp4").string(), "--json"}, {});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(nlohmann::json::parse(down.out)["resumes"], 1);
  EXPECT_TRUE(same_bytes(file, dir / "back.mp4"));
}

TEST(ClientCli, DownloadRefusesOtherSchemesAndKeepsExistingFiles) {
  auto dir = scratch_dir();
  auto r = run_omnicut({"download", "file:///etc/passwd", "-o", (dir / "p").string()}, {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir / "p"));
}

}  // namespace
}  // namespace omnicut::test
