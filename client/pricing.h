// fal's pricing (a Platform API route, ../shared/docs/fal-platform-apis.md §8.3):
// GET {api}/v1/models/pricing?endpoint_id=ID, which an ordinary API key may call. A result's
// bill (x-fal-billable-units, client/queue.h) is in the endpoint's billing unit; this says what
// one unit costs, so that units x unit_price is the charge ("custom pricing or discounts may be
// applied based on account status", so it is the caller's own price).
#pragma once
#include <string>

#include "client/fal.h"

namespace omnicut::client {

struct UnitPrice {
  std::string endpoint_id;
  double unit_price = 0;          // per billing unit, in `currency`
  std::string unit;               // free text: "image", "seconds", "units", "1000 tokens"...
  std::string currency;           // ISO 4217, e.g. "USD"
};

// The price of one billing unit of `endpoint_id`. Throws Error(auth) for 401/403 (the key may not
// read prices), the usual client errors otherwise (client/errors.h, the HTTP status or CURLcode
// kept as the cause), and Error(network) when the answer holds no usable price for the endpoint.
UnitPrice fetch_unit_price(const Fal& fal, const std::string& endpoint_id);

}  // namespace omnicut::client
