#include "sms/twilio_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "sms/base64.h"
#include "sms/fake_twilio_server.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kToken[] = "secret-token";
constexpr char kFrom[] = "+15005550006";
constexpr char kTo[] = "+919812345678";
constexpr char kOtherTo[] = "+919800000001";
// The fake's clock, and the time a reconciling caller says it first sent at.
constexpr Timestamp kNow = 1'800'000'000;
constexpr Timestamp kSince = kNow - 60;

class TwilioClientTest : public ::testing::Test {
 protected:
  TwilioOptions Options(std::string api_base) {
    TwilioOptions options;
    options.account_sid = kSid;
    options.auth_token = kToken;
    options.from_number = kFrom;
    options.api_base = std::move(api_base);
    options.backoff.base_delay = milliseconds(1);
    options.backoff.max_delay = milliseconds(8);
    options.sleep = [this](milliseconds d) { waits_.push_back(d); };
    return options;
  }

  std::unique_ptr<TwilioClient> Client() { return Client(Options(server_.api_base())); }
  std::unique_ptr<TwilioClient> Client(TwilioOptions options) {
    StatusOr<std::unique_ptr<TwilioClient>> client = TwilioClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  static OutgoingSms Sms(std::string key = "txn-42/verify/1") {
    return {kTo, "Reply YES if you made this payment of ₹4,999 & NO if not", std::nullopt,
            std::move(key)};
  }

  // A message already at the fake, as if sent `age` seconds before kNow.
  std::string Seed(std::string to, std::string body, Timestamp age) {
    return server_.AddMessage(
        {.to = std::move(to), .from = kFrom, .body = std::move(body), .date_created = kNow - age});
  }

  std::vector<FakeTwilioServer::Request> Gets() const {
    std::vector<FakeTwilioServer::Request> gets;
    for (FakeTwilioServer::Request& r : server_.requests()) {
      if (r.method == "GET") gets.push_back(std::move(r));
    }
    return gets;
  }

  void SetUp() override {
    server_.set_clock([] { return kNow; });
  }

  FakeTwilioServer server_{kSid, kToken};
  std::vector<milliseconds> waits_;
};

TEST_F(TwilioClientTest, SendsFormFieldsBasicAuthAndIdempotencyToken) {
  OutgoingSms sms = Sms();
  sms.status_callback_url = "https://vigil.example/webhook/twilio?kind=status&x=1";
  const StatusOr<SentMessage> sent = Client()->Send(sms);
  ASSERT_TRUE(sent.ok()) << sent.status();

  ASSERT_THAT(server_.requests(), SizeIs(1));
  const FakeTwilioServer::Request r = server_.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
  EXPECT_EQ(r.Header("Authorization"), "Basic " + Base64Encode(std::string(kSid) + ":" + kToken));
  EXPECT_EQ(r.Header("I-Twilio-Idempotency-Token"), "txn-42/verify/1");
  EXPECT_EQ(r.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_THAT(r.form, ElementsAre(Pair("To", kTo), Pair("From", kFrom), Pair("Body", sms.body),
                                  Pair("StatusCallback", *sms.status_callback_url)));

  ASSERT_THAT(server_.messages(), SizeIs(1));
  EXPECT_EQ(sent->message_sid, server_.messages()[0].sid);
  EXPECT_THAT(sent->message_sid, MatchesRegex("SM[0-9a-f]{32}"));
  EXPECT_EQ(sent->status, "queued");
  EXPECT_EQ(sent->sender, "twilio");
  EXPECT_TRUE(waits_.empty());
}

TEST_F(TwilioClientTest, LeavesOutStatusCallbackWhenUnset) {
  ASSERT_TRUE(Client()->Send(Sms()).ok());
  EXPECT_EQ(FormValue(server_.requests()[0].form, "StatusCallback"), std::nullopt);
}

TEST_F(TwilioClientTest, RetriesAfterTooManyRequestsHonouringRetryAfter) {
  server_.FailNext(FakeTwilioServer::Fault::kTooManyRequests);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_THAT(server_.requests(), SizeIs(2));
  EXPECT_THAT(server_.messages(), SizeIs(1));
  EXPECT_THAT(waits_, ElementsAre(milliseconds(0)));  // Retry-After: 0
}

TEST_F(TwilioClientTest, CapsLongRetryAfter) {
  server_.set_retry_after("3600");
  server_.FailNext(FakeTwilioServer::Fault::kTooManyRequests);
  TwilioOptions options = Options(server_.api_base());
  options.backoff.max_retry_after = milliseconds(5);
  ASSERT_TRUE(Client(options)->Send(Sms()).ok());
  EXPECT_THAT(waits_, ElementsAre(milliseconds(5)));
}

TEST_F(TwilioClientTest, DoesNotRetryServerErrorOnSendByDefault) {
  server_.FailNext(FakeTwilioServer::Fault::kServerError);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sent.status().message(),
              AllOf(HasSubstr("after 1 attempt (not retried: Twilio may have created the message"),
                    HasSubstr("HTTP 500")));
  EXPECT_THAT(server_.requests(), SizeIs(1));
  EXPECT_TRUE(waits_.empty());
}

TEST_F(TwilioClientTest, FailsAfterMaxAttemptsOfServerErrorsWhenRetryingUnsureSends) {
  server_.FailNext(FakeTwilioServer::Fault::kServerError, 4);
  TwilioOptions options = Options(server_.api_base());
  options.retry_unsure_sends = true;
  const StatusOr<SentMessage> sent = Client(options)->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sent.status().message(),
              AllOf(HasSubstr("after 4 attempts"), HasSubstr("HTTP 500"), HasSubstr("20500")));
  EXPECT_THAT(server_.requests(), SizeIs(4));
  EXPECT_TRUE(server_.messages().empty());
  // Full jitter under a doubling bound: 1, 2, 4 ms.
  ASSERT_THAT(waits_, SizeIs(3));
  for (size_t i = 0; i < waits_.size(); ++i) EXPECT_LE(waits_[i], milliseconds(1 << i));
}

