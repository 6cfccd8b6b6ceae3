// `omnicut edit`: the whole job for one clip. probe -> plan -> estimate -> confirm -> prep ->
// upload once -> turn 1..N (turn k's video_url is turn k-1's result URL: nothing is downloaded or
// re-uploaded between turns) -> download the final result (every turn's with keep_turns) -> remux
// with the source's own audio over the prepped range -> OUT. With --split the source is cut into
// segments the endpoint accepts and each runs that same turn machinery under its own ledger;
// their results are joined and the source's audio laid once over the whole (edit_split.cpp).
//
// Never billing twice: each turn is recorded in the ledger (pipeline/ledger.h) as "submitting"
// before its submit is sent and as "submitted" with fal's request_id and queue URLs as soon as
// the answer arrives, before any waiting. A resumed session polls submitted turns by those URLs
// and never resubmits them; a turn caught between the two states (the answer was lost, or the
// process died mid-submit) is not resent automatically, because fal may have accepted it: it is
// looked up in fal's request history and adopted when found (pipeline/turn_recovery.h), else the
// user decides with --resend-lost. A submit that certainly never left (refused connection, DNS,
// TLS handshake) or that fal refused before queueing (a 4xx, or 429/503 to the end of the
// retries) goes back to "pending" and the next run sends it.
//
// One process per session: run_edit holds the ledger's lock (pipeline/session_lock.h) for the
// whole run, and a second process refuses at once with Error(refused).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/fal.h"
#include "pipeline/edit/events.h"
#include "pipeline/edit/ledger.h"
#include "pipeline/media/audio_sync.h"
#include "pipeline/money/unit_price.h"
#include "pipeline/support/work_slots.h"

namespace omnicut {

struct EditOptions {
  std::string input;                    // the source (new sessions)
  std::vector<std::string> prompts;     // turns to add
  std::string output;                   // OUT (new sessions; optional when resuming)
  std::optional<double> start, end;     // the range prep cuts
  std::string endpoint_id = default_endpoint().id;
  std::optional<Billing> billing;       // --pricing: a new session's rates (else the endpoint's)
  // --resolution: the output resolution a new session's turns ask for (nullopt: the endpoint's
  // default), or with `final_chain` the final's (nullopt: 1080p). Refused on an endpoint that
  // takes none, before anything is sent.
  std::optional<std::string> resolution;
  // --draft: a new session on an endpoint that takes a resolution, at its lowest unless
  // `resolution` says otherwise; --final (with resume_path): that finished draft's prompt chain
  // again at the final resolution, from the same upload, the draft's OUT kept as OUT.draft.mp4.
  bool draft = false;
  bool final_chain = false;
  bool report = false;                  // write OUT.report.html at the end (pipeline/report/)
  bool keep_rest = false;               // append "Keep everything else the same."
  std::optional<double> max_cost;       // USD for what this run would submit
  bool dry_run = false;                 // probe, plan, estimate, prep; nothing uploaded or submitted
  bool keep_turns = false;              // download every turn's result beside OUT
  bool restore = false;                 // give back the source's geometry (when remux offers it)
  // A picture that moved: lay the audio to it, by the clock, or refuse. Unset: the session's own
  // (kept in its ledger; correct for a new one), so a resume finishes as the session began.
  std::optional<SyncMode> sync;
  std::string session_path;             // --session: the ledger (default OUT.omnicut.json)
  std::string resume_path;              // --resume: an existing ledger
  std::optional<int> from_turn;         // with resume_path: branch a new session from turn K
  bool cancel_on_interrupt = false;
  // One wall-clock deadline per turn, from its submit (or, resumed, its first poll) to its result;
  // on expiry the job stays submitted in the ledger (Error(network), with the --resume line)
  // unless cancel_on_timeout.
  double turn_timeout_s = 30 * 60;
  bool cancel_on_timeout = false;
  bool split = false;                   // long footage: segments edited apart, joined under the source's audio
  int jobs = 2;                         // --split: segments in flight at once
  double poll_interval_s = 0.5;
  // A submit whose answer was lost (pipeline/turn_recovery.h): how long fal's request history is
  // searched for it before omnicut stops (exit 11), how often, and whether to send it again
  // instead when one search does not find it (--resend-lost: may bill twice).
  double recover_wait_s = 90;
  double recover_poll_s = 3;
  bool resend_lost = false;
};

struct EditContext {
  client::Fal* fal = nullptr;
  std::string server = "fal";           // recorded in the ledger: "fal" or the origin used
  bool local = false;                   // the built-in emulator: simulated, nothing billed
  EditEvents* events = nullptr;         // what the run reports, and who answers its question
  // fal's price of a billing unit, asked once per run; copies of the context share it.
  std::shared_ptr<UnitPriceBook> prices = std::make_shared<UnitPriceBook>();
  // A batch's limits on local and remote work at once, shared by its clips; none for one session.
  std::shared_ptr<WorkSlots> slots;
};

struct EditOutcome {
  std::string ledger_path;
  Session session;
  double estimate_usd = 0;              // what this run was expected to submit
  bool dry_run = false;
  nlohmann::json remux;                 // what the remux did (null for a dry run)
  std::string report;                   // the page written ("" when none was)
};

// Throws omnicut::Error (kinds as documented: refused 11 for budget or no confirmation, auth 9,
// remote 10, network 8 (also a turn past its deadline), interrupted 130...; another process
// running the session: refused 11). The ledger is saved before every wait.
EditOutcome run_edit(const EditOptions& options, EditContext& context);

// The prompt with " Keep everything else the same." appended when it does not already say so.
std::string with_keep_rest(const std::string& prompt);

}  // namespace omnicut
