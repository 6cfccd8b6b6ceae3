// fal's pricing, a Platform API route: GET /v1/models/pricing?endpoint_id=… (api.fal.ai, an API
// key; ../shared/docs/fal-platform-apis.md §8.3). endpoint_id is required, 1-50 ids,
// comma-separated or repeated; the answer is {prices:[{endpoint_id, unit_price, unit, currency}],
// next_cursor, has_more}, one page (the table holds far fewer than a page). The price is the
// emulator's own: one unit is kEmulatorUsdPerUnit US dollars (emulator/billing.h says why), so
// units x unit_price is what a turn's bill costs. An id the endpoint table does not hold answers
// 404 not_found, the error fal's OpenAPI lists for the route (whether fal instead leaves such an
// id out of `prices` is not documented). Errors have the Platform API's shape; the pricing-403
// and pricing-500 faults make every call answer so (Stats::pricing_errors).
#include "model/endpoints.h"
#include "emulator/billing.h"
#include "emulator/context.h"
#include "emulator/http_util.h"
#include "emulator/platform_api.h"

namespace omnicut::emulator {

namespace {

bool known_endpoint(const std::string& id) {
  for (const auto& e : endpoint_table())
    if (e.id == id) return true;
  return false;
}

nlohmann::json prices_for(const std::set<std::string>& ids) {
  nlohmann::json prices = nlohmann::json::array();
  for (const auto& id : ids) {
    if (!known_endpoint(id)) throw PlatformError{"Endpoint not found: " + id, 404, "not_found"};
    prices.push_back({{"endpoint_id", id}, {"unit_price", kEmulatorUsdPerUnit}, {"unit", "units"}, {"currency", "USD"}});
  }
  return {{"prices", prices}, {"next_cursor", nullptr}, {"has_more", false}};
}

PlatformError fault_answer(int status) {
  if (status == 403) return {"This key may not read prices (fault pricing-403)", 403, "authorization_error"};
  return {"Internal server error (fault pricing-500)", status, "server_error"};
}

void pricing(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  if (refuse_without_key(ctx, req, res)) return;
  if (int status = ctx.faults.pricing_error()) {
    count(ctx, &Stats::pricing_errors);
    return send_platform_error(res, fault_answer(status));
  }
  try {
    nlohmann::json page = prices_for(endpoint_ids(req));
    count(ctx, &Stats::pricing_lookups);
    send_json(res, 200, page);
  } catch (const PlatformError& e) {
    send_platform_error(res, e);
  }
}

}  // namespace

void add_pricing_routes(httplib::Server& server, Context& ctx) {
  server.Get(R"(/v1/models/pricing/?)", [&](const httplib::Request& req, httplib::Response& res) { pricing(ctx, req, res); });
}

}  // namespace omnicut::emulator
