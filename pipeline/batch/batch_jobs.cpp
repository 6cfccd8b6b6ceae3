#include "pipeline/batch/batch_jobs.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "pipeline/money/estimate.h"

namespace omnicut {
namespace fs = std::filesystem;

namespace {

std::string absolute_path(const fs::path& p) { return fs::absolute(p).lexically_normal().string(); }

// "trip/a" for trip/a.mov found in the folder given; "a" for a file given by name.
std::string rel_of(const fs::path& file, const std::optional<fs::path>& folder) {
  fs::path rel = folder ? fs::path(absolute_path(file)).lexically_relative(absolute_path(*folder)) : file.filename();
  return (rel.parent_path() / rel.stem()).generic_string();
}

BatchJob job_for(const fs::path& input, const std::string& rel, const std::string& outdir,
                 const std::vector<std::string>& prompts) {
  BatchJob j;
  j.input = absolute_path(input);
  j.rel = rel;
  j.output = absolute_path(fs::path(outdir) / (rel + ".mp4"));
  j.prompts = prompts;
  return j;
}

void refuse_collisions(const std::vector<BatchJob>& jobs) {
  std::map<std::string, std::string> seen;
  for (const auto& j : jobs) {
    auto [it, fresh] = seen.emplace(j.output, j.input);
    if (!fresh)
      throw Error(ErrorKind::usage, j.input,
                  "would write the same output as " + it->second + " (" + j.output +
                      "): give their folder instead, or name outputs in a --jobs-file");
  }
}

template <class T>
std::optional<T> optional_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

BatchJob job_from_line(const nlohmann::json& line, const fs::path& base, const std::string& outdir,
                       const std::vector<std::string>& default_prompts) {
  fs::path input = line.at("input").get<std::string>();
  if (input.is_relative()) input = base / input;
  std::vector<std::string> prompts = default_prompts;
  if (line.contains("prompts")) prompts = line.at("prompts").get<std::vector<std::string>>();
  else if (line.contains("prompt")) prompts = {line.at("prompt").get<std::string>()};
  std::string rel = rel_of(input, std::nullopt);
  if (auto out = optional_at<std::string>(line, "output")) rel = (fs::path(*out).parent_path() / fs::path(*out).stem()).generic_string();
  BatchJob j = job_for(input, rel, outdir, prompts);
  j.start = optional_at<double>(line, "start");
  j.end = optional_at<double>(line, "end");
  j.endpoint = line.value("endpoint", "");
  j.resolution = optional_at<std::string>(line, "resolution");
  return j;
}

}  // namespace

std::string Shard::text() const { return std::to_string(index) + "/" + std::to_string(count); }

Shard parse_shard(const std::string& text) {
  Shard s;
  size_t slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument(text);
    size_t used = 0;
    s.index = std::stoi(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument(text);
    s.count = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    throw Error(ErrorKind::usage, "--shard", "\"" + text + "\" is not i/n (e.g. 2/4)");
  }
  if (s.count < 1 || s.index < 1 || s.index > s.count)
    throw Error(ErrorKind::usage, "--shard", "\"" + text + "\": i must be 1 to n");
  return s;
}

// FNV-1a over the job's path: the same shard on every machine and every run.
bool in_shard(const std::string& rel, const Shard& shard) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : rel) h = (h ^ c) * 1099511628211ull;
  return static_cast<int>(h % static_cast<uint64_t>(shard.count)) == shard.index - 1;
}

std::vector<BatchJob> jobs_from_inputs(const std::vector<std::string>& inputs, const std::string& outdir,
                                       const std::vector<std::string>& prompts) {
  std::vector<BatchJob> jobs;
  for (const auto& arg : inputs) {
    std::error_code ec;
    std::optional<fs::path> folder;
    if (fs::is_directory(arg, ec)) folder = fs::path(arg);
    for (const auto& file : expand_media_paths({arg})) jobs.push_back(job_for(file, rel_of(file, folder), outdir, prompts));
  }
  refuse_collisions(jobs);
  return jobs;
}

std::vector<BatchJob> jobs_from_file(const std::string& path, const std::string& outdir,
                                     const std::vector<std::string>& default_prompts) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::not_found, path, "cannot read the jobs file");
  std::vector<BatchJob> jobs;
  std::string text;
  for (int n = 1; std::getline(in, text); ++n) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      jobs.push_back(job_from_line(nlohmann::json::parse(text), fs::path(path).parent_path(), outdir, default_prompts));
    } catch (const nlohmann::json::exception& e) {
      throw Error(ErrorKind::usage, path + ":" + std::to_string(n), std::string("not a job (") + e.what() + ")");
    }
    if (jobs.back().prompts.empty())
      throw Error(ErrorKind::usage, path + ":" + std::to_string(n), "no prompts: give \"prompts\" or -p on the command line");
  }
  if (jobs.empty()) throw Error(ErrorKind::usage, path, "the jobs file lists no jobs");
  refuse_collisions(jobs);
  return jobs;
}

nlohmann::json to_json(const BatchJob& j) {
  return {{"input", j.input},
          {"rel", j.rel},
          {"output", j.output},
          {"prompts", j.prompts},
          {"start", j.start ? nlohmann::json(*j.start) : nlohmann::json()},
          {"end", j.end ? nlohmann::json(*j.end) : nlohmann::json()},
          {"endpoint", j.endpoint},
          {"resolution", j.resolution ? nlohmann::json(*j.resolution) : nlohmann::json()}};
}

BatchJob batch_job_from_json(const nlohmann::json& j) {
  BatchJob b;
  b.input = j.at("input").get<std::string>();
  b.rel = j.at("rel").get<std::string>();
  b.output = j.at("output").get<std::string>();
  b.prompts = j.value("prompts", std::vector<std::string>{});
  b.start = optional_at<double>(j, "start");
  b.end = optional_at<double>(j, "end");
  b.endpoint = j.value("endpoint", "");
  b.resolution = optional_at<std::string>(j, "resolution");
  return b;
}

}  // namespace omnicut
