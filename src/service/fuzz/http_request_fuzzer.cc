// Fuzzes what the server does with a request line and headers before any
// handler runs, without a socket: HttpRequest (target, query string, headers,
// request id) and Router (path matching, parameters, 404/405 answers).
//
// The input is text, so that corpus entries can be read and written by hand:
//   line 1: "<method> <target>" (no space: GET and the whole line as target)
//   line 2: a second target, parsed into the same HttpRequest afterwards, as
//           the server reuses one per connection
//   rest:   headers, "name: value"
//
// Besides never crashing, leaking or tripping UBSan, it checks:
//  - path() and query_string() put back together are the target;
//  - Query(k) is the first pair whose key decodes to k, with its value
//    decoded (checked against a second, simpler decoder), and any bytes
//    percent-encoded decode back to themselves;
//  - Header() ignores case; the request id is always a valid one;
//  - a request reused for a second target answers exactly as a fresh one;
//  - a routed request's parameters, percent-encoded into the pattern, route
//    again to the same pattern and parameters; a 405 names allowed methods;
//    every 404/405 body is valid JSON; Dispatch answers exactly once, also
//    when a handler throws.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/percent_encoding.h"
#include "http/http_request.h"
#include "http/http_response.h"
#include "http/router.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "http_request_fuzzer: %.*s\n  %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// The routes of VigilServer (service/vigil_server.cc), plus two that exercise
// the router's backtracking: a literal beside a parameter, and a parameter
// beside a literal one level up.
const Router& TheRouter() {
  static const Router* router = [] {
    auto* r = new Router();
    const std::pair<const char*, const char*> routes[] = {
        {"POST", "/v1/orders/score"},
        {"POST", "/v1/returns/score"},
        {"POST", "/v1/events"},
        {"GET", "/v1/decisions/{id}"},
        {"GET", "/v1/decisions/{id}/similar"},
        {"GET", "/v1/customers/{id}"},
        {"GET", "/v1/lists"},
        {"POST", "/v1/lists"},
        {"DELETE", "/v1/lists/{list}/{field}/{value}"},
        {"POST", "/v1/models/reload"},
        {"GET", "/healthz"},
        {"GET", "/readyz"},
        {"GET", "/metrics"},
        {"GET", "/v1/decisions/recent"},
        {"GET", "/v1/{kind}/{id}/history"},
    };
    for (const auto& [method, pattern] : routes) {
      const std::string_view p = pattern;
      r->Add(method, pattern, [p](HttpRequest& request, Responder respond) {
        // A handler that throws after routing: Dispatch must answer 500, once.
        if (p == "/v1/models/reload") throw std::runtime_error("handler failed");
        HttpResponse response;
        response.body = std::string(request.route());
        respond(response);
        respond(std::move(response));  // ignored
      });
    }
    return r;
  }();
  return *router;
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A second percent-decoder to hold PercentDecode to.
std::string ReferenceDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '%' && in.size() - i >= 3 && Hex(in[i + 1]) >= 0 && Hex(in[i + 2]) >= 0) {
      out += static_cast<char>(Hex(in[i + 1]) * 16 + Hex(in[i + 2]));
      i += 3;
    } else {
      out += plus_is_space && in[i] == '+' ? ' ' : in[i];
      ++i;
    }
  }
  return out;
}

std::string EncodeAll(std::string_view in) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    out += '%';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

struct Input {
  std::string method = "GET";
  std::string target, second_target;
  HttpRequest::Headers headers;
};

Input Split(std::string_view data) {
  Input in;
  std::vector<std::string_view> lines;
  while (!data.empty()) {
    const size_t nl = data.find('\n');
    lines.push_back(data.substr(0, nl));
    data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
  }
  if (!lines.empty()) {
    const size_t space = lines[0].find(' ');
    if (space == std::string_view::npos) {
      in.target = lines[0];
    } else {
      in.method = lines[0].substr(0, space);
      in.target = lines[0].substr(space + 1);
    }
  }
  if (lines.size() > 1) in.second_target = lines[1];
  for (size_t i = 2; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    std::string_view name = lines[i].substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : lines[i].substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    in.headers.emplace_back(name, value);
  }
  return in;
}

// The query keys of `target`, decoded, in order.
std::vector<std::pair<std::string, std::string>> ReferenceQuery(std::string_view target) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return pairs;
  std::string_view rest = target.substr(q + 1);
  while (true) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      pairs.emplace_back(ReferenceDecode(pair.substr(0, eq), true),
                         eq == std::string_view::npos ? std::string()
                                                      : ReferenceDecode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return pairs;
}

void CheckParsed(const HttpRequest& request, std::string_view target, const Input& in) {
  std::string whole(request.path());
  if (whole.find('?') != std::string::npos) Fail("the path holds a '?'", target);
  if (whole.size() < target.size()) whole += "?" + std::string(request.query_string());
  if (whole != target) Fail("path and query do not make up the target", target);

  const auto pairs = ReferenceQuery(target);
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& [key, value] = pairs[i];
    auto got = request.Query(key);
    if (!got) Fail("a query key is not found", target);
    // The first pair with this key.
    size_t first = 0;
    while (pairs[first].first != key) ++first;
    if (*got != pairs[first].second) Fail("a query value is decoded wrong", target);
  }
  // A key that is in no pair is absent.
  std::string absent = "absent";
  for (const auto& [key, value] : pairs) absent += key;
  if (request.Query(absent)) Fail("a query key no pair has is found", target);

  for (const auto& [name, value] : in.headers) {
    auto lower = request.Header(Lower(name));
    auto upper = request.Header(Upper(name));
    if (!lower || !upper || *lower != *upper) Fail("header lookup depends on case", name);
  }
  if (!HttpRequest::IsValidRequestId(request.request_id())) {
    Fail("the request id is not valid", request.request_id());
  }
  auto incoming = request.Header("x-request-id");
  if (incoming && HttpRequest::IsValidRequestId(*incoming) && request.request_id() != *incoming) {
    Fail("a valid X-Request-Id is not kept", *incoming);
  }
}

