// HandlerPool: worker threads for the handlers that may block — store
// reads, durable synchronous writes, model loads, dashboard queries — so an
// I/O thread never waits on one, and the other connections it serves
// (checkout scoring) are not held up behind it. Built on common/WorkerPool;
// its threads are named "vigil-worker".
//
// Offload(handler) returns a handler that queues the original on the pool.
// At most `max_queued` wait for a free thread; beyond that the request is
// answered at once with 503 overloaded and Retry-After: 1. An exception
// escaping the handler answers 500 internal, as on an I/O thread. Stop()
// lets running handlers finish, answers those still queued with 503
// shutting_down, and joins the threads; call it before what the handlers
// use goes away.
//
// Thread-safety: Offload's handlers, the counters and Stop() from any thread.
#ifndef VIGIL_HTTP_HANDLER_POOL_H_
#define VIGIL_HTTP_HANDLER_POOL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "common/worker_pool.h"
#include "http/router.h"

namespace vigil {

struct HandlerPoolOptions {
  int threads = 4;
  size_t max_queued = 1024;
};

class HandlerPool {
 public:
  explicit HandlerPool(HandlerPoolOptions options);
  ~HandlerPool();
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  [[nodiscard]] Handler Offload(Handler handler);
  // Runs `task` on the pool; false when the queue is full or the pool has
  // stopped (the caller then does the work itself). A task still queued at
  // Stop() runs on the stopping thread, so whatever it answers is answered.
  [[nodiscard]] bool Post(std::function<void()> task);

  // Requests queued and not yet started.
  int64_t queued() const { return queued_.load(std::memory_order_relaxed); }
  // Requests answered 503 because the queue was full.
  int64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

  // Idempotent. Offloaded requests arriving afterwards get 503 shutting_down.
  void Stop();
  // True from the start of Stop: queued handlers will not start.
  bool stopped() const { return stopped_.load(); }

 private:
  void Run(const std::shared_ptr<const Handler>& handler, HttpRequest& request, Responder respond);
  // Queues `work`, counted in queued() until it starts; false when refused.
  [[nodiscard]] bool Submit(std::function<void(bool cancelled)> work);

  std::atomic<int64_t> queued_{0};
  std::atomic<int64_t> rejected_{0};
  std::atomic<bool> stopped_{false};
  WorkerPool pool_;
};

}  // namespace vigil

#endif  // VIGIL_HTTP_HANDLER_POOL_H_
