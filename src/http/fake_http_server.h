// FakeHttpServer (tests only): the outside services Vigil calls (an LLM's
// HTTP API, Twilio's) played by a small HTTP/1.1 server on 127.0.0.1, run by
// its own thread. Each connection carries one request, answered with what the
// handler returns: a status, headers and body; or the connection closed
// without an answer; or no answer at all (held open until the client gives
// up or the server stops). Thread-safe: requests() may be read, and Stop()
// called, from any thread; the handler runs on the server's thread.
#ifndef VIGIL_HTTP_FAKE_HTTP_SERVER_H_
#define VIGIL_HTTP_FAKE_HTTP_SERVER_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace vigil {

class FakeHttpServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  struct Reply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string content_type = "application/json";
    bool close_without_answer = false;
    bool never_answer = false;
  };
  using Handler = std::function<Reply(const Request&)>;

  // Listens on `port` (0: any free one). The port of a stopped server can be
  // taken again at once (SO_REUSEADDR), to play a service that restarts.
  explicit FakeHttpServer(Handler handler, int port = 0);
  ~FakeHttpServer();  // Stop()
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

  // Stops listening and closes every open connection, as a service that goes
  // away would. Idempotent.
  void Stop();

  // A port on 127.0.0.1 that nothing listens on (bound, then closed).
  static int UnusedPort();

 private:
  struct Session;

  void Accept();

  Handler handler_;
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<int> requests_{0};
  // Open connections; used by the server's thread, and by Stop once that
  // thread has ended.
  std::vector<std::weak_ptr<Session>> sessions_;
  absl::Mutex stop_mutex_;
  std::thread thread_ ABSL_GUARDED_BY(stop_mutex_);
};

}  // namespace vigil

#endif  // VIGIL_HTTP_FAKE_HTTP_SERVER_H_
