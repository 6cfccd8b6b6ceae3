// A submit whose answer was lost, found again in fal's request history instead of being refused
// or sent twice. fal has no idempotency key on queue submit, so a turn left "submitting" (the
// connection dropped or timed out after the body was sent, or the process died mid-submit) may
// be queued, and billed, at fal. Its ledger entry holds the exact JSON it sent and when the send
// began; fal's history (client/history.h) is searched for a request to the same endpoint with
// that same json_input, sent since 2 minutes (clock skew) before the send began, whose request
// id no turn of this session holds yet. A match is adopted: its request id and queue URLs go into
// the ledger (turn "submitted") and it is polled as usual. Not being listed is not proof that fal
// has nothing (rows appear late; queued requests may be listed only once they start), so the
// search goes on for --recover-wait seconds, then stops with Error(refused, exit 11) saying what
// was searched. Only --resend-lost sends it again. Where the key may not list the history
// (401/403), the refusal says so.
#pragma once
#include <nlohmann/json.hpp>

#include "pipeline/edit/edit_session.h"
#include "pipeline/edit/edit_steps.h"

namespace omnicut {

// The body a turn's submit sends: {prompt field: prompt, video field: input_url}.
nlohmann::json submit_input_for(const TurnRecord& t);

// For a turn left "submitting": adopts its request from fal's history (turn "submitted", saved)
// or, with `allow_resend` and after one search found nothing, puts it back to "pending" (saved)
// for the caller to send. Otherwise throws Error(refused). Error(interrupted) on Ctrl-C.
void resolve_lost_submit(SessionFile& f, TurnRecord& t, const EditOptions& o, EditContext& ctx, bool allow_resend);

}  // namespace omnicut