TEST_F(TwilioClientTest, SucceedsWhenServerRecoversWithinMaxAttempts) {
  server_.FailNext(FakeTwilioServer::Fault::kServerError, 3);
  TwilioOptions options = Options(server_.api_base());
  options.retry_unsure_sends = true;
  EXPECT_TRUE(Client(options)->Send(Sms()).ok());
  EXPECT_THAT(server_.requests(), SizeIs(4));
}

TEST_F(TwilioClientTest, InvalidNumberFailsAtOnceWithTwilioError) {
  server_.FailNext(FakeTwilioServer::Fault::kInvalidNumber);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sent.status().message(),
              AllOf(HasSubstr("after 1 attempt:"), HasSubstr("HTTP 400"), HasSubstr("21211"),
                    HasSubstr("The 'To' number is not a valid phone number."),
                    HasSubstr("https://www.twilio.com/docs/errors/21211")));
  EXPECT_THAT(server_.requests(), SizeIs(1));
  EXPECT_TRUE(waits_.empty());
  const std::optional<std::string> error = TwilioErrorObject(sent.status());
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(*error, AllOf(HasSubstr(R"("code":21211)"), HasSubstr(R"("status":400)")));
}

TEST_F(TwilioClientTest, ErrorMessagesMaskThePhoneNumber) {
  server_.FailNext(FakeTwilioServer::Fault::kInvalidNumber);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
  EXPECT_THAT(sent.status().message(), HasSubstr("+91******5678"));
  EXPECT_THAT(sent.status().message(), Not(HasSubstr(kTo)));
}

TEST_F(TwilioClientTest, WrongCredentialsFailUnauthenticatedWithoutRetry) {
  TwilioOptions options = Options(server_.api_base());
  options.auth_token = "wrong";
  const StatusOr<SentMessage> sent = Client(options)->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(sent.status().message(), HasSubstr("20003"));
  EXPECT_THAT(server_.requests(), SizeIs(1));
}

TEST_F(TwilioClientTest, FakeCreatesTwoMessagesForTheSameIdempotencyKeyByDefault) {
  const std::unique_ptr<TwilioClient> client = Client();
  const StatusOr<SentMessage> first = client->Send(Sms("key-1"));
  const StatusOr<SentMessage> again = client->Send(Sms("key-1"));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_NE(first->message_sid, again->message_sid);
  EXPECT_THAT(server_.messages(), SizeIs(2));
}

