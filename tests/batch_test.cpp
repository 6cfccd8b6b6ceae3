// `omnicut edit DIR|FILE... -o OUTDIR` and `omnicut prep DIR -o OUTDIR` against the loopback
// emulator: the outputs mirror the inputs, unusable files are named and skipped (exit 1), one
// submission per clip-segment-turn, --max-cost sends nothing, shards cover every input once, a
// SIGKILL mid-batch is finished by --resume OUTDIR without a second submission, jobs files and
// --resume -p MORE, and two overlapping batches at once send each clip once.
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>

#include <gtest/gtest.h>

#include "codecs/testing/synth.h"
#include "common/error.h"
#include "emulator/emulator.h"
#include "pipeline/batch/batch_jobs.h"
#include "pipeline/batch/batch_ledger.h"
#include "pipeline/edit/ledger.h"
#include "tests/support/edit_fixture.h"
#include "tests/support/synth_clips.h"

namespace omnicut {
namespace {

namespace fs = std::filesystem;
using test::beep_onset;
using test::Emu;
using test::run_omnicut;

const std::vector<std::string> kEnv = {"FAL_KEY=batch-test-key-7a8b9c0d1e"};

// A clip with a beep (and a flash) at 1.0 s; small, so that the emulator renders it quickly.
void make_clip(const fs::path& path, double seconds = 3.0) { test::beep_clip(path, seconds, 320, 180, 1.0); }

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::vector<std::string> batch_args(std::vector<std::string> args, const Emu& e) {
  args.insert(args.end(), {"--fal-url", e.emu.url(), "--yes", "--poll-interval", "0.05", "--json"});
  return args;
}

// The "batch_result" event's clips, by their path under OUTDIR.
std::map<std::string, nlohmann::json> result_clips(const std::string& out) {
  std::map<std::string, nlohmann::json> clips;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "batch_result")
      for (const auto& c : j["clips"]) clips[c["input"]] = c;
  }
  return clips;
}

