// FakeTwilioServer (tests only): a small HTTP/1.1 server on 127.0.0.1, port
// 0, run by its own thread, that speaks the part of Twilio's REST API Vigil
// uses: POST /2010-04-01/Accounts/{sid}/Messages.json with HTTP basic auth
// and a form body. It records every request, answers 201 with a Twilio-like
// message resource, and, as Twilio does, answers a repeated
// I-Twilio-Idempotency-Token with the first message instead of creating
// another. Tests script failures for the next requests.
//
// Thread-safe: all methods may be called from any thread while it serves.
#ifndef VIGIL_SMS_FAKE_TWILIO_SERVER_H_
#define VIGIL_SMS_FAKE_TWILIO_SERVER_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "sms/form.h"

namespace vigil {

class FakeTwilioServer {
 public:
  enum class Fault {
    kTooManyRequests,  // 429 with Retry-After (see set_retry_after), Twilio error 20429
    kServerError,      // 500 with Twilio error 20500
    kInvalidNumber,    // 400 with Twilio error 21211, the invalid 'To' number
    kCloseConnection,  // close the connection without answering
    kNeverAnswer,      // hold the connection open without answering
  };

  struct Request {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    FormParams form;  // the body decoded; empty when it is not a form
    // The first header with this name (case-insensitive), or "".
    std::string Header(std::string_view name) const;
  };

  // A message the server created (one per idempotency token).
  struct Message {
    std::string sid;
    std::string to;
    std::string from;
    std::string body;
    std::string status_callback;
  };

  // Accepts requests authenticated as `account_sid`:`auth_token`.
  FakeTwilioServer(std::string account_sid, std::string auth_token);
  ~FakeTwilioServer();
  FakeTwilioServer(const FakeTwilioServer&) = delete;
  FakeTwilioServer& operator=(const FakeTwilioServer&) = delete;

  // What TwilioOptions::api_base should be: "http://127.0.0.1:<port>".
  std::string api_base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The next `times` requests (after those already scripted) fail with `fault`.
  void FailNext(Fault fault, int times = 1);
  // The Retry-After header value sent with 429 ("0" unless set; "" sends none).
  void set_retry_after(std::string value);

  std::vector<Request> requests() const;
  std::vector<Message> messages() const;

  // A port on 127.0.0.1 that nothing listens on (bound, then closed).
  static int UnusedPort();

  // One answer, as the connection code needs it.
  struct Reply {
    int status = 201;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close_without_answer = false;
    bool never_answer = false;
  };
  // Records `request` and decides the reply; called by the server's thread.
  Reply Handle(Request request);

 private:
  void Accept();
  Reply CreateMessage(const Request& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Reply FaultReply(Fault fault) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string account_sid_;
  const std::string expected_authorization_;
  const std::string messages_path_;

  mutable absl::Mutex mutex_;
  std::deque<Fault> faults_ ABSL_GUARDED_BY(mutex_);
  std::string retry_after_ ABSL_GUARDED_BY(mutex_) = "0";
  std::vector<Request> requests_ ABSL_GUARDED_BY(mutex_);
  std::vector<Message> messages_ ABSL_GUARDED_BY(mutex_);
  // Idempotency token -> the index in messages_ of the message it created.
  std::map<std::string, size_t> by_token_ ABSL_GUARDED_BY(mutex_);

  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace vigil

#endif  // VIGIL_SMS_FAKE_TWILIO_SERVER_H_
