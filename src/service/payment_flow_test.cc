// The payment flow end to end inside one process: a real `vigil serve`
// (VigilServer on a free port, a real store), a transaction model trained
// here, Twilio's REST API played by FakeTwilioServer over real sockets, and
// replies signed as Twilio signs them.
#include "service/payment_flow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "nlohmann/json.hpp"
#include "service/service_fixture_for_test.h"
#include "service/transaction_model_for_test.h"
#include "service/twilio_webhook_for_test.h"
#include "service/vigil_server.h"
#include "sms/fake_twilio_server.h"
#include "sms/twilio_client.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::CreateKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ScratchDir;

constexpr char kSid[] = "AC0123456789abcdef0123456789abcdef";
constexpr char kToken[] = "rest-token";
constexpr char kPhone[] = "+919812345678";

class PaymentFlowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    models_root_ = new ScratchDir("payment_models");
    models_dir_ = new std::string(testing::TrainTransactionModel(models_root_->path()));
  }
  static void TearDownTestSuite() {
    delete models_root_;
    delete models_dir_;
  }

  void SetUp() override {
    config_.data_dir = dir_.path();
    config_.models_dir = *models_dir_;
    config_.port = 0;
    config_.similar_capacity = 0;
    config_.access_log = false;
    config_.twilio_auth_token = "twilio-test-token";
    config_.public_base_url = "https://risk.example.in";
    TwilioOptions twilio{.account_sid = kSid,
                         .auth_token = kToken,
                         .from_number = "+15005550006",
                         .api_base = twilio_.api_base(),
                         .max_attempts = 1};
    twilio.total_timeout = std::chrono::milliseconds(700);
    config_.sms_sender = std::shared_ptr<SmsSender>(TwilioClient::Create(twilio).value());
    scorer_ = CreateKey(dir_.path(), "scorer");
    admin_ = CreateKey(dir_.path(), "admin");
  }

  void Start() {
    auto server = VigilServer::Start(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  json CallJson(std::string_view method, std::string_view target, std::string_view key,
                const json& body, int want_status) {
    TestHttpClient client(server_->port());
    std::string headers = fmt::format("X-API-Key: {}\r\n", key);
    if (!body.is_null()) headers += "Content-Type: application/json\r\n";
    auto r = client.Request(method, target, body.is_null() ? "" : body.dump(), headers);
    EXPECT_TRUE(r.has_value());
    if (!r.has_value()) return json();
    EXPECT_EQ(r->status, want_status) << target << ": " << r->body;
    return json::parse(r->body, nullptr, false);
  }
  void CreateAccount(const std::string& user, const std::string& phone,
                     const std::string& language = "en") {
    json account = {{"user_id", user}, {"name", "Test"}, {"phone", phone}, {"language", language}};
    TestHttpClient client(server_->port());
    auto r =
        client.Request("POST", "/accounts", account.dump(),
                       fmt::format("X-API-Key: {}\r\nContent-Type: application/json\r\n", admin_));
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(r->status == 201 || r->status == 200) << r->body;
  }
  void Pay(const std::string& id, const std::string& user, double amount) {
    CallJson("POST", "/transaction", scorer_,
             {{"transaction_id", id},
              {"user_id", user},
              {"amount", amount},
              {"merchant", "M7"},
              {"location", "Pune"}},
             202);
  }
  json Transaction(const std::string& id) {
    return CallJson("GET", "/transaction/" + id, scorer_, nullptr, 200);
  }
  // Polls (up to 15 s) until the transaction has `status`.
  json WaitFor(const std::string& id, const std::string& status) {
    json t;
    for (int i = 0; i < 750; ++i) {
      t = Transaction(id);
      if (t["status"] == status) return t;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << id << " never reached " << status << ": " << t.dump(2);
    return t;
  }
  // Polls until the verification SMS has been accepted by Twilio.
  json WaitForSent(const std::string& id) {
    json t;
    for (int i = 0; i < 750; ++i) {
      t = Transaction(id);
      if (t["sms"].is_object() && t["sms"]["message_sid"].is_string()) return t;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "no SMS recorded as sent for " << id << ": " << t.dump(2);
    return t;
  }
  std::vector<std::string> Statuses(const json& t) {
    std::vector<std::string> out;
    for (const json& h : t["history"]) out.push_back(h["status"]);
    return out;
  }
  size_t MessagesTo(const std::string& phone) {
    size_t n = 0;
    for (const auto& m : twilio_.messages()) n += m.to == phone;
    return n;
  }
  TestHttpResponse Reply(const std::string& sid, const std::string& body,
                         const std::string& from = kPhone) {
    return PostTwilio(server_->port(), {{"MessageSid", sid},
                                        {"AccountSid", kSid},
                                        {"From", from},
                                        {"To", "+15005550006"},
                                        {"Body", body}});
  }

  static ScratchDir* models_root_;
  static std::string* models_dir_;
  FakeTwilioServer twilio_{kSid, kToken};
  ScratchDir dir_{"payment_flow"};
  ServeConfig config_;
  std::string scorer_, admin_;
  std::unique_ptr<VigilServer> server_;
};

ScratchDir* PaymentFlowTest::models_root_ = nullptr;
std::string* PaymentFlowTest::models_dir_ = nullptr;

TEST_F(PaymentFlowTest, ARiskyPaymentIsVerifiedBySmsAndApprovedOnYes) {
  Start();
  CreateAccount("U1", kPhone);
  Pay("TX1", "U1", 5000);
  json t = WaitForSent("TX1");
  EXPECT_EQ(t["status"], "pending_verification");
  EXPECT_GE(t["risk_score"].get<double>(), 0.5);
  EXPECT_FALSE(t["explanation"]["summary"].get<std::string>().empty());
  EXPECT_FALSE(t["explanation"]["key_factors"].empty());
  EXPECT_EQ(t["model_version"], "transaction-v1");
  EXPECT_EQ(t["sms"]["to"], "+91******5678");
  EXPECT_EQ(t["sms"]["sender"], "twilio");
  ASSERT_EQ(twilio_.messages().size(), 1u);
  const FakeTwilioServer::Message sent = twilio_.messages()[0];
  EXPECT_EQ(sent.to, kPhone);
  EXPECT_THAT(sent.body, HasSubstr("₹5,000.00"));
  EXPECT_THAT(sent.body, HasSubstr("Reply YES if you made this payment, NO if not"));
  EXPECT_EQ(sent.status_callback, "https://risk.example.in/webhook/twilio");
  EXPECT_EQ(t["sms"]["message_sid"], sent.sid);

  TestHttpResponse answer = Reply("SM_YES_1", " yes ");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_THAT(answer.body, HasSubstr("The payment is approved"));
  t = Transaction("TX1");
  EXPECT_EQ(t["status"], "approved");
  EXPECT_EQ(t["user_response"]["text"], " yes ");
  EXPECT_EQ(t["label"], "genuine");
  EXPECT_THAT(Statuses(t), ElementsAre("received", "scored", "pending_verification", "approved"));

  // Twilio's delivery callback updates the message.
  TestHttpResponse callback = PostTwilio(
      server_->port(), {{"MessageSid", sent.sid}, {"MessageStatus", "delivered"}, {"To", kPhone}});
  ASSERT_EQ(callback.status, 200);
  EXPECT_EQ(Transaction("TX1")["sms"]["status"], "delivered");
  EXPECT_EQ(MessagesTo(kPhone), 1u);
}

TEST_F(PaymentFlowTest, ANoDeclinesBlocksTheAccountAndLabelsTheFraud) {
  Start();
  CreateAccount("U2", kPhone, "hi");
  Pay("TX2", "U2", 4000);
  WaitForSent("TX2");
  EXPECT_THAT(twilio_.messages().at(0).body, HasSubstr("क्या आपने"));
  TestHttpResponse answer = Reply("SM_NO_2", "नहीं");
  ASSERT_EQ(answer.status, 200);
  EXPECT_THAT(answer.body, HasSubstr("अस्वीकार"));
  json t = Transaction("TX2");
  EXPECT_EQ(t["status"], "declined");
  EXPECT_EQ(t["label"], "fraud");
  EXPECT_EQ(CallJson("GET", "/accounts/U2", admin_, nullptr, 200)["status"], "blocked");
  // The account is blocked: its next payment is declined without a message.
  Pay("TX2b", "U2", 10);
  t = WaitFor("TX2b", "declined");
  EXPECT_EQ(t["history"].back()["reason"], "the account is blocked");
  EXPECT_EQ(twilio_.messages().size(), 1u);
}

TEST_F(PaymentFlowTest, ASmallPaymentIsApprovedWithoutAMessage) {
  Start();
  CreateAccount("U3", kPhone);
  Pay("TX3", "U3", 40);
  json t = WaitFor("TX3", "approved");
  EXPECT_LT(t["risk_score"].get<double>(), 0.5);
  EXPECT_TRUE(t["sms"].is_null());
  EXPECT_THAT(Statuses(t), ElementsAre("received", "scored", "approved"));
  EXPECT_TRUE(twilio_.messages().empty());
}

TEST_F(PaymentFlowTest, TheSameMessageSidTwiceSettlesOnce) {
  Start();
  CreateAccount("U4", kPhone);
  Pay("TX4a", "U4", 5000);
  WaitForSent("TX4a");
  const TestHttpResponse first = Reply("SM_DUP", "YES");
  EXPECT_EQ(Transaction("TX4a")["status"], "approved");
  // A second risky payment is pending when Twilio retries the first YES.
  Pay("TX4b", "U4", 6000);
  WaitForSent("TX4b");
  const TestHttpResponse retry = Reply("SM_DUP", "YES");
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(Transaction("TX4b")["status"], "pending_verification");
  ASSERT_EQ(Reply("SM_NEW", "no").status, 200);
  EXPECT_EQ(Transaction("TX4b")["status"], "declined");
  EXPECT_EQ(Transaction("TX4a")["status"], "approved");
}

TEST_F(PaymentFlowTest, AnUnclearReplyAsksAgainOnceThenWaits) {
  Start();
  CreateAccount("U5", kPhone);
  Pay("TX5", "U5", 5000);
  WaitForSent("TX5");
  EXPECT_THAT(Reply("SM_Q1", "maybe?").body, HasSubstr("did not understand"));
  EXPECT_THAT(Reply("SM_Q2", "what").body, HasSubstr("<Response/>"));
  EXPECT_EQ(Transaction("TX5")["status"], "pending_verification");
  EXPECT_THAT(Reply("SM_Q3", "Y").body, HasSubstr("approved"));
}

TEST_F(PaymentFlowTest, StopOptsOutAndTheNextRiskyPaymentGoesToReview) {
  Start();
  CreateAccount("U6", kPhone);
  ASSERT_EQ(Reply("SM_STOP", "STOP").status, 200);
  Pay("TX6", "U6", 5000);
  json t = WaitFor("TX6", "manual_review");
  EXPECT_THAT(t["history"].back()["reason"].get<std::string>(), HasSubstr("opted out"));
  EXPECT_TRUE(twilio_.messages().empty());
}

TEST_F(PaymentFlowTest, AnUnansweredVerificationExpiresToThePolicysStatus) {
  config_.verification_ttl_seconds = 1;
  config_.expired_status = "manual_review";
  Start();
  CreateAccount("U7", kPhone);
  Pay("TX7", "U7", 5000);
  json t = WaitFor("TX7", "manual_review");
  EXPECT_THAT(Statuses(t), ElementsAre("received", "scored", "pending_verification", "expired",
                                       "manual_review"));
  // A late YES finds nothing pending and changes nothing.
  EXPECT_THAT(Reply("SM_LATE", "YES").body, HasSubstr("No payment is waiting"));
  EXPECT_EQ(Transaction("TX7")["status"], "manual_review");
}

TEST_F(PaymentFlowTest, AMessageTwilioRefusesSendsThePaymentToReviewWithTwiliosError) {
  twilio_.FailNext(FakeTwilioServer::Fault::kInvalidNumber);
  Start();
  CreateAccount("U8", kPhone);
  Pay("TX8", "U8", 5000);
  json t = WaitFor("TX8", "manual_review");
  EXPECT_EQ(t["sms"]["status"], "failed");
  EXPECT_THAT(t["sms"]["error"].get<std::string>(), HasSubstr("21211"));
  EXPECT_TRUE(twilio_.messages().empty());
}

TEST_F(PaymentFlowTest, ThrottledAndFailingSendsAreRetriedAndSentOnce) {
  twilio_.FailNext(FakeTwilioServer::Fault::kTooManyRequests);
  twilio_.FailNext(FakeTwilioServer::Fault::kServerError);
  Start();
  CreateAccount("U9", kPhone);
  Pay("TX9", "U9", 5000);
  json t = WaitForSent("TX9");
  // The 429 answers the first send; the 500 answers either the second send
  // or the look-up that precedes it (a send whose outcome is unknown is
  // first looked for at Twilio).
  EXPECT_GE(t["sms"]["attempts"].get<int>(), 2);
  EXPECT_EQ(MessagesTo(kPhone), 1u);
}

TEST_F(PaymentFlowTest, ASendThatTimedOutAfterTwilioCreatedItIsNotSentAgain) {
  // Twilio creates the message but the answer never comes: the worker must
  // find it at Twilio rather than send a second one.
  twilio_.FailNext(FakeTwilioServer::Fault::kCreateThenNeverAnswer);
  Start();
  CreateAccount("U10", kPhone);
  Pay("TX10", "U10", 5000);
  json t = WaitForSent("TX10");
  EXPECT_EQ(MessagesTo(kPhone), 1u);
  EXPECT_EQ(t["sms"]["message_sid"], twilio_.messages().at(0).sid);
}

TEST_F(PaymentFlowTest, ASendThatTimedOutBeforeTwilioCreatedItIsSentOnce) {
  twilio_.FailNext(FakeTwilioServer::Fault::kNeverAnswer);
  Start();
  CreateAccount("U11", kPhone);
  Pay("TX11", "U11", 5000);
  WaitForSent("TX11");
  EXPECT_EQ(MessagesTo(kPhone), 1u);
}

}  // namespace
}  // namespace vigil
