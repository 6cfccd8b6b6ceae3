// The few pieces of HTML the reports are made of. Every string that came from a user or from fal
// (prompts, file names, error text, URLs) goes through escape(): a prompt with <script> or quotes
// is shown as text.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace omnicut::html {

std::string escape(std::string_view text);
// <tag attrs>escaped text</tag>
std::string element(const std::string& tag, std::string_view text, const std::string& attrs = "");
// `path` relative to the folder of `page` (both absolute or both relative to one place), as a URL
// path: each segment percent-encoded where it must be.
std::string href(const std::string& path, const std::string& page);

// A grouped bar chart as inline SVG: one group per label, one bar per series; "" values in a
// series are drawn as absent. `format` writes a value for the axis and the bars' titles.
struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;  // NaN: no bar
};
std::string bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<Series>& series,
                      std::string (*format)(double));

// The page's shell: the document, its inline style sheet (no scripts, nothing fetched).
std::string page(const std::string& title, const std::string& body);

}  // namespace omnicut::html
