// edit(): the public face of pipeline/edit/edit_session.h, the fal transport chosen as `omnicut
// edit` chooses it, and the session's events handed to the caller's callbacks.
#include "omnicut/edit.h"

#include <memory>
#include <mutex>
#include <optional>

#include "api/endpoint_choice.h"
#include "client/fal.h"
#include "emulator/emulator.h"
#include "pipeline/edit/edit_session.h"

namespace omnicut::api {
namespace {

// The session's events, passed on to the callbacks the caller set; --split segments share the
// mutex, so the caller never sees two calls at once.
class CallbackEvents : public EditEvents {
 public:
  CallbackEvents(const EditCallbacks& callbacks, std::shared_ptr<std::mutex> lock)
      : callbacks_(callbacks), lock_(std::move(lock)) {}

  void session(const SessionView&) override {}
  void estimate(const EstimateView&) override {}
  Consent confirm(const std::string& question) override {
    std::lock_guard hold(*lock_);
    if (!callbacks_.confirm) return Consent::cannot_ask;
    return callbacks_.confirm(question) ? Consent::given : Consent::refused;
  }
  void stage(const std::string& name, const std::string& detail) override { call(callbacks_.on_stage, name, detail); }
  void progress(double done, double total, const std::string& unit) override {
    call(callbacks_.on_progress, done, total, unit);
  }
  void queue(int) override {}
  void model_log(const std::string&) override {}
  void finish(const std::string&) override {}
  void cost(double, bool) override {}
  void notice(const std::string& text) override { call(callbacks_.on_notice, text); }
  void submitted(const RequestView&) override {}
  void recovered(const RequestView&) override {}
  void result(const ResultView&) override {}
  std::unique_ptr<EditEvents> segment(size_t) override { return std::make_unique<CallbackEvents>(callbacks_, lock_); }

 private:
  template <class F, class... Args>
  void call(const F& f, const Args&... args) {
    if (!f) return;
    std::lock_guard hold(*lock_);
    f(args...);
  }

  const EditCallbacks& callbacks_;
  std::shared_ptr<std::mutex> lock_;
};

omnicut::EditOptions session_options(const EditOptions& o) {
  omnicut::EditOptions s;
  s.input = o.input;
  s.prompts = o.prompts;
  s.output = o.output;
  s.start = o.start, s.end = o.end;
  s.endpoint_id = endpoint_named(o.endpoint).id;
  if (!o.resolution.empty()) s.resolution = o.resolution;
  s.split = o.split;
  s.max_cost = o.max_cost;
  s.dry_run = o.dry_run;
  s.resume_path = o.resume;
  s.report = o.report;
  if (!o.sync.empty()) s.sync = parse_sync_mode(o.sync, "sync");
  s.turn_timeout_s = o.turn_timeout_s;
  return s;
}

// The emulator, when asked for, lives as long as the session that talks to it.
client::Fal fal_for(const EditOptions& o, std::optional<emulator::Emulator>& emu) {
  if (o.local) {
    emulator::Options opts;
    opts.port = 0;
    emu.emplace(opts);
    emu->start();
    // The emulator asks for a key as fal does; this one is a placeholder, not a secret.
    return client::Fal{client::FalUrls::at_origin(emu->url()), client::Http(client::Credentials("local-emulator"), {})};
  }
  std::optional<client::Credentials> key =
      o.fal_key.empty() ? client::Credentials::from_env() : std::optional(client::Credentials(o.fal_key));
  client::Fal fal{client::FalUrls::from_setting(o.fal_url), client::Http(std::move(key), {})};
  if (!fal.http.has_credentials() && !o.dry_run)
    throw Error(ErrorKind::auth, "FAL_KEY", "not set: pass EditOptions::fal_key or export FAL_KEY=<your fal API key>");
  return fal;
}

}  // namespace

EditResult edit(const EditOptions& options, const EditCallbacks& callbacks) {
  std::optional<emulator::Emulator> emu;
  client::Fal fal = fal_for(options, emu);
  CallbackEvents events(callbacks, std::make_shared<std::mutex>());
  EditContext ctx;
  ctx.fal = &fal;
  ctx.local = options.local;
  ctx.server = options.local ? emu->url() : client::url_origin(fal.urls.queue);
  ctx.events = &events;
  EditOutcome out = run_edit(session_options(options), ctx);
  EditResult r;
  r.output = out.dry_run ? "" : out.session.output;
  r.ledger = out.ledger_path;
  r.report = out.report;
  r.turns = out.session.completed_turns();
  r.cost_usd = out.session.cost_usd();
  r.estimate_usd = out.estimate_usd;
  r.simulated = out.session.local;
  r.dry_run = out.dry_run;
  return r;
}

}  // namespace omnicut::api
