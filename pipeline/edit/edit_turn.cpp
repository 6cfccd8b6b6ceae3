#include <chrono>
#include <thread>

#include "client/download.h"
#include "client/errors.h"
#include "client/queue.h"
#include "common/interrupt.h"
#include "common/iso_time.h"
#include "pipeline/edit/edit_steps.h"
#include "pipeline/support/format.h"
#include "pipeline/edit/turn_recovery.h"

namespace omnicut {
namespace {

using Clock = std::chrono::steady_clock;

client::Submission submission_of(const TurnRecord& t) {
  return {t.endpoint, t.request_id, t.status_url, t.response_url, t.cancel_url};
}

// fal's bill (x-fal-billable-units) when the result carried one, else the cost model's estimate.
// A bill in units whose price the endpoint table does not know is priced by fal's pricing route
// (the built-in emulator's too), asked once per run; without it the dollars stay unknown.
void record_bill(TurnRecord& t, const client::JobResult& result, const Session& s, EditContext& ctx) {
  CostModel model(s.billing);
  bool input_audio = t.turn == 1 ? s.source.has_audio : true;
  TurnCost estimate = model.turn(s.prep.duration, input_audio, t.prompt, t.resolution);
  record_cost(t, result.billed, estimate, model);
  if (t.cost_usd || !t.billed || !t.billed->value) return;
  UnitPriceBook::Answer fal_price = ctx.prices->price(*ctx.fal, t.endpoint);
  if (fal_price.price) price_bill(t, fal_price.price->unit_price, fal_price.price->unit, price_source::fal_pricing);
  else if (fal_price.fresh)
    ctx.events->notice("the price of a billing unit of " + t.endpoint + " is unknown (" + fal_price.why_unknown +
                       "): billed turns show their units, not dollars");
}

void submit_turn(SessionFile& f, TurnRecord& t, const EditOptions& o, EditContext& ctx) {
  Session& s = f.session;
  t.input_url = t.turn == 1 ? s.upload->url : s.turns[t.turn - 2].result->url;
  t.status = turn_status::submitting;
  t.error.clear();
  t.submit_input = submit_input_for(t);
  t.submit_started_at = format_iso8601(WallClock::now());
  f.save();  // before the request leaves: from here on a crash never leads to a blind resend
  client::Submission sub;
  try {
    sub = client::submit(*ctx.fal, find_endpoint(t.endpoint).id, t.submit_input);
  } catch (const Error& e) {
    // A network failure that may hide an accepted job (no answer after the request left, Ctrl-C
    // mid-request, a gateway's 5xx, an unreadable 2xx: client::maybe_delivered) leaves the turn
    // "submitting" (see edit_session.h) and, unless the user stopped the run, it is looked for in
    // fal's request history at once. A request that never left, or that fal answered before
    // queueing (a 4xx, 503 after the retries), cannot have been queued: the turn can be sent again.
    t.error = e.what();
    bool network = e.kind() == ErrorKind::network || e.kind() == ErrorKind::interrupted;
    if (network && client::maybe_delivered(e)) {
      f.save();
      if (e.kind() == ErrorKind::interrupted) throw;
      resolve_lost_submit(f, t, o, ctx, false);
      return;
    }
    t.status = e.kind() == ErrorKind::remote ? turn_status::failed : turn_status::pending;
    f.save();
    if (!network) throw;
    bool answered = e.cause().category() == client::http_category();
    throw Error(e.kind(), e.what(),
                std::string(answered ? "fal answered before queueing it" : "nothing reached fal") + ", so turn " +
                    std::to_string(t.turn) + " is pending again: `omnicut edit --resume " + f.resume_path() + "` sends it",
                e.cause());
  }
  t.request_id = sub.request_id;
  t.status_url = sub.status_url;
  t.response_url = sub.response_url;
  t.cancel_url = sub.cancel_url;
  t.status = turn_status::submitted;
  t.timings.submitted_at = now_iso8601();
  f.save();  // the request id is on disk before any waiting
  ctx.events->submitted({t.turn, t.request_id, f.path});
}

// PUT the turn's cancel_url; the turn is "cancelled" when fal accepted it.
bool cancel_at_fal(SessionFile& f, TurnRecord& t, EditContext& ctx) {
  bool accepted = false;
  try {
    accepted = client::cancel(*ctx.fal, submission_of(t));
  } catch (const Error& e) {
    t.error = std::string("cancel failed: ") + e.what();
  }
  if (accepted) t.status = turn_status::cancelled;
  f.save();
  ctx.events->notice(accepted ? "turn " + std::to_string(t.turn) + " cancelled at fal"
                              : "turn " + std::to_string(t.turn) + ": fal did not accept the cancel (it may have finished)");
  return accepted;
}

// The turn's deadline passed with the job still at fal: it stays submitted for --resume, or is
// cancelled when --cancel-on-timeout asked for it.
[[noreturn]] void give_up_waiting(SessionFile& f, TurnRecord& t, const client::JobStatus& st, const EditOptions& o,
                                  EditContext& ctx) {
  std::string what = "turn " + std::to_string(t.turn) + " (request " + t.request_id + ") is still " +
                     client::to_string(st.state) + " at fal after its --turn-timeout of " + format_seconds(o.turn_timeout_s);
  if (o.cancel_on_timeout && cancel_at_fal(f, t, ctx))
    throw Error(ErrorKind::network, f.resume_path(),
                what + "; it was cancelled (--cancel-on-timeout): `omnicut edit --resume " + f.resume_path() +
                    "` sends it again unless it finished anyway");
  throw Error(ErrorKind::network, f.resume_path(),
              what + "; it stays submitted at fal and in the ledger: `omnicut edit --resume " + f.resume_path() +
                  "` polls it again (never resends it)");
}

// First Ctrl-C: stop waiting, keep the job for --resume. A second one (or --cancel-on-interrupt)
// cancels it at fal.
void on_interrupt(SessionFile& f, TurnRecord& t, const EditOptions& o, EditContext& ctx) {
  bool cancel = o.cancel_on_interrupt || interrupt_count() >= 2;
  if (!cancel) {
    ctx.events->notice("interrupted: turn " + std::to_string(t.turn) + " (request " + t.request_id +
                       ") stays at fal and in the ledger; `omnicut edit --resume " + f.resume_path() +
                       "` picks it up. Ctrl-C again within 3 s cancels it at fal.");
    auto until = Clock::now() + std::chrono::seconds(3);
    while (Clock::now() < until && interrupt_count() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cancel = interrupt_count() >= 2;
  }
  if (cancel) cancel_at_fal(f, t, ctx);
}

void wait_turn(SessionFile& f, TurnRecord& t, const EditOptions& o, EditContext& ctx, Clock::time_point deadline) {
  client::WaitOptions wait;
  wait.poll_interval_s = o.poll_interval_s;
  auto started = Clock::now();
  bool running = false;
  wait.on_update = [&](const client::JobStatus& st, const std::vector<client::LogLine>& fresh) {
    if (st.state == client::JobState::in_queue) ctx.events->queue(st.queue_position);
    else if (st.state == client::JobState::in_progress) ctx.events->queue(-1);
    if (st.state != client::JobState::in_queue && !running)  // the wait in fal's queue, as this run saw it
      running = true, t.timings.queue_s = std::chrono::duration<double>(Clock::now() - started).count();
    for (const auto& line : fresh) ctx.events->model_log(line.message);
    if (st.state != client::JobState::completed && Clock::now() >= deadline) give_up_waiting(f, t, st, o, ctx);
  };
  client::JobResult result;
  try {
    result = client::wait_for_result(*ctx.fal, submission_of(t), wait);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::interrupted) {
      on_interrupt(f, t, o, ctx);
    } else if (e.kind() == ErrorKind::remote) {
      t.status = turn_status::failed;
      t.error = e.what();
      f.save();
    }
    throw;
  }
  const Endpoint& ep = find_endpoint(t.endpoint);
  auto file = result.output.value(ep.video_output_field, nlohmann::json());
  client::RemoteFile remote = client::RemoteFile::from_json(file);  // Error(remote) without a url
  t.result = ResultFile{remote.url, remote.content_type, remote.file_name,
                        static_cast<int64_t>(remote.file_size.value_or(0))};
  record_bill(t, result, f.session, ctx);
  t.status = turn_status::completed;
  t.timings.completed_at = now_iso8601();
  t.timings.run_s = std::chrono::duration<double>(Clock::now() - started).count();
  f.save();
}

// A cancel reaches a job that is already running too late on fal (the app may finish it, and it
// is billed): before sending the turn again, look whether the cancelled job has a result after all.
bool reuse_cancelled(SessionFile& f, TurnRecord& t, const EditOptions& o, EditContext& ctx, Clock::time_point deadline) {
  t.status = turn_status::submitted;
  try {
    wait_turn(f, t, o, ctx, deadline);
    ctx.events->notice("turn " + std::to_string(t.turn) + ": the cancelled request finished anyway: using its result");
    return true;
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::remote) throw;
  }
  t.status = turn_status::pending;
  t.request_id.clear(), t.status_url.clear(), t.response_url.clear(), t.cancel_url.clear();
  f.save();
  return false;
}

}  // namespace