TEST(Batch, AFolderEditsEveryUsableClipSkipsTheRestAndSaysSo) {
  auto dir = test::scratch_dir();
  auto in = dir / "in", out = dir / "out";
  make_clip(in / "a" / "clip.mp4");
  make_clip(in / "b" / "clip.mp4");  // the same name in another folder
  make_clip(in / "long.mp4", 14.0);  // over v1's 10 s: split in two
  make_clip(in / "whole.mp4");
  {
    std::ifstream src(in / "whole.mp4", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(src)), {});
    write_text(in / "corrupt.mp4", bytes.substr(0, bytes.size() / 3));  // cut short: no index
  }
  write_text(in / "notes.mov", "a text file with a video's name\n");
  write_text(in / "readme.txt", "not media: the scan leaves it alone\n");
  Emu e;
  auto r = run_omnicut(batch_args({"edit", in.string(), "-p", "Make it sepia.", "-o", out.string()}, e), kEnv);
  EXPECT_EQ(r.exit_code, 1) << r.err;  // done, but some inputs were skipped

  auto clips = result_clips(r.out);
  ASSERT_EQ(clips.size(), 6u) << r.out;
  for (const char* done : {"a/clip", "b/clip", "long", "whole"}) EXPECT_EQ(clips[done]["status"], "done") << done;
  for (const char* bad : {"corrupt", "notes"}) {
    EXPECT_EQ(clips[bad]["status"], "skipped") << bad;
    EXPECT_NE(clips[bad]["reason"].get<std::string>().find(bad), std::string::npos) << clips[bad];
  }
  EXPECT_TRUE(clips["long"]["split"].get<bool>());
  for (const char* name : {"a/clip.mp4", "b/clip.mp4", "long.mp4", "whole.mp4"}) EXPECT_TRUE(fs::exists(out / name)) << name;
  EXPECT_FALSE(fs::exists(out / "corrupt.mp4"));
  EXPECT_FALSE(fs::exists(out / "notes.mp4"));
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 5);  // a, b, whole, and long's two segments: one turn each
  EXPECT_EQ(stats.uploads, 5);
  EXPECT_NEAR(beep_onset(out / "b" / "clip.mp4"), 1.0, 0.01);
  EXPECT_NEAR(beep_onset(out / "long.mp4"), 1.0, 0.01);

  auto h = run_omnicut({"history", out.string(), "--json"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  auto totals = nlohmann::json::parse(h.out)["totals"];
  EXPECT_EQ(totals["done"], 4);
  EXPECT_EQ(totals["skipped"], 2);
  EXPECT_GT(totals["cost_usd"].get<double>(), 0);

  // Nothing is left to do: a resume sends nothing.
  r = run_omnicut(batch_args({"edit", "--resume", out.string()}, e), kEnv);
  EXPECT_EQ(e.emu.stats().submissions, 5);
}

TEST(Batch, MaxCostBelowTheBatchEstimateSendsNothing) {
  auto dir = test::scratch_dir();
  make_clip(dir / "in" / "one.mp4");
  make_clip(dir / "in" / "two.mp4");
  Emu e;
  auto r = run_omnicut(batch_args({"edit", (dir / "in").string(), "-p", "Make it anime.", "-o", (dir / "out").string(),
                                   "--max-cost", "0.50"}, e),
                       kEnv);
  EXPECT_EQ(r.exit_code, 11) << r.err;
  EXPECT_NE(r.err.find("0.50"), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().uploads, 0);
  EXPECT_EQ(e.emu.stats().submissions, 0);
  EXPECT_FALSE(fs::exists(dir / "out" / "one.mp4"));
}

TEST(Batch, ShardsAreStableUnderAddedFilesAndDisjoint) {
  std::vector<std::string> rels;
  for (int i = 0; i < 200; ++i) rels.push_back("day" + std::to_string(i % 7) + "/clip" + std::to_string(i));
  Shard one = parse_shard("1/3"), two = parse_shard("2/3"), three = parse_shard("3/3");
  int counts[3] = {0, 0, 0};
  for (const auto& rel : rels) {
    int in = in_shard(rel, one) + in_shard(rel, two) + in_shard(rel, three);
    EXPECT_EQ(in, 1) << rel;
    counts[0] += in_shard(rel, one), counts[1] += in_shard(rel, two), counts[2] += in_shard(rel, three);
  }
  for (int c : counts) EXPECT_GT(c, 40);  // roughly even
  for (const char* bad : {"0/2", "3/2", "2", "a/b", "1/0"}) EXPECT_THROW(parse_shard(bad), Error) << bad;
}

TEST(Batch, TwoShardsIntoOneOutdirCoverEveryInputExactlyOnce) {
  auto dir = test::scratch_dir();
  auto in = dir / "in", out = dir / "out";
  for (int i = 0; i < 5; ++i) make_clip(in / ("c" + std::to_string(i) + ".mp4"));
  Emu e;
  std::set<std::string> seen;
  for (const char* shard : {"1/2", "2/2"}) {
    auto r = run_omnicut(batch_args({"edit", in.string(), "-p", "Make it night.", "-o", out.string(), "--shard", shard}, e), kEnv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& [rel, clip] : result_clips(r.out)) EXPECT_TRUE(seen.insert(rel).second) << rel << " in two shards";
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(e.emu.stats().submissions, 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(fs::exists(out / ("c" + std::to_string(i) + ".mp4")));
  EXPECT_TRUE(fs::exists(batch_ledger_path(out.string(), parse_shard("1/2"))));
  auto h = nlohmann::json::parse(run_omnicut({"history", out.string(), "--json"}).out);
  EXPECT_EQ(h["totals"]["clips"], 5);  // history sums both shards' ledgers
  EXPECT_EQ(h["totals"]["done"], 5);
}

TEST(Batch, KilledMidBatchIsFinishedByResumeWithoutASecondSubmission) {
  auto dir = test::scratch_dir();
  auto in = dir / "in", out = dir / "out";
  for (int i = 0; i < 4; ++i) make_clip(in / ("k" + std::to_string(i) + ".mp4"));
  emulator::Faults hold;
  hold.queue_polls = 30;  // each job waits ~1.5 s in the queue
  Emu e(hold);
  pid_t pid = test::spawn_omnicut(batch_args({"edit", in.string(), "-p", "Make it sepia.", "-o", out.string(), "--jobs", "2"}, e),
                                  kEnv, dir / "first.log");
  bool killed = false;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
       !killed && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (e.emu.stats().submissions >= 2) kill(pid, SIGKILL), killed = true;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed);
  const int sent_before = e.emu.stats().submissions;
  EXPECT_LT(sent_before, 4);

  // A clip killed mid-submit is looked for in fal's request history and adopted once its job
  // starts there; one whose submit never reached fal is never listed: the resume names it (exit 1)
  // and only then does --resend-lost send it.
  auto r = run_omnicut(batch_args({"edit", "--resume", out.string(), "--recover-wait", "10"}, e), kEnv);
  if (r.exit_code != 0) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("does not list it"), std::string::npos) << r.err;
    EXPECT_LT(e.emu.stats().submissions, 4);
    r = run_omnicut(batch_args({"edit", "--resume", out.string(), "--recover-wait", "0", "--resend-lost"}, e), kEnv);
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 4);  // one per clip: none sent twice
  for (int i = 0; i < 4; ++i) {
    auto clip = out / ("k" + std::to_string(i) + ".mp4");
    ASSERT_TRUE(fs::exists(clip)) << clip;
    EXPECT_EQ(load_session(default_ledger_path(clip.string())).completed_turns(), 1);
  }
}

