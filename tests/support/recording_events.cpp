#include "tests/support/recording_events.h"

namespace omnicut::test {

RecordingEvents::RecordingEvents(Consent answer) : log_(std::make_shared<Log>()), answer_(answer) {}

RecordingEvents::RecordingEvents(std::shared_ptr<Log> log, Consent answer, size_t segment)
    : log_(std::move(log)), answer_(answer), segment_(segment) {}

void RecordingEvents::add(RecordedEvent e) {
  e.segment = segment_;
  std::lock_guard<std::mutex> lock(log_->mutex);
  log_->events.push_back(std::move(e));
}

void RecordingEvents::session(const SessionView& v) { add({"session", v.ledger, {}, 0, ""}); }
void RecordingEvents::estimate(const EstimateView& v) {
  add({"estimate", v.endpoint, {}, v.usd, ""});
  std::lock_guard<std::mutex> lock(log_->mutex);
  log_->estimates.push_back(v);
}
Consent RecordingEvents::confirm(const std::string& question) {
  add({"confirm", question, {}, 0, ""});
  return answer_;
}
void RecordingEvents::stage(const std::string& name, const std::string&) { add({"stage", name, {}, 0, ""}); }
void RecordingEvents::progress(double done, double, const std::string& unit) { add({"progress", "", {}, done, unit}); }
void RecordingEvents::queue(int position) { add({"queue", "", {}, double(position), ""}); }
void RecordingEvents::model_log(const std::string& line) { add({"log", line, {}, 0, ""}); }
void RecordingEvents::finish(const std::string& summary) { add({"done", summary, {}, 0, ""}); }
void RecordingEvents::cost(double usd, bool) { add({"cost", "", {}, usd, ""}); }
void RecordingEvents::notice(const std::string& text) { add({"notice", text, {}, 0, ""}); }
void RecordingEvents::submitted(const RequestView& r) { add({"submitted", r.request_id, {}, double(r.turn), ""}); }
void RecordingEvents::recovered(const RequestView& r) { add({"recovered", r.request_id, {}, double(r.turn), ""}); }
void RecordingEvents::result(const ResultView& r) { add({"result", r.output, {}, r.cost_usd, ""}); }

std::unique_ptr<EditEvents> RecordingEvents::segment(size_t index) {
  return std::unique_ptr<EditEvents>(new RecordingEvents(log_, answer_, index));
}

std::vector<RecordedEvent> RecordingEvents::events() const {
  std::lock_guard<std::mutex> lock(log_->mutex);
  return log_->events;
}

std::vector<EstimateView> RecordingEvents::estimates() const {
  std::lock_guard<std::mutex> lock(log_->mutex);
  return log_->estimates;
}

std::vector<std::string> RecordingEvents::outline() const {
  std::vector<std::string> out;
  for (const auto& e : events()) {
    bool named = e.kind == "stage" || e.kind == "confirm";
    std::string line = e.kind + (named ? " " + e.text : "");
    if (out.empty() || out.back() != line) out.push_back(line);
  }
  return out;
}

}  // namespace omnicut::test