TEST_F(TwilioClientTest, FakeDeduplicatingAnswersTheSameIdempotencyKeyWithOneMessage) {
  server_.set_deduplicate(true);
  const std::unique_ptr<TwilioClient> client = Client();
  const StatusOr<SentMessage> first = client->Send(Sms("key-1"));
  const StatusOr<SentMessage> again = client->Send(Sms("key-1"));
  const StatusOr<SentMessage> other = client->Send(Sms("key-2"));
  ASSERT_TRUE(first.ok() && again.ok() && other.ok());
  EXPECT_EQ(first->message_sid, again->message_sid);
  EXPECT_NE(first->message_sid, other->message_sid);
  EXPECT_THAT(server_.requests(), SizeIs(3));
  EXPECT_THAT(server_.messages(), SizeIs(2));
}

TEST_F(TwilioClientTest, DoesNotRetryWhenConnectionClosesAfterTheRequestByDefault) {
  server_.FailNext(FakeTwilioServer::Fault::kCloseConnection);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sent.status().message(),
              AllOf(HasSubstr("after 1 attempt (not retried"),
                    HasSubstr("no answer from Twilio after the request was sent")));
  EXPECT_THAT(server_.requests(), SizeIs(1));
  EXPECT_TRUE(waits_.empty());
}

TEST_F(TwilioClientTest, RetriesWhenConnectionClosesWithoutAnswerWhenRetryingUnsureSends) {
  server_.FailNext(FakeTwilioServer::Fault::kCloseConnection);
  TwilioOptions options = Options(server_.api_base());
  options.retry_unsure_sends = true;
  const StatusOr<SentMessage> sent = Client(options)->Send(Sms());
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_THAT(server_.requests(), SizeIs(2));
  EXPECT_THAT(waits_, SizeIs(1));
}

TEST_F(TwilioClientTest, TimesOutWithoutRetryWhenServerNeverAnswers) {
  server_.FailNext(FakeTwilioServer::Fault::kNeverAnswer);
  TwilioOptions options = Options(server_.api_base());
  options.total_timeout = milliseconds(100);
  const StatusOr<SentMessage> sent = Client(options)->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(sent.status().message(), HasSubstr("after 1 attempt (not retried"));
  EXPECT_THAT(server_.requests(), SizeIs(1));
}

TEST_F(TwilioClientTest, TimesOutAndRetriesWhenServerNeverAnswersWhenRetryingUnsureSends) {
  server_.FailNext(FakeTwilioServer::Fault::kNeverAnswer, 2);
  TwilioOptions options = Options(server_.api_base());
  options.total_timeout = milliseconds(100);
  options.max_attempts = 2;
  options.retry_unsure_sends = true;
  const StatusOr<SentMessage> sent = Client(options)->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(sent.status().message(), HasSubstr("after 2 attempts"));
  EXPECT_THAT(server_.requests(), SizeIs(2));
}

// --- FindSent: reconciling a send whose outcome is unknown ---

TEST_F(TwilioClientTest, FindSentFindsTheCreatedMessageByListingMessagesToTheNumber) {
  const std::unique_ptr<TwilioClient> client = Client();
  const StatusOr<SentMessage> sent = client->Send(Sms());
  ASSERT_TRUE(sent.ok()) << sent.status();

  const StatusOr<std::optional<SentMessage>> found = client->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->message_sid, sent->message_sid);
  EXPECT_EQ((*found)->status, "queued");
  EXPECT_EQ((*found)->sender, "twilio");

  ASSERT_THAT(Gets(), SizeIs(1));
  const FakeTwilioServer::Request get = Gets()[0];
  EXPECT_EQ(get.target, std::string("/2010-04-01/Accounts/") + kSid +
                            "/Messages.json?To=%2B919812345678&PageSize=50");
  EXPECT_EQ(get.Header("Authorization"), "Basic " + Base64Encode(std::string(kSid) + ":" + kToken));
  EXPECT_EQ(get.Header("I-Twilio-Idempotency-Token"), "");
  EXPECT_THAT(server_.messages(), SizeIs(1));  // looking sends nothing
}

