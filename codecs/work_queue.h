// A small bounded queue between two threads (prep decodes and filters on one, encodes and muxes
// on the other), so that the stages overlap and memory stays bounded. Closing it wakes both
// sides: the producer's push returns false, the consumer's pop returns nullopt once drained.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace omnicut::av {

template <typename T>
class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

  // Blocks while full. False when the queue was closed (the consumer gave up).
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Blocks while empty. nullopt once closed and drained, or aborted.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty() || aborted_) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // No more items will come; the consumer drains what is there.
  void close() { finish(false); }
  // Stop now: both sides return at once and queued items are dropped.
  void abort() { finish(true); }

 private:
  void finish(bool abort) {
    std::lock_guard lock(mutex_);
    closed_ = true;
    aborted_ = aborted_ || abort;
    if (abort) items_.clear();
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
  bool aborted_ = false;
};

}  // namespace omnicut::av
