#include "http/test_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/ascii.h"
#include "fmt/format.h"

namespace vigil {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> TestHttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

TestHttpClient::TestHttpClient(int port, std::chrono::milliseconds receive_timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    std::fprintf(stderr, "TestHttpClient: cannot connect to port %d: %s\n", port,
                 std::strerror(errno));
    std::abort();
  }
  timeval tv{};
  tv.tv_sec = receive_timeout.count() / 1000;
  tv.tv_usec = (receive_timeout.count() % 1000) * 1000;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

TestHttpClient::~TestHttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestHttpClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestHttpClient::Fill() {
  char chunk[16384];
  while (true) {
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) timed_out_ = true;
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::optional<TestHttpResponse> TestHttpClient::Read(bool head) {
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return std::nullopt;
  }
  std::string_view text(buffer_.data(), end);
  TestHttpResponse response;
  size_t line_end = text.find("\r\n");
  std::string_view status_line = text.substr(0, line_end);
  size_t space = status_line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  response.version = std::string(status_line.substr(0, space));
  response.status = std::atoi(std::string(status_line.substr(space + 1, 3)).c_str());
  size_t content_length = 0;
  while (line_end != std::string_view::npos && line_end < text.size()) {
    size_t start = line_end + 2;
    line_end = text.find("\r\n", start);
    std::string_view line = text.substr(
        start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string name(Trim(line.substr(0, colon)));
    std::string value(Trim(line.substr(colon + 1)));
    if (EqualsIgnoreCase(name, "Content-Length")) content_length = std::stoul(value);
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  if (head) content_length = 0;
  size_t body_start = end + 4;
  while (buffer_.size() < body_start + content_length) {
    if (!Fill()) return std::nullopt;
  }
  response.body = buffer_.substr(body_start, content_length);
  buffer_.erase(0, body_start + content_length);
  return response;
}

std::optional<TestHttpResponse> TestHttpClient::Request(std::string_view method,
                                                        std::string_view target,
                                                        std::string_view body,
                                                        std::string_view extra_headers) {
  std::string request =
      fmt::format("{} {} HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n{}\r\n{}", method, target,
                  body.size(), extra_headers, body);
  if (!Send(request)) return std::nullopt;
  return Read(method == "HEAD");
}

bool TestHttpClient::WaitForClose() {
  timed_out_ = false;
  while (Fill()) buffer_.clear();
  return !timed_out_;
}

}  // namespace vigil
