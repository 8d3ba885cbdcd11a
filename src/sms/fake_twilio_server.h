// FakeTwilioServer (tests only): a FakeHttpServer on 127.0.0.1 that speaks
// the part of Twilio's REST API Vigil uses, with HTTP basic auth:
//  - POST /2010-04-01/Accounts/{sid}/Messages.json (form body) creates a
//    message and answers 201 with a Twilio-like message resource;
//  - GET the same path lists messages as Twilio's list resource does: newest
//    first, filtered by To when given, PageSize (default 50) per page, with a
//    next_page_uri (Page and PageToken) to the next page, null on the last.
// It records every request. Like real Twilio as documented, it does not
// de-duplicate by I-Twilio-Idempotency-Token unless set_deduplicate(true).
// Tests script failures for the next requests, and may seed messages.
//
// Thread-safe: all methods may be called from any thread while it serves.
#ifndef VIGIL_SMS_FAKE_TWILIO_SERVER_H_
#define VIGIL_SMS_FAKE_TWILIO_SERVER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/time.h"
#include "http/fake_http_server.h"
#include "sms/form.h"

namespace vigil {

class FakeTwilioServer {
 public:
  enum class Fault {
    kTooManyRequests,  // 429 with Retry-After (see set_retry_after), Twilio error 20429
    kServerError,      // 500 with Twilio error 20500
    kInvalidNumber,    // 400 with Twilio error 21211, the invalid 'To' number
    kCloseConnection,  // close the connection without answering (nothing is done)
    kNeverAnswer,      // hold the connection open without answering (nothing is done)
    // Do what the request asks (a valid POST creates the message), then
    // close the connection without answering: the client cannot know.
    kCreateThenClose,
    // Do what the request asks, then hold the connection open without
    // answering until the client gives up (or the server stops).
    kCreateThenNeverAnswer,
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

  // A message the server holds: created by a POST, or seeded by AddMessage.
  struct Message {
    std::string sid;
    std::string to;
    std::string from;
    std::string body;
    std::string status_callback;
    Timestamp date_created = 0;  // from the server's clock (see set_clock)
    std::string status = "queued";
  };

  // Accepts requests authenticated as `account_sid`:`auth_token`, on `port`
  // of 127.0.0.1 (0: any free port). A port that a stopped server used can
  // be taken again at once, even while connections to it linger.
  FakeTwilioServer(std::string account_sid, std::string auth_token, int port = 0);
  ~FakeTwilioServer();  // Stop()s
  FakeTwilioServer(const FakeTwilioServer&) = delete;
  FakeTwilioServer& operator=(const FakeTwilioServer&) = delete;

  // Stops serving: closes the listening socket and every open connection,
  // including those held by kNeverAnswer / kCreateThenNeverAnswer, whose
  // clients then see the connection closed. Idempotent; requests(),
  // messages() and the setters keep working.
  void Stop();

  int port() const { return http_.port(); }
  // What TwilioOptions::api_base should be: "http://127.0.0.1:<port>".
  std::string api_base() const { return http_.endpoint(); }

  // The next `times` requests (after those already scripted) fail with `fault`.
  void FailNext(Fault fault, int times = 1);
  // The Retry-After header value sent with 429 ("0" unless set; "" sends none).
  void set_retry_after(std::string value);
  // Whether a repeated I-Twilio-Idempotency-Token is answered with the
  // message it first created instead of creating another. Off by default:
  // Twilio does not document that its Messages API does this, and tests of
  // sending at most once must not pass only thanks to the fake.
  void set_deduplicate(bool deduplicate);
  // Where date_created of new messages comes from (NowSeconds by default).
  void set_clock(std::function<Timestamp()> now);
  // Adds a message as if it had been created before (by this server or an
  // earlier one: pass another server's messages() to carry them over). A
  // message without a sid gets a new one. Returns the sid.
  std::string AddMessage(Message message);

  std::vector<Request> requests() const;
  std::vector<Message> messages() const;  // in the order they were created or added

  // A port on 127.0.0.1 that nothing listens on (bound, then closed).
  static int UnusedPort() { return FakeHttpServer::UnusedPort(); }

 private:
  using Reply = FakeHttpServer::Reply;

  // Records `request` and decides the reply; called by the server's thread.
  Reply Handle(const FakeHttpServer::Request& request);
  Reply Route(const Request& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Reply CreateMessage(const Request& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Reply ListMessages(const Request& request) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  Reply FaultReply(Fault fault) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string account_sid_;
  const std::string expected_authorization_;
  const std::string messages_path_;

  mutable absl::Mutex mutex_;
  std::deque<Fault> faults_ ABSL_GUARDED_BY(mutex_);
  std::string retry_after_ ABSL_GUARDED_BY(mutex_) = "0";
  bool deduplicate_ ABSL_GUARDED_BY(mutex_) = false;
  std::function<Timestamp()> now_ ABSL_GUARDED_BY(mutex_);
  std::vector<Request> requests_ ABSL_GUARDED_BY(mutex_);
  std::vector<Message> messages_ ABSL_GUARDED_BY(mutex_);
  // Idempotency token -> the index in messages_ of the message it created.
  std::map<std::string, size_t> by_token_ ABSL_GUARDED_BY(mutex_);

  // Last: its thread calls Handle, which uses everything above.
  FakeHttpServer http_;
};

}  // namespace vigil

#endif  // VIGIL_SMS_FAKE_TWILIO_SERVER_H_
