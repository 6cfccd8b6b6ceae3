// What an edit session tells whoever runs it, as typed events, and the one question it asks
// before money is spent. The pipeline never writes to the terminal nor reads from it: the CLI's
// printers (pipeline/cli/reporters.h) draw these events as bars on a terminal, JSON lines for a
// script, or a plain log; tests record them.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/endpoints.h"
#include "pipeline/money/confirm.h"
#include "pipeline/money/cost_model.h"

namespace omnicut {

// One turn of the estimate shown before anything is sent.
struct EstimateRow {
  int turn = 0;
  std::string prompt;
  std::string status;          // a single clip's turn: its ledger status
  TurnCost cost;               // a single clip's turn: what it costs, whether sent now or not
  int segments_to_submit = 0;  // --split: the segments whose turn is still to send
  double usd = 0;              // what this run submits for the turn
};

// Before --final: what the draft chain cost.
struct DraftSpent {
  std::string resolution;
  size_t turns = 0;
  double usd = 0;
};

struct EstimateView {
  std::string endpoint;
  double seconds = 0;          // a single clip: sent per turn; --split: the whole source
  size_t segments = 0;         // --split: how many; 0 for a single clip
  std::vector<EstimateRow> turns;
  double usd = 0;              // what this run would submit
  double spent_usd = 0;        // what the session's turns have cost so far
  bool simulated = false;      // the built-in emulator: nothing is billed
  Billing billing;             // the rates behind every figure
  std::string resolution;      // the output resolution the turns ask for ("": the endpoint takes none)
  std::optional<DraftSpent> draft;  // --final: the draft chain, spent
};

struct SessionView {
  std::string ledger;
  std::string output;
  bool simulated = false;
};

// A turn's request at fal: just submitted, or found again in fal's request history.
struct RequestView {
  int turn = 0;
  std::string request_id;
  std::string ledger;
};

struct ResultView {
  std::string output;
  std::string ledger;
  double cost_usd = 0;
  bool simulated = false;
  size_t segments = 0;         // --split: how many were joined; 0 for a single clip
  nlohmann::json remux;        // what the remux (or the join) did
  std::string report;          // the session's page, when one was written
};

class EditEvents {
 public:
  virtual ~EditEvents() = default;

  virtual void session(const SessionView& session) = 0;
  virtual void estimate(const EstimateView& estimate) = 0;
  // Asked before anything is sent, unless nothing would be billed.
  virtual Consent confirm(const std::string& question) = 0;

  // A stage begins ("split", "prep", "upload", "turn 2/3", "download", "remux", "join").
  virtual void stage(const std::string& name, const std::string& detail) = 0;
  // Within the stage; `unit` is "frames", "bytes", "segments", "s".
  virtual void progress(double done, double total, const std::string& unit) = 0;
  // While a turn waits at fal: its queue position, -1 once it runs.
  virtual void queue(int position) = 0;
  // A line the model logged.
  virtual void model_log(const std::string& line) = 0;
  // The stage ended; `summary` says what it did.
  virtual void finish(const std::string& summary) = 0;

  // What the session's submitted turns cost so far; `simulated` on the built-in emulator.
  virtual void cost(double usd, bool simulated) = 0;
  // Something the user should read: a resumed turn, a remux notice, a dry run's end.
  virtual void notice(const std::string& text) = 0;
  virtual void submitted(const RequestView& request) = 0;
  virtual void recovered(const RequestView& request) = 0;
  virtual void result(const ResultView& result) = 0;

  // The events of --split segment `index`, which runs on its own thread beside others; whatever
  // prints them serialises the threads.
  virtual std::unique_ptr<EditEvents> segment(size_t index) = 0;
};

}  // namespace omnicut
