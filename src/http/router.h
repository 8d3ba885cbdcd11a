// Router: maps (method, path) to a Handler. Patterns are '/'-separated
// segments, each either literal ("decisions") or a parameter ("{id}");
// literal segments win over parameters, with backtracking, so
// "/v1/decisions/recent" beats "/v1/decisions/{id}". An unknown path answers
// 404 not_found, a known path with another method 405 method_not_allowed with
// an Allow header; HEAD falls back to GET (the server drops the body).
//
// Add is not thread-safe; build the router, then hand it to HttpServer. Match
// and Dispatch are const and thread-safe.
#ifndef VIGIL_HTTP_ROUTER_H_
#define VIGIL_HTTP_ROUTER_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_request.h"
#include "http/http_response.h"

namespace vigil {

// Sends the response. Call exactly once, from any thread; later calls are
// ignored. The request must not be used after the call. The HttpServer that
// made a Responder waits in its destructor until the Responder is destroyed.
using Responder = std::function<void(HttpResponse)>;
// Handles a request: respond synchronously or later from another thread. An
// exception escaping a handler answers 500 internal.
using Handler = std::function<void(HttpRequest&, Responder)>;

struct RouterNode;  // internal

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers `handler` for `method` (e.g. "GET") and `pattern` (starts with
  // '/'). A malformed pattern or a duplicate (method, pattern) is a
  // programming error and aborts with a message.
  void Add(std::string_view method, std::string_view pattern, Handler handler);

  // Replaces every registered handler h with wrap(method, pattern, h), e.g.
  // to run the ones that may block on a HandlerPool. Not thread-safe, like Add.
  using HandlerWrapper =
      std::function<Handler(std::string_view method, std::string_view pattern, Handler handler)>;
  void WrapHandlers(const HandlerWrapper& wrap);

  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Handler* handler = nullptr;  // set when kFound
    std::string_view pattern;          // the matched pattern (kFound, kMethodNotAllowed)
    int pattern_index = -1;            // dense index of the pattern, < pattern_count()
    std::string allow;                 // "GET, HEAD, POST" when kMethodNotAllowed
  };
  // Matches and, when found, fills request's route and path parameters.
  Match Route(HttpRequest& request) const;

  // The 404 or 405 answer for a match that is not kFound.
  static HttpResponse UnroutedResponse(const HttpRequest& request, const Match& match);

  // Routes and runs the handler; answers 404/405 itself and turns a thrown
  // exception into 500 internal. What HttpServer does, without a socket.
  void Dispatch(HttpRequest& request, Responder respond) const;

  // Patterns registered, in a dense order (metrics use the index).
  int pattern_count() const;
  std::string_view pattern(int index) const;

 private:
  std::unique_ptr<RouterNode> root_;
  std::vector<const RouterNode*> patterns_;
};

}  // namespace vigil

#endif  // VIGIL_HTTP_ROUTER_H_
