#include "http/router.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>

#include "absl/container/inlined_vector.h"
#include "common/percent_encoding.h"

namespace vigil {

struct RouterNode {
  std::map<std::string, std::unique_ptr<RouterNode>, std::less<>> literal_children;
  std::unique_ptr<RouterNode> param_child;
  std::string param_name;  // of param_child's segment
  std::vector<std::pair<std::string, Handler>> handlers;
  std::string pattern;
  int index = -1;
};

namespace {

using RawParams = absl::InlinedVector<std::pair<std::string_view, std::string_view>, 4>;

[[noreturn]] void DieBadRoute(std::string_view pattern, std::string_view why) {
  std::fprintf(stderr, "Router::Add(\"%.*s\"): %.*s\n", static_cast<int>(pattern.size()),
               pattern.data(), static_cast<int>(why.size()), why.data());
  std::abort();
}

bool IsParamSegment(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool IsValidParamName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Splits "/seg/rest" into "seg" and "/rest" (or "").
std::pair<std::string_view, std::string_view> NextSegment(std::string_view rest) {
  rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {rest, {}};
  return {rest.substr(0, slash), rest.substr(slash)};
}

bool MatchNodeImpl(const RouterNode& node, std::string_view rest, RawParams& params,
                   const RouterNode** found);

void WrapNode(RouterNode& node, const Router::HandlerWrapper& wrap) {
  for (auto& [method, handler] : node.handlers)
    handler = wrap(method, node.pattern, std::move(handler));
  for (auto& [segment, child] : node.literal_children) WrapNode(*child, wrap);
  if (node.param_child) WrapNode(*node.param_child, wrap);
}

}  // namespace

Router::Router() : root_(std::make_unique<RouterNode>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern.front() != '/') DieBadRoute(pattern, "must start with '/'");
  if (method.empty()) DieBadRoute(pattern, "empty method");
  RouterNode* node = root_.get();
  for (std::string_view rest = pattern; !rest.empty();) {
    auto [segment, tail] = NextSegment(rest);
    rest = tail;
    if (IsParamSegment(segment)) {
      std::string_view name = segment.substr(1, segment.size() - 2);
      if (!IsValidParamName(name)) DieBadRoute(pattern, "bad parameter name");
      if (!node->param_child) {
        node->param_child = std::make_unique<RouterNode>();
        node->param_name = std::string(name);
      } else if (node->param_name != name) {
        DieBadRoute(pattern, "parameter name differs from an earlier route's at this position");
      }
      node = node->param_child.get();
      continue;
    }
    if (segment.find_first_of("{}") != std::string_view::npos) {
      DieBadRoute(pattern, "braces outside a whole-segment parameter");
    }
    auto& child = node->literal_children[std::string(segment)];
    if (!child) child = std::make_unique<RouterNode>();
    node = child.get();
  }
  for (const auto& [m, h] : node->handlers) {
    if (m == method) DieBadRoute(pattern, "duplicate route for this method");
  }
  if (node->index < 0) {
    node->index = static_cast<int>(patterns_.size());
    node->pattern = std::string(pattern);
    patterns_.push_back(node);
  }
  node->handlers.emplace_back(std::string(method), std::move(handler));
}

namespace {

bool MatchNodeImpl(const RouterNode& node, std::string_view rest, RawParams& params,
                   const RouterNode** found) {
  if (rest.empty()) {
    if (node.index < 0) return false;
    *found = &node;
    return true;
  }
  auto [segment, tail] = NextSegment(rest);
  auto it = node.literal_children.find(segment);
  if (it != node.literal_children.end() && MatchNodeImpl(*it->second, tail, params, found)) {
    return true;
  }
  if (node.param_child && !segment.empty()) {
    params.emplace_back(node.param_name, segment);
    if (MatchNodeImpl(*node.param_child, tail, params, found)) return true;
    params.pop_back();
  }
  return false;
}

std::string AllowHeader(const std::vector<std::pair<std::string, Handler>>& handlers) {
  std::vector<std::string_view> methods;
  for (const auto& [method, handler] : handlers) methods.push_back(method);
  bool has_get = std::find(methods.begin(), methods.end(), "GET") != methods.end();
  bool has_head = std::find(methods.begin(), methods.end(), "HEAD") != methods.end();
  if (has_get && !has_head) methods.push_back("HEAD");
  std::sort(methods.begin(), methods.end());
  std::string allow;
  for (std::string_view m : methods) {
    if (!allow.empty()) allow += ", ";
    allow += m;
  }
  return allow;
}

}  // namespace

void Router::WrapHandlers(const HandlerWrapper& wrap) { WrapNode(*root_, wrap); }

Router::Match Router::Route(HttpRequest& request) const {
  Match match;
  std::string_view path = request.path();
  RawParams params;
  const RouterNode* node = nullptr;
  if (path.empty() || path.front() != '/' || !MatchNodeImpl(*root_, path, params, &node)) {
    return match;
  }
  match.pattern = node->pattern;
  match.pattern_index = node->index;
  std::string_view method = request.method();
  for (std::string_view wanted : {method, method == "HEAD" ? std::string_view("GET") : ""}) {
    for (const auto& [m, handler] : node->handlers) {
      if (!wanted.empty() && m == wanted) match.handler = &handler;
    }
    if (match.handler != nullptr) break;
  }
  if (match.handler == nullptr) {
    match.kind = Match::Kind::kMethodNotAllowed;
    match.allow = AllowHeader(node->handlers);
    return match;
  }
  match.kind = Match::Kind::kFound;
  request.set_route(node->pattern);
  request.ClearParams();
  std::string decoded;
  for (const auto& [name, raw] : params) {
    PercentDecode(raw, false, &decoded);
    request.AddParam(name, decoded);
  }
  return match;
}

int Router::pattern_count() const { return static_cast<int>(patterns_.size()); }

std::string_view Router::pattern(int index) const { return patterns_[index]->pattern; }

void Router::Dispatch(HttpRequest& request, Responder respond) const {
  auto done = std::make_shared<std::atomic<bool>>(false);
  Responder once = [done, respond = std::move(respond)](HttpResponse response) {
    if (!done->exchange(true)) respond(std::move(response));
  };
  Match match = Route(request);
  if (match.kind == Match::Kind::kFound) {
    try {
      (*match.handler)(request, once);
    } catch (...) {
      once(ErrorResponse(500, "internal", "internal error"));  // ignored if answered already
    }
  } else {
    once(UnroutedResponse(request, match));
  }
}

HttpResponse Router::UnroutedResponse(const HttpRequest& request, const Match& match) {
  if (match.kind == Match::Kind::kMethodNotAllowed) {
    HttpResponse response =
        ErrorResponse(405, "method_not_allowed",
                      fmt::format("{} is not allowed on {}", request.method(), match.pattern));
    response.headers.emplace_back("Allow", match.allow);
    return response;
  }
  return ErrorResponse(404, "not_found", fmt::format("no route for {}", request.path()));
}

}  // namespace vigil
