#include "emulator/looks.h"

#include <algorithm>
#include <vector>

namespace omnicut::emulator {

namespace {

struct LookRule {
  const char* name;
  std::vector<const char*> words;
  const char* filter;
};

// Order matters: colour changes first, then the geometric ones.
const std::vector<LookRule>& rules() {
  static const std::vector<LookRule> table = {
      // Flat colours and hard edges: denoise, boost saturation, quantise luma into bands.
      {"anime", {"anime", "cartoon", "manga", "cel-shaded"},
       "hqdn3d=4:3:6:4,eq=saturation=1.6:contrast=1.15,lutyuv=y='bitand(val,224)+16'"},
      // Chroma planes to neutral: u = v = 128.
      {"black_and_white", {"black and white", "black-and-white", "monochrome", "grayscale", "greyscale"},
       "hue=s=0,eq=contrast=1.1"},
      {"sepia", {"sepia", "vintage", "old photo"},
       "colorchannelmixer=.393:.769:.189:0:.349:.686:.168:0:.272:.534:.131"},
      // Darker, bluer, less saturated.
      {"night", {"night", "nighttime", "dark"},
       "eq=brightness=-0.18:gamma=0.85:saturation=0.6,colorbalance=bs=0.25:bm=0.15:rs=-0.1"},
      {"mirror", {"mirror", "flip"}, "hflip"},
  };
  return table;
}

const char* kGrade = "eq=contrast=1.05:saturation=1.12,colorbalance=rm=0.04:bm=-0.04";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Look look_for_prompt(const std::string& prompt) {
  const std::string text = lower(prompt);
  Look look;
  for (const auto& rule : rules()) {
    bool named = std::any_of(rule.words.begin(), rule.words.end(),
                             [&](const char* w) { return text.find(w) != std::string::npos; });
    if (!named) continue;
    look.name += (look.name.empty() ? "" : "+") + std::string(rule.name);
    look.filter += (look.filter.empty() ? "" : ",") + std::string(rule.filter);
  }
  if (look.name.empty()) look = {"grade", kGrade};
  return look;
}

}  // namespace omnicut::emulator
