// The HTML reports (`edit` writes OUT.report.html and OUTDIR/report.html; `omnicut report`
// makes them again from the ledgers), opened in headless Chromium: a screenshot is made, the
// console stays quiet, every picture and video the page refers to is there, the prompts and the
// costs are on the page, and a prompt holding HTML is shown as text.
#include <fstream>

#include <gtest/gtest.h>

#include "codecs/testing/synth.h"
#include "emulator/emulator.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/support/format.h"
#include "tests/support/browser.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/synth_clips.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::Emu;
using test::run_omnicut;

const std::vector<std::string> kEnv = {"FAL_KEY=report-test-key-1a2b3c4d5e"};
const std::string kHostile = "Make it <script>alert(\"x\")</script> & 'anime'.";

void make_clip(const fs::path& path) { test::beep_clip(path, 3.0, 320, 180, 1.0); }

std::vector<std::string> with_emulator(std::vector<std::string> args, const Emu& e) {
  args.insert(args.end(), {"--fal-url", e.emu.url(), "--yes", "--poll-interval", "0.05", "--json"});
  return args;
}

// What every page must be in the browser: drawn, quiet, and whole.
void expect_sound_page(const fs::path& page) {
  auto browser = test::chromium();
  ASSERT_TRUE(browser);
  auto view = test::open_in_browser(*browser, page, page.parent_path() / (page.filename().string() + ".png"));
  EXPECT_TRUE(view.screenshot_ok) << page;
  EXPECT_TRUE(view.console.empty()) << view.console.front();
  EXPECT_NE(view.dom.find("</body>"), std::string::npos);
  EXPECT_EQ(view.dom.find("<script"), std::string::npos) << "no script runs in a report";
  for (const auto& f : test::referenced_files(page)) {
    EXPECT_EQ(f.find("://"), std::string::npos) << "a report fetches nothing: " << f;
    EXPECT_TRUE(fs::is_regular_file(f)) << page << " refers to a missing " << f;
  }
}

class Report : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::chromium()) GTEST_SKIP() << "chromium is not installed (scripts/dev installs it)";
  }
};

TEST_F(Report, EditWritesASessionPageWithEveryTurnAndTheHostilePromptAsText) {
  auto dir = test::scratch_dir();
  make_clip(dir / "source.mp4");
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(with_emulator({"edit", (dir / "source.mp4").string(), "-o", out.string(), "-p", kHostile, "-p",
                                      "Make it night."}, e),
                       kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path page = dir / "out.mp4.report.html";
  ASSERT_TRUE(fs::exists(page));
  EXPECT_NE(r.out.find("\"report\":\"" + page.string() + "\""), std::string::npos);
  for (const char* pic : {"source", "turn1", "turn2", "final"})
    EXPECT_TRUE(fs::exists(dir / "out.mp4.report" / (std::string(pic) + "-poster.png"))) << pic;
  expect_sound_page(page);

  auto view = test::open_in_browser(*test::chromium(), page, dir / "shot.png");
  EXPECT_NE(view.dom.find("Make it &lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'anime'."), std::string::npos);
  EXPECT_NE(view.dom.find("Make it night."), std::string::npos);
  Session s = load_session(default_ledger_path(out.string()));
  for (const auto& t : s.turns) {
    EXPECT_NE(view.dom.find(t.request_id), std::string::npos);
    EXPECT_NE(view.dom.find(format_usd(*t.cost_usd)), std::string::npos) << *t.cost_usd;
  }
  EXPECT_NE(view.dom.find(format_usd(s.cost_usd())), std::string::npos);
  EXPECT_NE(view.dom.find("<svg"), std::string::npos);  // the plots

  // Made again later from the ledger alone: the turns' pictures survive their files.
  fs::remove(page);
  r = run_omnicut({"report", default_ledger_path(out.string())});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(test::read_text(page).find("turn1-poster.png"), std::string::npos);
  expect_sound_page(page);
}

TEST_F(Report, AFailedTurnIsShownWithItsError) {
  auto dir = test::scratch_dir();
  make_clip(dir / "source.mp4");
  emulator::Faults fail;
  fail.fail_job = true;
  Emu e(fail);
  auto out = dir / "out.mp4";
  auto r = run_omnicut(with_emulator({"edit", (dir / "source.mp4").string(), "-o", out.string(), "-p", "Make it sepia."}, e), kEnv);
  ASSERT_EQ(r.exit_code, 10) << r.err;
  r = run_omnicut({"report", default_ledger_path(out.string()), "-o", (dir / "failed.html").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Session s = load_session(default_ledger_path(out.string()));
  ASSERT_EQ(s.turns[0].status, turn_status::failed);
  std::string text = test::read_text(dir / "failed.html");
  EXPECT_NE(text.find("step failed"), std::string::npos);
  EXPECT_NE(text.find(s.turns[0].error.substr(0, 40)), std::string::npos) << s.turns[0].error;
  expect_sound_page(dir / "failed.html");
}

TEST_F(Report, ABatchPageListsEveryClipAndTheSkippedOneWithItsReason) {
  auto dir = test::scratch_dir();
  make_clip(dir / "in" / "one.mp4");
  make_clip(dir / "in" / "two.mp4");
  std::ofstream(dir / "in" / "broken.mp4") << "not a video\n";
  Emu e;
  auto out = dir / "out";
  auto r = run_omnicut(with_emulator({"edit", (dir / "in").string(), "-p", "Make it anime.", "-o", out.string()}, e), kEnv);
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const fs::path page = out / "report.html";
  ASSERT_TRUE(fs::exists(page));
  std::string text = test::read_text(page);
  EXPECT_NE(text.find("one.mp4.report.html"), std::string::npos);  // each clip's own page is linked
  EXPECT_NE(text.find("broken.mp4: not a readable media file"), std::string::npos);
  EXPECT_NE(text.find("2 done, 0 failed, 1 skipped of 3"), std::string::npos);
  expect_sound_page(page);
  expect_sound_page(out / "two.mp4.report.html");
}

TEST_F(Report, NoReportWritesNone) {
  auto dir = test::scratch_dir();
  make_clip(dir / "source.mp4");
  Emu e;
  auto out = dir / "out.mp4";
  auto r = run_omnicut(with_emulator({"edit", (dir / "source.mp4").string(), "-o", out.string(), "-p", "Make it sepia.",
                                      "--no-report"}, e),
                       kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir / "out.mp4.report.html"));
  EXPECT_FALSE(fs::exists(dir / "out.mp4.report"));
}

}  // namespace
}  // namespace omnicut
