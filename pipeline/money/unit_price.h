// What one of fal's billing units costs, to turn a result's bill (x-fal-billable-units) into
// dollars where the endpoint table does not know it (Billing::usd_per_unit is 0, as for the
// token-billed v1 edit). fal's GET /v1/models/pricing (client/pricing.h) is asked at most once per
// endpoint in a run, whatever it answers, and only when a bill needs it. The book is shared by
// --split's segment threads. A refused or failed call, or a price in a currency other than US
// dollars, leaves the price unknown: the turn's cost stays unknown (never $0) and the run goes on.
#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "client/pricing.h"

namespace omnicut {

class UnitPriceBook {
 public:
  struct Answer {
    std::optional<client::UnitPrice> price;  // in US dollars
    std::string why_unknown;                 // when there is no price: fal's error, or the currency
    bool fresh = false;                      // this call asked fal (so the caller may say so once)
  };
  // The price of `endpoint_id`'s unit, asking `fal` only the first time.
  Answer price(const client::Fal& fal, const std::string& endpoint_id);

 private:
  std::mutex mutex_;  // held across the request, so concurrent segments ask once
  std::map<std::string, Answer> known_;
};

}  // namespace omnicut
