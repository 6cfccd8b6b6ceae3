// The session ledger: everything an edit session has done or started, in one JSON file beside
// OUT (`OUT.omnicut.json`) or where --session puts it. It is what makes `--resume` safe: a turn's
// request_id and queue URLs are on disk before omnicut waits on it, so a crash, a kill or Ctrl-C
// never leads to a second submit (a second bill) for the same turn. Every save is atomic (temp
// file, fsync, rename, fsync of the folder): a kill at any instant leaves the old or the new
// ledger, never a torn one. The fal key is never part of it.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/queue.h"
#include "codecs/concat.h"
#include "codecs/remux.h"
#include "pipeline/media/alignment.h"
#include "pipeline/media/manifest.h"
#include "pipeline/media/prep_sidecar.h"
#include "pipeline/money/cost_model.h"

namespace omnicut {

// The ledger format this omnicut writes ("omnicut_session"). It reads version 1 too (ledgers
// written before the session's parts had types of their own) and refuses any other.
inline constexpr int kLedgerVersion = 2;

// A file as fal describes one in a result: {url, content_type, file_name, file_size}.
struct ResultFile {
  std::string url;
  std::string content_type;
  std::string file_name;
  int64_t file_size = 0;
};

namespace turn_status {
inline constexpr const char* pending = "pending";      // planned, not sent
// The submit is on its way and its answer not yet recorded: fal may have accepted it. Never
// resent automatically: it is looked up in fal's request history (pipeline/turn_recovery.h) and
// adopted when found; otherwise the user decides (--resend-lost).
inline constexpr const char* submitting = "submitting";
inline constexpr const char* submitted = "submitted";  // accepted by the queue; poll, never resend
inline constexpr const char* completed = "completed";  // result known
inline constexpr const char* failed = "failed";        // the job ended in an error (billing per fal)
inline constexpr const char* cancelled = "cancelled";  // cancel sent
}  // namespace turn_status

// Where a turn's cost comes from.
namespace cost_source {
// fal's bill: the result's x-fal-billable-units (TurnRecord::billed); dollars only where the
// price of a unit is known (Billing::usd_per_unit), else unknown.
inline constexpr const char* billed = "billed";
inline constexpr const char* estimated = "estimated";  // no bill came with the result: the cost model's figure
// Ledgers from before the bill was read: tokens from the result's "usage" object, priced.
inline constexpr const char* reported = "reported";
}  // namespace cost_source

// Where the price that turned a bill's units into dollars came from (TurnRecord::price_source).
namespace price_source {
inline constexpr const char* endpoint_table = "endpoint table";  // Billing::usd_per_unit
// fal's GET /v1/models/pricing, asked by the run that got the bill (pipeline/money/unit_price.h)
inline constexpr const char* fal_pricing = "/v1/models/pricing";
}  // namespace price_source

struct TurnTimings {
  std::string submitted_at;   // ISO 8601 UTC
  std::string completed_at;
  double queue_s = 0;         // submit to first IN_PROGRESS
  double run_s = 0;           // submit to COMPLETED
  double download_s = 0;
};

struct TurnRecord {
  int turn = 0;               // 1-based
  std::string prompt;
  std::string endpoint;
  std::string resolution;     // the output resolution sent ("" for an endpoint that takes none)
  std::string input_url;      // the uploaded source for turn 1, the previous result after that
  std::string status = turn_status::pending;
  std::string request_id;
  std::string status_url;
  std::string response_url;
  std::string cancel_url;
  std::optional<ResultFile> result;
  std::string local_path;     // where the result was downloaded, if it was
  TurnTokens tokens;          // the cost model's (older ledgers: what the result reported)
  std::string cost_source;    // cost_source::*, once the result is in
  std::optional<client::BilledUnits> billed;  // x-fal-billable-units as the result sent it
  std::optional<double> cost_usd = 0.0;  // nullopt: unknown (billed in units of unknown price)
  // The price that made the bill dollars (cost_usd = billed units x unit_price): US dollars a
  // unit, fal's name for the unit, and where it came from (price_source::*). Unset otherwise.
  std::optional<double> unit_price;
  std::string price_unit;
  std::string price_source;
  double estimated_usd = 0;   // the cost model's figure, whatever was billed
  std::string error;
  TurnTimings timings;
  std::string inherited_from;  // --from-turn: the ledger this finished turn was copied from (not billed here)
  // Saved before the submit leaves, so that a submit whose answer was lost can be found in fal's
  // request history (pipeline/turn_recovery.h): the exact JSON body sent, and when the send began
  // (ISO 8601 UTC). Null / "" in ledgers written before they existed.
  nlohmann::json submit_input;
  std::string submit_started_at;
  // This turn's picture timing against the source range, once its result was downloaded and measured.
  std::optional<Alignment> sync;
};

struct SourceRecord {
  std::string path;           // absolute
  uint64_t size = 0;
  std::string hash;           // codecs/content_hash.h
  std::string hash_method;
  double duration = 0;
  bool has_audio = false;
};

struct UploadRecord {
  std::string url;
  std::string file;           // the prepped file that was uploaded
  uint64_t size = 0;
  std::string uploaded_at;
};

// What the prep stage planned and did. JSON (as in version 1): {"start", "end", "duration",
// "encoded_duration", "fps", "frames", "actions", "output", "planned_only", "width", "height",
// "path", "reason", "segment" | null, "sidecar_record" | null}.
struct PrepRecord {
  double start = 0, end = 0;         // the range cut, seconds from the source's first frame
  double duration = 0;               // end - start: what every turn sends, and is priced on
  double encoded_duration = 0;       // the prepped video's own length (0 until prep ran)
  double fps = 0;                    // the prepped clip's rate (before prep ran: the plan's)
  int64_t frames = 0;                // video frames written
  std::vector<std::string> actions;  // what prep does, in plain words
  std::string output;                // the prepped file ("" until prep ran)
  bool planned_only = false;         // planned for the estimate; prep has not run yet
  int width = 0, height = 0;         // of the prepped picture
  std::string path;                  // "copy" or "encode" once prep ran
  std::string reason;                // why that path
  std::optional<int> segment;        // a --split segment's index
  // prep's sidecar (pipeline/media/prep_sidecar.h): what remux --restore undoes. The ledger
  // keeps it because the prepped file and its sidecar live in the work folder, removed at the end.
  std::optional<PrepSidecar> sidecar;
};

// JSON: {"keep_rest", "restore", "keep_turns", "start" | null, "end" | null, "split",
// "segment_of" | null, "segment" | null, "resolution", "draft"}.
struct SessionOptions {
  bool keep_rest = false;
  bool restore = false;
  bool keep_turns = false;
  std::optional<double> start, end;  // the range asked for (PrepRecord has the one cut)
  bool split = false;                // --split: this ledger's turns sum its segments' ledgers
  std::string segment_of;            // a segment's own ledger: its parent's OUT ("" otherwise)
  std::optional<int> segment;        // and its index
  std::string resolution;            // what new turns ask for ("": the endpoint takes no resolution)
  bool draft = false;                // started with --draft: `--resume --final` renders the chain again
  std::string sync = "correct";       // --sync: what the final's remux does about a picture that moved
};

// A session made by --from-turn. JSON: {"session", "turn"}.
struct BranchRecord {
  std::string session;               // the parent ledger (absolute)
  int turn = 0;                      // the parent's turn the branch starts from
};

struct RestoredSize {
  int width = 0, height = 0;
};

// OUT once it is written. JSON: {"path", "from_turn", "remux": <the remux result, as
// pipeline/media/remux_stage.h writes it> + "restore": {width, height} | null + "concat": {...} |
// null, "written_at", "sync": <alignment> | null}.
struct FinalRecord {
  std::string path;
  int from_turn = 0;
  RemuxResult remux;                    // the source's audio laid under the edit
  std::optional<RestoredSize> restore;  // --restore: the source's frame given back at this size
  std::optional<ConcatResult> concat;   // --split: how the edited segments were joined
  std::string written_at;
  // The edited picture's timing against the source range (pipeline/media/alignment.h), when measured.
  std::optional<Alignment> sync;
};

// One --split segment. JSON: {"index", "start", "end", "file", "prep", "ledger"}.
struct SplitSegmentRecord {
  int index = 0;
  double start = 0, end = 0;         // the segment's range in the source
  std::string file;                  // its prepped file (in the work folder)
  std::string prep;                  // "copy" or "encode"
  std::string ledger;                // its own ledger, with its upload and turns
};

// --split, once the source is split. JSON: {"manifest": <split's manifest>, "segments": [...]}.
struct SplitRecord {
  SplitManifest manifest;
  std::vector<SplitSegmentRecord> segments;
};

// The draft chain of a session that went on to --final: its turns at the draft resolution and
// the draft's OUT, renamed (OUT.draft.mp4) before the final chain's first turn was sent.
// JSON: {"resolution", "output", "turns": [...], "final": <FinalRecord> | null}.
struct DraftRecord {
  std::string resolution;
  std::string output;
  std::vector<TurnRecord> turns;
  std::optional<FinalRecord> final_output;

