// VigilServer: `vigil serve` assembled — the store, the risk service, API
// keys, rate limits and metrics behind the HTTP routes of DESIGN.md:
//
//   POST /v1/orders/score, /v1/returns/score, /v1/events        scorer
//   GET  /v1/decisions/{id}, /v1/decisions/{id}/similar,
//        /v1/customers/{id}                                     analyst
//   GET, POST /v1/lists; DELETE /v1/lists/{list}/{field}/{value}  admin
//   POST /transaction, /v1/transactions                         scorer
//   GET  /transaction/{id}, /v1/transactions/{id}               scorer or analyst
//   POST /accounts, /v1/accounts                                admin
//   GET  /accounts/{user_id}, /v1/accounts/{user_id}            analyst
//   POST /webhook/twilio                                        Twilio's signature
//   POST /v1/models/reload                                      admin
//   POST, GET, DELETE /v1/session                               the dashboard's sign-in
//   GET  /, /assets/{path}                                      open (the dashboard's pages)
//   the dashboard's data routes (dashboard_routes.h): overview,
//        decisions and labels, customer decisions and timeline,
//        transactions and their labels, models    analyst / admin
//   GET  /metrics, /healthz, /readyz                            open
//
// docs/api.md describes each with examples. Thread-safe; Shutdown drains.
#ifndef VIGIL_SERVICE_VIGIL_SERVER_H_
#define VIGIL_SERVICE_VIGIL_SERVER_H_

#include <memory>

#include "common/status.h"
#include "service/serve_config.h"

namespace vigil {

class VigilServer {
 public:
  // Opens the store in config.data_dir, replays its events, loads the
  // models and starts listening.
  [[nodiscard]] static StatusOr<std::unique_ptr<VigilServer>> Start(const ServeConfig& config);
  ~VigilServer();

  int port() const;
  // Stops accepting, finishes requests in flight (up to the configured
  // drain time), flushes the store. Idempotent.
  void Shutdown();

  struct Impl;

 private:
  explicit VigilServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

#endif  // VIGIL_SERVICE_VIGIL_SERVER_H_
