#include "http/handler_pool.h"

#include <utility>

#include "http/http_response.h"

namespace vigil {

namespace {

HttpResponse Unavailable(std::string_view code, std::string_view message) {
  HttpResponse response = ErrorResponse(503, code, message);
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

HttpResponse ShuttingDown() { return Unavailable("shutting_down", "the server is shutting down"); }

}  // namespace

HandlerPool::HandlerPool(HandlerPoolOptions options)
    : pool_(options.threads, options.max_queued, "vigil-worker") {}

HandlerPool::~HandlerPool() { Stop(); }

void HandlerPool::Stop() {
  stopped_.store(true);
  pool_.Stop();  // finishes the running jobs, cancels the queued ones, joins
}

Handler HandlerPool::Offload(Handler handler) {
  auto shared = std::make_shared<const Handler>(std::move(handler));
  return [this, shared](HttpRequest& request, Responder respond) {
    Run(shared, request, std::move(respond));
  };
}

bool HandlerPool::Submit(std::function<void(bool cancelled)> work) {
  WorkerPool::Job job = [this, work = std::move(work)](bool cancelled) {
    queued_.fetch_sub(1, std::memory_order_relaxed);
    work(cancelled);
  };
  queued_.fetch_add(1, std::memory_order_relaxed);
  if (pool_.TrySubmit(job)) return true;
  queued_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

bool HandlerPool::Post(std::function<void()> task) {
  if (stopped_.load()) return false;
  return Submit([task = std::move(task)](bool) { task(); });
}

void HandlerPool::Run(const std::shared_ptr<const Handler>& handler, HttpRequest& request,
                      Responder respond) {
  // The request lives in its connection until the response is sent, and the
  // Responder keeps the connection alive.
  const bool queued = Submit([this, handler, &request, respond](bool cancelled) {
    if (cancelled || stopped_.load()) return respond(ShuttingDown());
    try {
      (*handler)(request, respond);
    } catch (...) {
      respond(ErrorResponse(500, "internal", "internal error"));  // ignored if it answered
    }
  });
  if (queued) return;
  if (stopped_.load()) return respond(ShuttingDown());
  rejected_.fetch_add(1, std::memory_order_relaxed);
  respond(Unavailable("overloaded", "too many requests are waiting for a worker thread; retry"));
}

}  // namespace vigil
