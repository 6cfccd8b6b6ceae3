// Against real fal, only when FAL_KEY is set (skipped otherwise): upload a tiny generated clip
// through the same client code and check fal hands back a public https URL. Costs nothing: no
// model is called.
#include <cstdlib>

#include <gtest/gtest.h>

#include "client/fal.h"
#include "client/storage.h"
#include "codecs/testing/synth.h"
#include "tests/support/test_support.h"

namespace omnicut::test {
namespace {

TEST(FalRealSmoke, UploadsATinyClipAndGetsAnHttpsUrl) {
  const char* key = std::getenv("FAL_KEY");
  if (!key || !*key) GTEST_SKIP() << "FAL_KEY is not set: skipping the check against real fal";
  auto dir = scratch_dir();
  SynthSpec spec;
  spec.duration = 0.5;
  spec.width = 160;
  spec.height = 120;
  auto clip = (dir / "tiny.mp4").string();
  synthesize(clip, spec);
  // Real fal's hosts, whatever OMNICUT_FAL_URL says.
  client::Fal fal{client::FalUrls{}, client::Http(client::Credentials(key), client::HttpOptions{})};
  auto up = client::upload_file(fal, clip);
  EXPECT_EQ(up.file_url.rfind("https://", 0), 0u) << up.file_url;
  EXPECT_EQ(up.content_type, "video/mp4");
  EXPECT_EQ(up.size, fs::file_size(clip));
}

}  // namespace
}  // namespace omnicut::test