void run_turn(SessionFile& f, size_t index, const EditOptions& o, EditContext& ctx) {
  TurnRecord& t = f.session.turns[index];
  if (t.status == turn_status::completed) return;
  std::string what = "turn " + std::to_string(t.turn) + "/" + std::to_string(f.session.turns.size());
  ctx.events->stage(what, t.prompt);
  if (t.status == turn_status::submitting) resolve_lost_submit(f, t, o, ctx, o.resend_lost);
  // One wall-clock deadline across submit and polling; the submit's own retries are bounded by
  // its policy (client/http.h) and the deadline is checked after every status read.
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.turn_timeout_s));
  if (t.status == turn_status::cancelled && !t.request_id.empty() && reuse_cancelled(f, t, o, ctx, deadline)) {
    // the cancel came too late: the job ran to the end (and was billed), so its result is used
  } else {
    if (t.status != turn_status::submitted) submit_turn(f, t, o, ctx);
    else ctx.events->notice(what + ": already submitted as request " + t.request_id + ": polling it, not resubmitting");
    wait_turn(f, t, o, ctx, deadline);
  }
  ctx.events->cost(f.session.cost_usd(), f.session.local);
  ctx.events->finish(cost_text(t) + ", request " + t.request_id);
}

}  // namespace omnicut
