#include "pipeline/money/unit_price.h"

#include "common/error.h"

namespace omnicut {

namespace {

UnitPriceBook::Answer ask(const client::Fal& fal, const std::string& endpoint_id) {
  UnitPriceBook::Answer a;
  a.fresh = true;
  try {
    client::UnitPrice p = client::fetch_unit_price(fal, endpoint_id);
    if (p.currency == "USD") a.price = p;
    else a.why_unknown = "fal prices it in " + p.currency + ", not US dollars";
  } catch (const Error& e) {
    // Ctrl-C too: the turn's result is in hand and is recorded without dollars; the run stops
    // at its next check of the flag.
    a.why_unknown = e.what();
  }
  return a;
}

}  // namespace

UnitPriceBook::Answer UnitPriceBook::price(const client::Fal& fal, const std::string& endpoint_id) {
  std::lock_guard lock(mutex_);
  auto it = known_.find(endpoint_id);
  if (it != known_.end()) {
    Answer again = it->second;
    again.fresh = false;
    return again;
  }
  return known_[endpoint_id] = ask(fal, endpoint_id);
}

}  // namespace omnicut