  double cost_usd() const;  // its submitted turns, where their cost is known
};

struct Session {
  int version = kLedgerVersion;  // as read (1: an older ledger); saved as kLedgerVersion
  std::string created_at;
  std::string updated_at;
  std::string endpoint;
  std::string server;         // "fal" or the origin it talked to (the local emulator, --fal-url)
  bool local = false;         // simulated by the built-in emulator: nothing billed
  SourceRecord source;
  PrepRecord prep;
  std::optional<UploadRecord> upload;
  std::string output;         // OUT
  SessionOptions options;
  std::optional<BranchRecord> branch_of;
  Billing billing;
  std::vector<TurnRecord> turns;
  std::optional<FinalRecord> final_output;  // JSON "final"
  // Each segment's turns live in its own ledger; this one's turns sum them
  // (pipeline/edit/edit_split.cpp).
  std::optional<SplitRecord> split;
  // --final: the draft chain; `turns` is then the final chain (same prompts, higher resolution).
  std::optional<DraftRecord> draft;

  // Both chains count: turns that were submitted, where their cost is known.
  double cost_usd() const;
  int unknown_cost_turns() const;            // submitted turns (both chains) whose cost is unknown
  int completed_turns() const;
  const TurnRecord* last_completed() const;  // nullptr when none
};

// Whether a turn is still to be sent (pending, failed or cancelled): what an estimate prices.
bool turn_to_submit(const TurnRecord& t);

// Records what a finished turn cost: fal's bill when `billed` (in dollars where the model knows
// the price of a unit, else unknown until price_bill), else the cost model's `estimate`.
void record_cost(TurnRecord& turn, const std::optional<client::BilledUnits>& billed, const TurnCost& estimate,
                 const CostModel& model);
// A billed turn's units in dollars at `usd_per_unit` (fal calls the unit `unit`), labelled with
// the price's `source` (price_source::*). Nothing changes for a turn without a numeric bill.
void price_bill(TurnRecord& turn, double usd_per_unit, const std::string& unit, const std::string& source);
// Adds `part`'s tokens, cost and bill into `sum` (a --split turn is the sum of its segments'):
// an unknown part makes the sum unknown, an estimated one makes it estimated.
void add_cost(TurnRecord& sum, const TurnRecord& part);
// One line: "$0.0871 billed (0.08713000 units)", "$0.4129 billed (0.41286750 units at $1.00 from
// fal's pricing)", "billed 0.08713000 units (price of a unit unknown;
// estimated $0.8712)", "$0.8712 estimated (no bill reported)", "$0.8257 (reported tokens)".
std::string cost_text(const TurnRecord& turn);
// The session's total as text, with how its finished turns were costed: "$1.23 (2 billed, 0
// estimated)", "$0.41 + 1 turn(s) of unknown cost (2 billed, 1 estimated)", "unknown (1 billed, 0 estimated)".
std::string total_cost_text(const Session& session);

// `OUT.omnicut.json`, beside OUT.
std::string default_ledger_path(const std::string& out);
// Where --final keeps the draft: "clip.draft.mp4" for "clip.mp4".
std::string draft_output_path(const std::string& out);
std::string now_iso8601();

nlohmann::json to_json(const PrepRecord& prep);
nlohmann::json to_json(const SessionOptions& options);
nlohmann::json to_json(const FinalRecord& final_output);
nlohmann::json to_json(const SplitRecord& split);
nlohmann::json to_json(const DraftRecord& draft);
// The readers take what the writers write, and version 1's fields (see ledger.cpp). Malformed
// fields throw (nlohmann's exceptions, or Error from the sidecar and manifest readers);
// session_from_json turns them into one Error(usage) naming the ledger.
PrepRecord prep_record_from_json(const nlohmann::json& j, const std::string& subject);
SessionOptions session_options_from_json(const nlohmann::json& j);
FinalRecord final_record_from_json(const nlohmann::json& j, int version, const std::string& subject);
SplitRecord split_record_from_json(const nlohmann::json& j, const std::string& subject);
DraftRecord draft_record_from_json(const nlohmann::json& j, const std::string& subject);

// The ledger as saved (and as `history --json` shows it): "omnicut_session": kLedgerVersion,
// whatever version it was read as, plus "totals".
nlohmann::json to_json(const Session& s);
// Throws Error(usage) when it is not an omnicut ledger, when its version is not one this omnicut
// reads, or when a field is malformed.
Session session_from_json(const nlohmann::json& j, const std::string& path_for_errors);

// Atomic save (see the header comment); stamps updated_at. Throws Error(output).
void save_session(Session& s, const std::string& path);
// Throws Error(not_found) when missing, Error(usage) when it is not an omnicut ledger.
Session load_session(const std::string& path);

}  // namespace omnicut
