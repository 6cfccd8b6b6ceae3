// How much of a batch runs at once: local work (probe, prep, remux) on the machine's cores, and
// remote work (upload and the turns at fal) up to what the fal account runs at a time, so that the
// prep of the next clips overlaps the queue waits of the earlier ones. A session run alone has no
// slots: every hold is then free.
#pragma once
#include <memory>
#include <semaphore>

namespace omnicut {

class WorkSlots {
 public:
  static constexpr std::ptrdiff_t kMax = 256;

  WorkSlots(int local, int remote) : local_(local), remote_(remote) {}

  // A slot held until this goes out of scope; empty (holding nothing) without slots.
  class Held {
   public:
    Held() = default;
    explicit Held(std::counting_semaphore<kMax>* s) : s_(s) {
      if (s_) s_->acquire();
    }
    Held(Held&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
    Held& operator=(Held&&) = delete;
    ~Held() {
      if (s_) s_->release();
    }

   private:
    std::counting_semaphore<kMax>* s_ = nullptr;
  };

  static Held local(const std::shared_ptr<WorkSlots>& slots) { return Held(slots ? &slots->local_ : nullptr); }
  static Held remote(const std::shared_ptr<WorkSlots>& slots) { return Held(slots ? &slots->remote_ : nullptr); }

 private:
  std::counting_semaphore<kMax> local_;
  std::counting_semaphore<kMax> remote_;
};

}  // namespace omnicut
