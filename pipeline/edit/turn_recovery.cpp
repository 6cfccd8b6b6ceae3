#include "pipeline/edit/turn_recovery.h"

#include <chrono>
#include <set>
#include <thread>

#include "client/history.h"
#include "client/queue.h"
#include "common/interrupt.h"
#include "common/iso_time.h"
#include "model/endpoints.h"
#include "pipeline/support/format.h"

namespace omnicut {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kClockSkew = std::chrono::minutes(2);

// A split segment cannot be branched on its own: the whole split is started again instead.
std::string branch_hint(const SessionFile& f, const TurnRecord& t) {
  if (!f.parent.empty()) return "start a new --split session (segments of " + f.parent + " cannot be branched)";
  return "branch: omnicut edit --resume " + f.path + " --from-turn " + std::to_string(t.turn - 1) + " -p PROMPT -o NEW.mp4";
}

std::string turn_name(const TurnRecord& t) { return "turn " + std::to_string(t.turn); }

// Ledgers older than submit_started_at: fal's own default window (24 h).
WallClock::time_point search_since(const TurnRecord& t) {
  if (auto started = parse_iso8601(t.submit_started_at)) return *started - kClockSkew;
  return WallClock::now() - std::chrono::hours(24);
}

std::set<std::string> known_request_ids(const Session& s) {
  std::set<std::string> ids;
  for (const auto& turn : s.turns)
    if (!turn.request_id.empty()) ids.insert(turn.request_id);
  return ids;
}

struct Search {
  WallClock::time_point since;
  nlohmann::json input;
  std::set<std::string> taken;
  size_t listed = 0;        // rows of the last listing
  int searches = 0;
  std::string last_error;   // of the last search that failed, if the last one did
};

std::optional<client::HistoryItem> search_once(const client::Fal& fal, const TurnRecord& t, Search& s) {
  ++s.searches;
  client::Listing listing = client::list_requests(fal, t.endpoint, s.since);
  s.listed = listing.items.size();
  s.last_error.clear();
  for (const auto& item : listing.items) {
    if (item.endpoint_id != t.endpoint || item.json_input != s.input || s.taken.count(item.request_id)) continue;
    auto sent = parse_iso8601(item.sent_at);
    if (sent && *sent < s.since) continue;
    return item;
  }
  return std::nullopt;
}

void adopt(SessionFile& f, TurnRecord& t, const client::HistoryItem& item, EditContext& ctx) {
  client::Submission sub = client::submission_for(*ctx.fal, t.endpoint, item.request_id);
  t.request_id = sub.request_id;
  t.status_url = sub.status_url;
  t.response_url = sub.response_url;
  t.cancel_url = sub.cancel_url;
  t.status = turn_status::submitted;
  t.timings.submitted_at = item.sent_at.empty() ? now_iso8601() : item.sent_at;
  t.error.clear();
  f.save();  // the request id is on disk before any waiting
  ctx.events->notice(turn_name(t) + ": the submit's lost answer was found in fal's request history: request " +
                     t.request_id + " (sent " + item.sent_at + "); polling it, not resending");
  ctx.events->recovered({t.turn, t.request_id, f.path});
}

[[noreturn]] void refuse_unlisted(const SessionFile& f, const TurnRecord& t, const Search& s, double waited_s) {
  std::string what = turn_name(t) + "'s submit got no answer and fal's request history does not list it: searched " +
                     t.endpoint + " for requests sent since " + format_iso8601(s.since) + " with this turn's input, " +
                     std::to_string(s.searches) + " times over " + format_seconds(waited_s) + " (--recover-wait), " +
                     std::to_string(s.listed) + " listed, none matching";
  if (!s.last_error.empty()) what += " (last search failed: " + s.last_error + ")";
  throw Error(ErrorKind::refused, f.path,
              what + ". fal may still have it queued (a queued request may be listed only once it starts): `omnicut "
                     "edit --resume " + f.resume_path() + "` searches again; adding --resend-lost sends it again "
                     "instead (fal may then bill it twice)");
}

// Today's refusal, saying why the history could not help.
[[noreturn]] void refuse_unsearchable(const SessionFile& f, const TurnRecord& t, const std::string& why) {
  throw Error(ErrorKind::refused, f.path,
              turn_name(t) + "'s submit was cut off before fal's answer was recorded, so fal may have accepted (and "
              "billed) it; fal's request history could not be searched (" + why + "), so it is not resent "
              "automatically. Check your fal dashboard; to send it again, add --resend-lost or " + branch_hint(f, t));
}

void sleep_until(Clock::time_point until) {
  while (Clock::now() < until) {
    if (interrupted()) throw Error(ErrorKind::interrupted, "fal request history", "interrupted while searching");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

nlohmann::json submit_input_for(const TurnRecord& t) {
  const Endpoint& ep = find_endpoint(t.endpoint);
  nlohmann::json input = {{ep.prompt_field, t.prompt}, {ep.video_input_field, t.input_url}};
  if (ep.takes_resolution() && !t.resolution.empty()) input[ep.resolution_field] = t.resolution;
  return input;
}

void resolve_lost_submit(SessionFile& f, TurnRecord& t, const EditOptions& o, EditContext& ctx, bool allow_resend) {
  Search s;
  s.since = search_since(t);
  s.input = t.submit_input.is_null() ? submit_input_for(t) : t.submit_input;
  s.taken = known_request_ids(f.session);
  const double wait_s = allow_resend ? 0 : o.recover_wait_s;
  ctx.events->notice(turn_name(t) + ": the submit's answer was lost; looking for it in fal's request history" +
                     (wait_s > 0 ? " (up to " + format_seconds(wait_s) + ")" : ""));
  const auto began = Clock::now();
  const auto deadline = began + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
  for (;;) {
    try {
      if (auto item = search_once(*ctx.fal, t, s)) return adopt(f, t, *item, ctx);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::interrupted) throw;
      if (e.kind() == ErrorKind::auth && !allow_resend) refuse_unsearchable(f, t, e.what());
      s.last_error = e.what();
    }
    auto now = Clock::now();
    if (now >= deadline) break;
    auto poll = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.recover_poll_s));
    sleep_until(std::min(deadline, now + poll));
  }
  if (!allow_resend) refuse_unlisted(f, t, s, std::chrono::duration<double>(Clock::now() - began).count());
  t.status = turn_status::pending;
  t.error = "submit answer lost; not found in fal's request history; sent again by --resend-lost";
  f.save();
  ctx.events->notice(turn_name(t) + ": not found in fal's request history (" + std::to_string(s.listed) +
                     " listed); sending it again (--resend-lost)");
}

}  // namespace omnicut
