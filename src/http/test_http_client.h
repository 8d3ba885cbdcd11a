// TestHttpClient: a small blocking HTTP/1.1 client over a raw socket, for
// black-box server tests. Every read has a receive timeout, so a broken
// server fails the test instead of hanging it. Not thread-safe.
#ifndef VIGIL_HTTP_TEST_HTTP_CLIENT_H_
#define VIGIL_HTTP_TEST_HTTP_CLIENT_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil {

struct TestHttpResponse {
  int status = 0;
  std::string version;  // "HTTP/1.1"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of `name`, compared case-insensitively.
  std::optional<std::string> Header(std::string_view name) const;
};

class TestHttpClient {
 public:
  // Connects to 127.0.0.1:`port`; aborts the test process if it cannot.
  explicit TestHttpClient(int port,
                          std::chrono::milliseconds receive_timeout = std::chrono::seconds(10));
  ~TestHttpClient();
  TestHttpClient(const TestHttpClient&) = delete;
  TestHttpClient& operator=(const TestHttpClient&) = delete;

  // Sends raw bytes; false if the connection is gone.
  bool Send(std::string_view bytes);
  // Reads one response (Content-Length framed; no body if `head`). nullopt on
  // EOF, reset, timeout or a malformed response.
  std::optional<TestHttpResponse> Read(bool head = false);
  // Sends a request with Content-Length and reads the response.
  std::optional<TestHttpResponse> Request(std::string_view method, std::string_view target,
                                          std::string_view body = "",
                                          std::string_view extra_headers = "");
  // Blocks until the server closes the connection: true on EOF or reset,
  // false if the receive timeout passed first. Discards data read meanwhile.
  bool WaitForClose();
  // Bytes received but not yet consumed by Read.
  const std::string& pending() const { return buffer_; }

 private:
  // Reads more bytes into buffer_; false on EOF, error or timeout.
  bool Fill();

  int fd_ = -1;
  std::string buffer_;
  bool timed_out_ = false;
};

}  // namespace vigil

#endif  // VIGIL_HTTP_TEST_HTTP_CLIENT_H_
