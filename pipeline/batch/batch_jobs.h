// What a batch edits: one job per clip, from inputs and folders on the command line (folders
// scanned for media as `estimate` does) or from a jobs file, each with the output it writes under
// OUTDIR (mirroring the input's path relative to the folder it was found in, so two a.mp4 in
// different folders never collide), and the share of them one machine takes (--shard i/n).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace omnicut {

struct BatchJob {
  std::string input;                  // absolute
  std::string rel;                    // its path under OUTDIR, without extension: "trip/a" (its identity)
  std::string output;                 // OUTDIR/rel.mp4, absolute
  std::vector<std::string> prompts;
  std::optional<double> start, end;
  std::string endpoint;               // "": the batch's
  std::optional<std::string> resolution;
};

// --shard i/n: this machine's share of the jobs, by a hash of each job's `rel`, so a job's shard
// does not change when other files are added to the list.
struct Shard {
  int index = 1;  // 1-based
  int count = 1;
  bool all() const { return count == 1; }
  std::string text() const;            // "2/4"
};
Shard parse_shard(const std::string& text);  // Error(usage) unless "i/n" with 1 <= i <= n
bool in_shard(const std::string& rel, const Shard& shard);

// Jobs for `inputs` (files, and folders scanned recursively for media), each with `prompts`.
// Throws Error(usage) when two inputs would write the same output, naming both.
std::vector<BatchJob> jobs_from_inputs(const std::vector<std::string>& inputs, const std::string& outdir,
                                       const std::vector<std::string>& prompts);

// A jobs file: JSON lines, each {"input", "prompts": [..] (or "prompt"), "start", "end", "endpoint",
// "resolution", "output" (relative to OUTDIR)}; only "input" is required, the rest default to the
// command line's. Relative inputs are read from the file's folder. Throws Error(usage) naming the
// file and line of a bad entry.
std::vector<BatchJob> jobs_from_file(const std::string& path, const std::string& outdir,
                                     const std::vector<std::string>& default_prompts);

nlohmann::json to_json(const BatchJob& job);
BatchJob batch_job_from_json(const nlohmann::json& j);

}  // namespace omnicut