TEST_F(TwilioClientTest, FindSentIgnoresOtherNumbersOtherBodiesAndOlderMessages) {
  const OutgoingSms sms = Sms();
  Seed(kOtherTo, sms.body, 10);            // another number
  Seed(kTo, sms.body + " ", 10);           // another body, however close
  Seed(kTo, "Reply YES if you made", 10);  // a prefix
  Seed(kTo, sms.body, 60 + 300 + 1);       // before since, beyond the skew allowance
  const StatusOr<std::optional<SentMessage>> found = Client()->FindSent(sms, kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
}

TEST_F(TwilioClientTest, FindSentAllowsFiveMinutesOfClockSkew) {
  const OutgoingSms sms = Sms();
  const std::string sid = Seed(kTo, sms.body, 60 + 300);  // since - 300 s on Twilio's clock
  const StatusOr<std::optional<SentMessage>> found = Client()->FindSent(sms, kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->message_sid, sid);
}

TEST_F(TwilioClientTest, FindSentFollowsNextPageUriOverSeveralPages) {
  const OutgoingSms sms = Sms();
  const std::string sid = Seed(kTo, sms.body, 50);
  // 120 newer messages to the same number: ours is the 121st, on page 3.
  for (int i = 0; i < 120; ++i) Seed(kTo, fmt::format("Reply YES (ref P-{})", i), 49 - i % 40);
  const StatusOr<std::optional<SentMessage>> found = Client()->FindSent(sms, kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->message_sid, sid);

  const std::vector<FakeTwilioServer::Request> gets = Gets();
  ASSERT_THAT(gets, SizeIs(3));
  EXPECT_THAT(gets[1].target, AllOf(HasSubstr("To=%2B919812345678"), HasSubstr("PageSize=50"),
                                    HasSubstr("Page=1"), HasSubstr("PageToken=PASM")));
  EXPECT_THAT(gets[2].target, HasSubstr("Page=2"));
}

TEST_F(TwilioClientTest, FindSentReadsEveryPageWhenNothingMatches) {
  for (int i = 0; i < 101; ++i) Seed(kTo, fmt::format("Reply YES (ref P-{})", i), 30);
  const StatusOr<std::optional<SentMessage>> found = Client()->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  EXPECT_THAT(Gets(), SizeIs(3));  // 50 + 50 + 1
}

TEST_F(TwilioClientTest, FindSentStopsAtThePageThatReachesOlderMessages) {
  for (int i = 0; i < 40; ++i) Seed(kTo, fmt::format("Reply YES (ref P-{})", i), 30);
  for (int i = 0; i < 100; ++i) Seed(kTo, fmt::format("Reply YES (ref OLD-{})", i), 86400);
  const StatusOr<std::optional<SentMessage>> found = Client()->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  EXPECT_THAT(Gets(), SizeIs(1));
}

TEST_F(TwilioClientTest, SendTimesOutAfterCreateThenNeverAnswerAndFindSentFindsTheMessage) {
  server_.FailNext(FakeTwilioServer::Fault::kCreateThenNeverAnswer);
  TwilioOptions options = Options(server_.api_base());
  options.total_timeout = milliseconds(200);
  const std::unique_ptr<TwilioClient> client = Client(options);
  const StatusOr<SentMessage> sent = client->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(sent.status().message(), HasSubstr("after 1 attempt (not retried"));
  ASSERT_THAT(server_.messages(), SizeIs(1));  // created all the same, and only once

  const StatusOr<std::optional<SentMessage>> found = client->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->message_sid, server_.messages()[0].sid);
}

TEST_F(TwilioClientTest, SendFailsAfterCreateThenCloseAndFindSentFindsTheMessage) {
  server_.FailNext(FakeTwilioServer::Fault::kCreateThenClose);
  const std::unique_ptr<TwilioClient> client = Client();
  const StatusOr<SentMessage> sent = client->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable);
  ASSERT_THAT(server_.messages(), SizeIs(1));

  const StatusOr<std::optional<SentMessage>> found = client->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->message_sid, server_.messages()[0].sid);
}

