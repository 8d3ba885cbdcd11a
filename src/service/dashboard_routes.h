// The dashboard's data routes (docs/dashboard.md "Data routes"; docs/api.md
// has each route's final wording):
//
//   GET  /v1/overview?range=1h|24h|7d                         analyst
//   GET  /v1/decisions?queue=&kind=&action=&level=&customer=
//        &from=&to=&sort=at|score&order=desc|asc&limit=&cursor= analyst
//   POST /v1/decisions/{id}/label                              analyst
//   GET  /v1/customers/{id}/decisions?limit=&cursor=           analyst
//   GET  /v1/transactions?status=&limit=&cursor=               analyst
//   GET  /v1/models, /v1/models/{kind}/{version}/report        analyst
//   POST /v1/models/{kind}/promote, /v1/models/{kind}/rollback admin
//
// Lists page by an opaque keyset cursor; bad query parameters answer 422
// naming the parameter. The handlers are thread-safe; the context's
// pointers must outlive the router.
#ifndef VIGIL_SERVICE_DASHBOARD_ROUTES_H_
#define VIGIL_SERVICE_DASHBOARD_ROUTES_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/time.h"
#include "http/http_request.h"
#include "http/metrics_registry.h"
#include "http/router.h"
#include "service/api_keys.h"
#include "service/risk_service.h"
#include "store/store.h"

namespace vigil {

struct DashboardContext {
  Store* store = nullptr;
  RiskService* service = nullptr;
  std::string models_dir;  // the registry the models routes list and change
  // The overview's latency: the HTTP server's request histograms
  // (vigil_http_request_duration_seconds) of these route patterns, merged.
  MetricsRegistry* metrics = nullptr;
  std::vector<std::string> latency_routes = {"/v1/orders/score", "/v1/returns/score"};
  // The caller when it may use a route needing `need`; otherwise nullopt
  // after answering 401, 403 or 429 itself.
  std::function<std::optional<Caller>(const HttpRequest&, Role need, const Responder&)> admit;
  std::function<Timestamp()> clock;  // NowSeconds when empty
};

// Registers the routes above on `router`.
void AddDashboardDataRoutes(Router& router, DashboardContext context);

}  // namespace vigil

#endif  // VIGIL_SERVICE_DASHBOARD_ROUTES_H_
