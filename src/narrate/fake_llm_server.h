// FakeLlmServer (tests only): a small HTTP/1.1 server on 127.0.0.1, port 0,
// run by its own thread, that answers each request with what a handler
// returns: a status, headers and body, or no answer at all (the connection is
// held open until the server stops). Counts the requests it read.
// Thread-safe: requests() may be read from any thread.
#ifndef VIGIL_NARRATE_FAKE_LLM_SERVER_H_
#define VIGIL_NARRATE_FAKE_LLM_SERVER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace vigil {

class FakeLlmServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool never_answer = false;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit FakeLlmServer(Handler handler);
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

  // A port on 127.0.0.1 that nothing listens on (bound, then closed).
  static int UnusedPort();

 private:
  void Accept();

  Handler handler_;
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace vigil

#endif  // VIGIL_NARRATE_FAKE_LLM_SERVER_H_
