// A page opened in a real browser: Debian's headless Chromium (installed by scripts/dev), for
// the report suites. A screenshot, the DOM as the browser built it, and the messages its console
// printed; and every file the page refers to, so a test can check they are all there.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace omnicut::test {

// The browser's path, or nullopt when none is installed (tests then GTEST_SKIP).
std::optional<std::string> chromium();

struct BrowserView {
  bool screenshot_ok = false;     // a non-empty PNG was written to the path given
  std::string dom;                // document.documentElement.outerHTML, after parsing
  std::vector<std::string> console;  // the console's messages ("CONSOLE" lines of its log)
};
BrowserView open_in_browser(const std::string& browser, const fs::path& page, const fs::path& screenshot,
                            int width = 1100, int height = 1800);

// The local files the page's src= and href= attributes name (fragments dropped, percent-decoded,
// resolved against the page's folder); links with a scheme are returned as they are.
std::vector<std::string> referenced_files(const fs::path& page);

}  // namespace omnicut::test
