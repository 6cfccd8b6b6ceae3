#include "tests/support/browser.h"

#include <regex>
#include <sstream>

namespace omnicut::test {

std::optional<std::string> chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return std::string(p);
  return std::nullopt;
}

BrowserView open_in_browser(const std::string& browser, const fs::path& page, const fs::path& screenshot, int width,
                            int height) {
  const std::string url = "file://" + fs::absolute(page).string();
  const std::vector<std::string> common = {"--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                           "--enable-logging=stderr", "--v=0", "--allow-file-access-from-files"};
  BrowserView v;
  auto args = common;
  args.push_back("--window-size=" + std::to_string(width) + "," + std::to_string(height));
  args.push_back("--screenshot=" + screenshot.string());
  args.push_back(url);
  RunResult shot = run_program(browser, args, {}, 120);
  std::error_code ec;
  v.screenshot_ok = shot.exit_code == 0 && fs::file_size(screenshot, ec) > 1000;
  args = common;
  args.push_back("--dump-dom");
  args.push_back(url);
  RunResult dom = run_program(browser, args, {}, 120);
  v.dom = dom.out;
  std::istringstream log(shot.err + "\n" + dom.err);
  for (std::string line; std::getline(log, line);)
    if (line.find(":CONSOLE") != std::string::npos) v.console.push_back(line);
  return v;
}

std::vector<std::string> referenced_files(const fs::path& page) {
  const std::string text = read_text(page);
  std::vector<std::string> files;
  static const std::regex attr(R"re((?:src|href)="([^"]*)")re");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), attr); it != std::sregex_iterator(); ++it) {
    std::string link = (*it)[1];
    if (link.find("://") != std::string::npos) {
      files.push_back(link);
      continue;
    }
    link = link.substr(0, link.find('#'));
    std::string decoded;
    for (size_t i = 0; i < link.size(); ++i) {
      if (link[i] == '%' && i + 2 < link.size()) {
        decoded += static_cast<char>(std::stoi(link.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        decoded += link[i];
      }
    }
    files.push_back((page.parent_path() / decoded).lexically_normal().string());
  }
  return files;
}

}  // namespace omnicut::test
