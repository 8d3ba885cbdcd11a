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

TEST_F(TwilioClientTest, FailsAfterMaxAttemptsOfServerErrors) {
  server_.FailNext(FakeTwilioServer::Fault::kServerError, 4);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
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
  EXPECT_TRUE(Client()->Send(Sms()).ok());
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

TEST_F(TwilioClientTest, SameIdempotencyKeyTwiceYieldsOneMessage) {
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

TEST_F(TwilioClientTest, RetriesWhenConnectionClosesWithoutAnswer) {
  server_.FailNext(FakeTwilioServer::Fault::kCloseConnection);
  const StatusOr<SentMessage> sent = Client()->Send(Sms());
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_THAT(server_.requests(), SizeIs(2));
  EXPECT_THAT(waits_, SizeIs(1));
}

TEST_F(TwilioClientTest, TimesOutAndRetriesWhenServerNeverAnswers) {
  server_.FailNext(FakeTwilioServer::Fault::kNeverAnswer, 2);
  TwilioOptions options = Options(server_.api_base());
  options.total_timeout = milliseconds(100);
  options.max_attempts = 2;
  const StatusOr<SentMessage> sent = Client(options)->Send(Sms());
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(sent.status().message(), HasSubstr("after 2 attempts"));
  EXPECT_THAT(server_.requests(), SizeIs(2));
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