void CheckJsonBody(const HttpResponse& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.contains("error"))
    Fail("an error body is not JSON", response.body);
}

// Routes `request` and checks the match; returns it.
Router::Match CheckRoute(HttpRequest& request) {
  const Router& router = TheRouter();
  Router::Match match = router.Route(request);
  switch (match.kind) {
    case Router::Match::Kind::kFound: {
      if (match.handler == nullptr) Fail("a found route has no handler", request.path());
      if (request.route() != match.pattern)
        Fail("the request's route is not the match", match.pattern);
      // Put the parameters, every byte percent-encoded, back into the pattern.
      std::string path;
      std::vector<std::pair<std::string, std::string>> params;
      std::string_view rest = match.pattern;
      while (!rest.empty()) {
        rest.remove_prefix(1);
        const size_t slash = rest.find('/');
        std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
        path += '/';
        if (segment.size() >= 2 && segment.front() == '{') {
          const std::string name(segment.substr(1, segment.size() - 2));
          auto value = request.Param(name);
          if (!value) Fail("a parameter of the pattern is missing", match.pattern);
          if (value->empty()) Fail("a parameter is empty", request.path());
          path += EncodeAll(*value);
          params.emplace_back(name, *value);
        } else {
          path += segment;
        }
      }
      HttpRequest again = HttpRequest::Make(request.method(), path);
      const Router::Match rematch = router.Route(again);
      if (rematch.kind != Router::Match::Kind::kFound || rematch.pattern != match.pattern) {
        Fail("encoded parameters route elsewhere", path);
      }
      for (const auto& [name, value] : params) {
        if (again.Param(name) != value) Fail("encoded parameters decode differently", path);
      }
      break;
    }
    case Router::Match::Kind::kMethodNotAllowed: {
      if (match.allow.empty()) Fail("a 405 allows nothing", request.path());
      std::string_view allow = match.allow;
      while (!allow.empty()) {
        const size_t comma = allow.find(", ");
        if (allow.substr(0, comma) == request.method()) {
          Fail("a 405 allows the method it refused", match.allow);
        }
        allow = comma == std::string_view::npos ? std::string_view() : allow.substr(comma + 2);
      }
      const HttpResponse response = Router::UnroutedResponse(request, match);
      if (response.status != 405) Fail("a 405 match does not answer 405", response.body);
      CheckJsonBody(response);
      break;
    }
    case Router::Match::Kind::kNotFound: {
      const HttpResponse response = Router::UnroutedResponse(request, match);
      if (response.status != 404) Fail("a 404 match does not answer 404", response.body);
      CheckJsonBody(response);
      break;
    }
  }
  return match;
}

void Parse(HttpRequest& request, std::string_view method, std::string_view target,
           const HttpRequest::Headers& headers) {
  request.Reset(method, target, std::chrono::steady_clock::time_point());
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
  request.AssignRequestId();
}

void Run(std::string_view data) {
  const Input in = Split(data);
  HttpRequest request;
  Parse(request, in.method, in.target, in.headers);
  CheckParsed(request, in.target, in);
  const Router::Match first = CheckRoute(request);

  // The same request object, reused for the second target.
  Parse(request, in.method, in.second_target, in.headers);
  CheckParsed(request, in.second_target, in);
  const Router::Match second = CheckRoute(request);
  HttpRequest fresh = HttpRequest::Make(in.method, in.second_target, in.headers);
  const Router::Match fresh_match = TheRouter().Route(fresh);
  if (second.kind != fresh_match.kind || second.pattern != fresh_match.pattern ||
      request.route() != fresh.route()) {
    Fail("a reused request routes differently", in.second_target);
  }
  // Keys and parameters of the first target must not leak into the second.
  for (const auto& [key, value] : ReferenceQuery(in.target)) {
    if (request.Query(key) != fresh.Query(key)) Fail("a reused request keeps a query", key);
  }
  for (const std::string_view name : {"id", "list", "field", "value", "kind"}) {
    if (request.Param(name) != fresh.Param(name)) Fail("a reused request keeps a parameter", name);
  }
  (void)first;

  // Dispatch answers exactly once.
  for (HttpRequest* r : {&request, &fresh}) {
    int answers = 0;
    int status = 0;
    TheRouter().Dispatch(*r, [&](HttpResponse response) {
      ++answers;
      status = response.status;
    });
    if (answers != 1) Fail("Dispatch did not answer exactly once", r->path());
    if (r->route() == "/v1/models/reload" && status != 500)
      Fail("a throwing handler is not 500", "");
  }

  // Percent-decoding: against the reference, and of fully encoded bytes.
  std::string decoded;
  for (const bool plus : {false, true}) {
    PercentDecode(data, plus, &decoded);
    if (decoded != ReferenceDecode(data, plus))
      Fail("PercentDecode differs from the reference", data);
    PercentDecode(EncodeAll(data), plus, &decoded);
    if (decoded != data) Fail("percent-encoded bytes do not decode to themselves", data);
  }
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vigil::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
