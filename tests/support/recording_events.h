// An EditEvents that records what an edit session reports, in order and from every thread (its
// --split segments' children record into the same list, tagged with their index), and answers
// the money question as told.
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/edit/events.h"

namespace omnicut::test {

struct RecordedEvent {
  std::string kind;               // "session", "estimate", "stage", "progress", "queue", "log", "done",
                                  // "cost", "notice", "submitted", "recovered", "result", "confirm"
  std::string text;               // stage name, summary, notice, log line, question, request id
  std::optional<size_t> segment;  // --split: the segment it came from
  double number = 0;              // progress done, queue position, cost usd, turn
  std::string unit;               // progress
};

class RecordingEvents : public EditEvents {
 public:
  explicit RecordingEvents(Consent answer = Consent::given);

  void session(const SessionView& session) override;
  void estimate(const EstimateView& estimate) override;
  Consent confirm(const std::string& question) override;
  void stage(const std::string& name, const std::string& detail) override;
  void progress(double done, double total, const std::string& unit) override;
  void queue(int position) override;
  void model_log(const std::string& line) override;
  void finish(const std::string& summary) override;
  void cost(double usd, bool simulated) override;
  void notice(const std::string& text) override;
  void submitted(const RequestView& request) override;
  void recovered(const RequestView& request) override;
  void result(const ResultView& result) override;
  std::unique_ptr<EditEvents> segment(size_t index) override;

  std::vector<RecordedEvent> events() const;
  std::vector<EstimateView> estimates() const;
  // The kinds in order, runs of the same (kind, text) folded into one: "stage prep", "done prep"...
  std::vector<std::string> outline() const;

 private:
  struct Log {
    std::mutex mutex;
    std::vector<RecordedEvent> events;
    std::vector<EstimateView> estimates;
  };
  RecordingEvents(std::shared_ptr<Log> log, Consent answer, size_t segment);
  void add(RecordedEvent e);

  std::shared_ptr<Log> log_;
  Consent answer_;
  std::optional<size_t> segment_;
};

}  // namespace omnicut::test