TEST_F(TwilioClientTest, FindSentFindsNothingWhenTheUnansweredSendCreatedNothing) {
  server_.FailNext(FakeTwilioServer::Fault::kNeverAnswer);
  TwilioOptions options = Options(server_.api_base());
  options.total_timeout = milliseconds(200);
  const std::unique_ptr<TwilioClient> client = Client(options);
  EXPECT_EQ(client->Send(Sms()).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(server_.messages().empty());

  const StatusOr<std::optional<SentMessage>> found = client->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
  // So the caller sends it now: one message in all.
  ASSERT_TRUE(client->Send(Sms()).ok());
  EXPECT_THAT(server_.messages(), SizeIs(1));
}

TEST_F(TwilioClientTest, FindSentRetriesServerErrorsRateLimitsAndLostAnswers) {
  const std::unique_ptr<TwilioClient> client = Client();
  ASSERT_TRUE(client->Send(Sms()).ok());
  server_.FailNext(FakeTwilioServer::Fault::kServerError);
  server_.FailNext(FakeTwilioServer::Fault::kTooManyRequests);
  server_.FailNext(FakeTwilioServer::Fault::kCloseConnection);
  const StatusOr<std::optional<SentMessage>> found = client->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->has_value());
  EXPECT_THAT(Gets(), SizeIs(4));
  EXPECT_THAT(waits_, SizeIs(3));
}