// Two batches on one OUTDIR at once, by mistake: the whole folder, and shard 1/2 of it. The clips
// they share are each run by whichever takes the clip's lock first; the other names it and goes on.
TEST(Batch, TwoOverlappingBatchesAtOnceSendEachClipOnce) {
  auto dir = test::scratch_dir();
  auto in = dir / "in", out = dir / "out";
  const int clips = 4;
  for (int i = 0; i < clips; ++i) make_clip(in / ("r" + std::to_string(i) + ".mp4"));
  emulator::Faults hold;
  hold.queue_polls = 20;  // each job waits ~1 s in the queue, so the two runs overlap
  Emu e(hold);
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a{"edit", in.string(), "-p", "Make it sepia.", "-o", out.string(), "--jobs", "2"};
    a.insert(a.end(), extra.begin(), extra.end());
    return batch_args(a, e);
  };
  pid_t whole = test::spawn_omnicut(args({}), kEnv, dir / "whole.log");
  pid_t shard = test::spawn_omnicut(args({"--shard", "1/2"}), kEnv, dir / "shard.log");
  int whole_status = 0, shard_status = 0;
  waitpid(whole, &whole_status, 0);
  waitpid(shard, &shard_status, 0);
  auto read = [](const fs::path& p) { std::stringstream b; b << std::ifstream(p).rdbuf(); return b.str(); };
  const std::string whole_log = read(dir / "whole.log"), shard_log = read(dir / "shard.log");
  for (int st : {whole_status, shard_status}) {
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_TRUE(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1) << whole_log << shard_log;  // 1: a shared clip left to the other
  }

  // Every clip of the shard was met by both runs: one ran it, the other was refused it.
  std::set<std::string> in_shard;
  for (const auto& [rel, clip] : result_clips(shard_log)) in_shard.insert(rel);
  ASSERT_FALSE(in_shard.empty());
  int refused = 0;
  for (const auto* log : {&whole_log, &shard_log})
    for (const auto& [rel, clip] : result_clips(*log)) {
      if (clip["status"] != "failed") continue;
      EXPECT_TRUE(in_shard.count(rel)) << rel;
      const std::string reason = clip.value("reason", "");
      EXPECT_TRUE(reason.find("another omnicut") != std::string::npos || reason.find("already there") != std::string::npos)
          << reason;
      ++refused;
    }
  EXPECT_EQ(refused, static_cast<int>(in_shard.size()));
  EXPECT_EQ(e.emu.stats().submissions, clips);  // none sent twice

  // Resuming the whole batch finds every clip done (the shared ones by the other run), sends nothing.
  auto r = run_omnicut(batch_args({"edit", "--resume", out.string()}, e), kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, clips);
  for (int i = 0; i < clips; ++i) EXPECT_TRUE(fs::exists(out / ("r" + std::to_string(i) + ".mp4")));
  // history counts each clip once, however many ledgers list it.
  auto h = nlohmann::json::parse(run_omnicut({"history", out.string(), "--json"}).out);
  EXPECT_EQ(h["totals"]["clips"], clips);
  EXPECT_EQ(h["totals"]["done"], clips);
}

