#include "http/http_request.h"

#include <atomic>
#include <random>

#include "common/ascii.h"
#include "common/percent_encoding.h"
#include "fmt/format.h"

namespace vigil {
namespace {

// Grows `v` by one default element unless a reusable one is left from an
// earlier request, and returns it.
template <typename T>
T& NextSlot(std::vector<T>& v, size_t& used) {
  if (used == v.size()) v.emplace_back();
  return v[used++];
}

}  // namespace

void GenerateRequestId(std::string* out) {
  static const uint32_t prefix = std::random_device{}();
  static std::atomic<uint64_t> counter{0};
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  out->clear();
  fmt::format_to(std::back_inserter(*out), "{:08x}-{:x}", prefix, n);
}

bool HttpRequest::IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

HttpRequest HttpRequest::Make(std::string_view method, std::string_view target,
                              const Headers& headers, std::string body) {
  HttpRequest request;
  request.Reset(method, target, std::chrono::steady_clock::now());
  for (const auto& [name, value] : headers) request.AddHeader(name, value);
  request.AssignRequestId();
  request.body_ = std::move(body);
  return request;
}

void HttpRequest::Reset(std::string_view method, std::string_view target,
                        std::chrono::steady_clock::time_point received_at) {
  method_.assign(method);
  target_.assign(target);
  size_t question = target_.find('?');
  path_size_ = question == std::string::npos ? target_.size() : question;
  num_headers_ = 0;
  num_params_ = 0;
  body_.clear();
  remote_address_.clear();
  request_id_.clear();
  route_ = {};
  received_at_ = received_at;
  ParseQuery();
}

void HttpRequest::ParseQuery() {
  num_query_ = 0;
  std::string_view rest = query_string();
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto& [key, value] = NextSlot(query_, num_query_);
    PercentDecode(pair.substr(0, eq), true, &key);
    PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true,
                  &value);
  }
}

void HttpRequest::AddHeader(std::string_view name, std::string_view value) {
  auto& [n, v] = NextSlot(headers_, num_headers_);
  n.assign(name);
  v.assign(value);
}

void HttpRequest::AssignRequestId() {
  std::optional<std::string_view> incoming = Header("X-Request-Id");
  if (incoming && IsValidRequestId(*incoming)) {
    request_id_.assign(*incoming);
  } else {
    GenerateRequestId(&request_id_);
  }
}

void HttpRequest::AddParam(std::string_view name, std::string_view decoded_value) {
  PathParam& param = NextSlot(params_, num_params_);
  param.name = name;
  param.value.assign(decoded_value);
}

std::optional<std::string_view> HttpRequest::Query(std::string_view key) const {
  for (size_t i = 0; i < num_query_; ++i) {
    if (query_[i].first == key) return query_[i].second;
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (size_t i = 0; i < num_headers_; ++i) {
    if (EqualsIgnoreCase(headers_[i].first, name)) return headers_[i].second;
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::Param(std::string_view name) const {
  for (size_t i = 0; i < num_params_; ++i) {
    if (params_[i].name == name) return params_[i].value;
  }
  return std::nullopt;
}

}  // namespace vigil
