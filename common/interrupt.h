// Ctrl-C sets a flag that long loops (transcode, upload, polling) check between steps, so they
// stop cleanly, remove their temporary files and leave the ledger consistent.
#pragma once
#include <atomic>

namespace omnicut {

inline std::atomic<int>& interrupt_count() {
  static std::atomic<int> count{0};
  return count;
}
inline bool interrupted() { return interrupt_count().load() > 0; }

}  // namespace omnicut
