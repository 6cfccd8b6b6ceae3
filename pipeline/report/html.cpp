#include "pipeline/report/html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace omnicut::html {
namespace fs = std::filesystem;

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string element(const std::string& tag, std::string_view text, const std::string& attrs) {
  return "<" + tag + (attrs.empty() ? "" : " " + attrs) + ">" + escape(text) + "</" + tag + ">";
}

std::string href(const std::string& path, const std::string& page) {
  fs::path base = fs::absolute(page).parent_path();
  std::string rel = fs::absolute(path).lexically_normal().lexically_relative(base.lexically_normal()).generic_string();
  std::string out;
  for (unsigned char c : rel) {
    if (std::isalnum(c) || std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<Series>& series,
                      std::string (*format)(double)) {
  double top = 0;
  for (const auto& s : series)
    for (double v : s.values)
      if (std::isfinite(v)) top = std::max(top, v);
  if (top <= 0) top = 1;
  const int group_w = 24 * static_cast<int>(series.size()) + 16, left = 64, height = 140, bottom = 36;
  const int width = left + group_w * static_cast<int>(std::max<size_t>(labels.size(), 1)) + 8;
  char buf[512];
  std::string svg;
  std::snprintf(buf, sizeof buf,
                "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">",
                width, height + bottom + 24, width, height + bottom + 24);
  svg += buf;
  svg += "<title>" + escape(title) + "</title><text x=\"4\" y=\"14\" class=\"t\">" + escape(title) + "</text>";
  std::snprintf(buf, sizeof buf, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, left, 20 + height);
  svg += buf;
  svg += "<text x=\"4\" y=\"28\" class=\"l\">" + escape(format(top)) + "</text>";
  for (size_t g = 0; g < labels.size(); ++g) {
    const int x0 = left + 8 + static_cast<int>(g) * group_w;
    for (size_t k = 0; k < series.size(); ++k) {
      double v = g < series[k].values.size() ? series[k].values[g] : NAN;
      if (!std::isfinite(v)) continue;
      int h = static_cast<int>(std::lround(v / top * height));
      std::snprintf(buf, sizeof buf, "<rect x=\"%d\" y=\"%d\" width=\"20\" height=\"%d\" fill=\"%s\">", x0 + static_cast<int>(k) * 24,
                    20 + height - h, std::max(h, 1), series[k].color.c_str());
      svg += buf;
      svg += "<title>" + escape(labels[g] + ", " + series[k].name + ": " + format(v)) + "</title></rect>";
    }
    std::snprintf(buf, sizeof buf, "<text x=\"%d\" y=\"%d\" class=\"l\">", x0, 20 + height + 14);
    svg += buf + escape(labels[g]) + "</text>";
  }
  int lx = left;
  for (const auto& s : series) {
    std::snprintf(buf, sizeof buf, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"l\">",
                  lx, 20 + height + 22, s.color.c_str(), lx + 14, 20 + height + 31);
    svg += buf + escape(s.name) + "</text>";
    lx += 20 + 7 * static_cast<int>(s.name.size());
  }
  return svg + "</svg>";
}

std::string page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<title>" + escape(title) + "</title><style>"
         "body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;padding:12px;max-width:1200px;color:#222;background:#fafafa}"
         "h1{font-size:20px;margin:4px 0}h2{font-size:17px;margin:20px 0 6px}h3{font-size:15px;margin:0 0 6px}"
         "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}dt{color:#666}dd{margin:0;overflow-wrap:anywhere}"
         ".step{background:#fff;border:1px solid #ddd;border-left:4px solid #4a7;border-radius:4px;padding:10px;margin:8px 0}"
         ".step.failed,.step.cancelled{border-left-color:#c33}.step.pending,.step.submitted,.step.submitting{border-left-color:#cb3}"
         ".pics{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}.pics img,.pics video{max-width:100%;height:auto;border-radius:2px}"
         ".thumb{width:160px}.poster{width:320px}.sheet{width:640px}video{width:320px;background:#000}"
         ".err{color:#b00;overflow-wrap:anywhere}.none{color:#888;font-style:italic}"
         "table{border-collapse:collapse;width:100%;background:#fff}td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}"
         "td.n{text-align:right;white-space:nowrap}.plots{display:flex;flex-wrap:wrap;gap:16px}"
         ".chart{max-width:100%;height:auto}.chart .t{font:bold 12px sans-serif}.chart .l{font:10px sans-serif;fill:#444}.chart .axis{stroke:#999}"
         ".prompt{font-weight:600;overflow-wrap:anywhere}"
         "@media (max-width:700px){.poster,.sheet,video{width:100%}}"
         "</style></head><body>\n" + body + "\n</body></html>\n";
}

}  // namespace omnicut::html