TEST(Batch, AJobsFileGivesEachClipItsOwnPromptsRangeAndName) {
  auto dir = test::scratch_dir();
  make_clip(dir / "src" / "x.mp4", 5.0);
  make_clip(dir / "src" / "y.mp4");
  write_text(dir / "jobs.jsonl",
             "{\"input\": \"src/x.mp4\", \"prompts\": [\"Make it anime.\", \"Make it night.\"], \"start\": 0.5, \"end\": 4.0, "
             "\"output\": \"named/first.mp4\"}\n"
             "\n"
             "{\"input\": \"src/y.mp4\"}\n");
  Emu e;
  auto out = dir / "out";
  auto r = run_omnicut(batch_args({"edit", "--jobs-file", (dir / "jobs.jsonl").string(), "-p", "Make it sepia.", "-o",
                                   out.string()}, e),
                       kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 3);
  Session first = load_session(default_ledger_path((out / "named" / "first.mp4").string()));
  ASSERT_EQ(first.turns.size(), 2u);
  EXPECT_EQ(first.turns[1].prompt, "Make it night.");
  EXPECT_NEAR(first.prep.duration, 3.5, 0.05);
  EXPECT_NEAR(beep_onset(out / "named" / "first.mp4"), 0.5, 0.01);
  Session y = load_session(default_ledger_path((out / "y.mp4").string()));
  ASSERT_EQ(y.turns.size(), 1u);
  EXPECT_EQ(y.turns[0].prompt, "Make it sepia.");

  // A bad line is one line naming the file and the line; nothing is sent.
  write_text(dir / "bad.jsonl", "{\"input\": \"src/y.mp4\"}\n{\"prompts\": [\"no input\"]}\n");
  r = run_omnicut(batch_args({"edit", "--jobs-file", (dir / "bad.jsonl").string(), "-p", "x", "-o", (dir / "o2").string()}, e), kEnv);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.jsonl:2"), std::string::npos) << r.err;
  EXPECT_EQ(e.emu.stats().submissions, 3);
}

TEST(Batch, ResumeWithMorePromptsAddsATurnToEveryClip) {
  auto dir = test::scratch_dir();
  make_clip(dir / "in" / "p.mp4");
  make_clip(dir / "in" / "q.mp4");
  Emu e;
  auto out = dir / "out";
  ASSERT_EQ(run_omnicut(batch_args({"edit", (dir / "in").string(), "-p", "Make it anime.", "-o", out.string()}, e), kEnv).exit_code, 0);
  auto r = run_omnicut(batch_args({"edit", "--resume", out.string(), "-p", "Make it night."}, e), kEnv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto stats = e.emu.stats();
  EXPECT_EQ(stats.submissions, 4);
  EXPECT_EQ(stats.uploads, 2);  // the second turn reads the first's result
  for (const char* name : {"p.mp4", "q.mp4"}) {
    Session s = load_session(default_ledger_path((out / name).string()));
    ASSERT_EQ(s.turns.size(), 2u) << name;
    EXPECT_EQ(s.completed_turns(), 2);
    EXPECT_EQ(s.final_output->from_turn, 2);
  }
}

TEST(Batch, PrepOfAFolderMirrorsItAndNamesWhatFailed) {
  auto dir = test::scratch_dir();
  make_clip(dir / "in" / "a" / "one.mp4");
  make_clip(dir / "in" / "b" / "one.mp4");
  write_text(dir / "in" / "broken.mkv", "not a video\n");
  auto r = run_omnicut({"prep", (dir / "in").string(), "-o", (dir / "out").string(), "-j", "2", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto items = nlohmann::json::parse(r.out);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_TRUE(fs::exists(dir / "out" / "a" / "one.mp4"));
  EXPECT_TRUE(fs::exists(dir / "out" / "b" / "one.mp4.prep.json"));
  int failed = 0;
  for (const auto& i : items)
    if (i["status"] == "failed") {
      ++failed;
      EXPECT_NE(i["error"].get<std::string>().find("broken.mkv"), std::string::npos);
    }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(test::ffprobe(dir / "out" / "a" / "one.mp4")["streams"][0]["height"], 720);
}

}  // namespace
}  // namespace omnicut