TEST_F(TwilioClientTest, FindSentFailsAfterMaxAttemptsWithTheNumberMasked) {
  server_.FailNext(FakeTwilioServer::Fault::kServerError, 4);
  const StatusOr<std::optional<SentMessage>> found = Client()->FindSent(Sms(), kSince);
  EXPECT_EQ(found.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(found.status().message(),
              AllOf(HasSubstr("listing page 1 of the SMS sent to +91******5678 failed after 4 "
                              "attempts"),
                    HasSubstr("HTTP 500"), Not(HasSubstr(kTo))));
}

TEST_F(TwilioClientTest, FindSentWithWrongCredentialsFailsUnauthenticated) {
  TwilioOptions options = Options(server_.api_base());
  options.auth_token = "wrong";
  const StatusOr<std::optional<SentMessage>> found = Client(options)->FindSent(Sms(), kSince);
  EXPECT_EQ(found.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(Gets(), SizeIs(1));
}

TEST_F(TwilioClientTest, FindSentRejectsNonE164NumberWithoutRequest) {
  OutgoingSms sms = Sms();
  sms.to = "09812345678";
  EXPECT_EQ(Client()->FindSent(sms, kSince).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

// Waits (bounded) until the fake has received `n` requests.
bool AwaitRequests(const FakeTwilioServer& server, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server.requests().size() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

TEST_F(TwilioClientTest, StoppingTheFakeClosesAHeldConnectionAndANewFakeTakesItsPort) {
  server_.FailNext(FakeTwilioServer::Fault::kCreateThenNeverAnswer);
  TwilioOptions options = Options(server_.api_base());
  options.total_timeout = milliseconds(30000);  // the stop, not the timeout, must end it
  const std::unique_ptr<TwilioClient> client = Client(options);
  StatusOr<SentMessage> held = absl::UnknownError("not run");
  std::thread sender([&] { held = client->Send(Sms()); });
  ASSERT_TRUE(AwaitRequests(server_, 1));

  const auto stop_began = std::chrono::steady_clock::now();
  server_.Stop();
  sender.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_began, std::chrono::seconds(10));
  EXPECT_EQ(held.status().code(), absl::StatusCode::kUnavailable) << held.status();

  // Twilio keeps what it created; so does the next fake when given it.
  FakeTwilioServer again(kSid, kToken, server_.port());
  again.set_clock([] { return kNow; });
  for (const FakeTwilioServer::Message& m : server_.messages()) again.AddMessage(m);
  const StatusOr<std::optional<SentMessage>> found = client->FindSent(Sms(), kSince);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->message_sid, server_.messages()[0].sid);
  EXPECT_THAT(again.requests(), SizeIs(1));
  server_.Stop();  // again: a no-op
}

TEST_F(TwilioClientTest, ClosedPortFailsUnavailableAfterRetries) {
  const std::string closed = "http://127.0.0.1:" + std::to_string(FakeTwilioServer::UnusedPort());
  const StatusOr<SentMessage> sent = Client(Options(closed))->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sent.status().message(),
              AllOf(HasSubstr("after 4 attempts"), HasSubstr("cannot reach Twilio")));
  EXPECT_THAT(waits_, SizeIs(3));
}

TEST_F(TwilioClientTest, RejectsNonE164NumberWithoutRequest) {
  OutgoingSms sms = Sms();
  sms.to = "09812345678";
  EXPECT_EQ(Client()->Send(sms).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(TwilioClientTest, CreateRejectsMissingOrMalformedOptions) {
  TwilioOptions options = Options(server_.api_base());
  options.account_sid = "";
  EXPECT_THAT(TwilioClient::Create(options).status().message(), HasSubstr("account SID"));
  options = Options(server_.api_base());
  options.account_sid = "AC../../x";
  EXPECT_THAT(TwilioClient::Create(options).status().message(), HasSubstr("account SID"));
  options = Options(server_.api_base());
  options.auth_token = "";
  EXPECT_THAT(TwilioClient::Create(options).status().message(), HasSubstr("auth token"));
  options = Options(server_.api_base());
  options.from_number = "";
  EXPECT_THAT(TwilioClient::Create(options).status().message(), HasSubstr("from number"));
  options = Options("ftp://api.twilio.com");
  EXPECT_THAT(TwilioClient::Create(options).status().message(), HasSubstr("API base"));
  options = Options(server_.api_base());
  options.max_attempts = 0;
  EXPECT_EQ(TwilioClient::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TwilioClientTest, AcceptsApiBaseWithTrailingSlash) {
  ASSERT_TRUE(Client(Options(server_.api_base() + "/"))->Send(Sms()).ok());
  EXPECT_EQ(server_.requests()[0].target,
            std::string("/2010-04-01/Accounts/") + kSid + "/Messages.json");
}

TEST_F(TwilioClientTest, ConcurrentSendsFromManyThreadsEachCreateOneMessage) {
  const std::unique_ptr<TwilioClient> client = Client();
  constexpr int kThreads = 4;
  constexpr int kSendsPerThread = 5;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSendsPerThread; ++i) {
        if (!client->Send(Sms(fmt::format("key-{}-{}", t, i))).ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_THAT(server_.messages(), SizeIs(kThreads * kSendsPerThread));
}

// Sets environment variables for one test and restores them after.
class ScopedEnvironment {
 public:
  void Set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnvironment() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(TwilioOptionsFromEnvironment, ReadsAllFourVariables) {
  ScopedEnvironment env;
  env.Set("TWILIO_ACCOUNT_SID", kSid);
  env.Set("TWILIO_AUTH_TOKEN", kToken);
  env.Set("TWILIO_FROM_NUMBER", kFrom);
  env.Set("TWILIO_API_BASE", "http://127.0.0.1:9");
  const std::optional<TwilioOptions> options = TwilioOptionsFromEnvironment();
  ASSERT_TRUE(options.has_value());
  EXPECT_EQ(options->account_sid, kSid);
  EXPECT_EQ(options->auth_token, kToken);
  EXPECT_EQ(options->from_number, kFrom);
  EXPECT_EQ(options->api_base, "http://127.0.0.1:9");
}

TEST(TwilioOptionsFromEnvironment, DefaultsApiBaseToTwilio) {
  ScopedEnvironment env;
  env.Set("TWILIO_ACCOUNT_SID", kSid);
  env.Set("TWILIO_AUTH_TOKEN", kToken);
  env.Set("TWILIO_API_BASE", nullptr);
  ASSERT_TRUE(TwilioOptionsFromEnvironment().has_value());
  EXPECT_EQ(TwilioOptionsFromEnvironment()->api_base, "https://api.twilio.com");
}

TEST(TwilioOptionsFromEnvironment, IsEmptyWithoutSidOrToken) {
  ScopedEnvironment env;
  env.Set("TWILIO_ACCOUNT_SID", kSid);
  env.Set("TWILIO_AUTH_TOKEN", nullptr);
  EXPECT_FALSE(TwilioOptionsFromEnvironment().has_value());
  env.Set("TWILIO_AUTH_TOKEN", kToken);
  env.Set("TWILIO_ACCOUNT_SID", "");
  EXPECT_FALSE(TwilioOptionsFromEnvironment().has_value());
}

}  // namespace
}  // namespace vigil
