#include "service/score_response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nlohmann/json.hpp"

namespace vigil {
namespace {

using nlohmann::json;

ScoreResponse SampleOrder(const std::vector<Factor>& factors) {
  return ScoreResponse{
      .subject_key = "order_id",
      .subject_id = R"(ORD "quoted" \ 1)",
      .order_id = "",
      .decision_id = "dec_1",
      .risk_score = 0.123456789,
      .risk_level = "medium",
      .action = "otp_verification",
      .explanation = {.summary = "इस ऑर्डर की जाँच ज़रूरी है।",
                      .key_factors = {"High order value: ₹22,347.00", "Line\nbreak"},
                      .recommendation = "Request OTP verification before confirming order"},
      .factors = factors,
      .list_override = std::nullopt,
      .confidence = 0.87654,
      .model_version = "order-v3",
      .language = "hi",
      .timestamp = "2026-12-05T17:49:54Z",
      .dry_run = false,
      .processing_time_ms = 0.0264};
}

TEST(ScoreResponseTest, WritesTheSeedsShapeWithEscapedTextAndRoundedNumbers) {
  const std::vector<Factor> factors = {{"order_amount", 22347.0f, 0.5121834},
                                       {"customer_avg_order_amount", 0.1f, -0.25}};
  const std::string body = RenderScoreResponse(SampleOrder(factors));
  const json r = json::parse(body);
  // The seed's sample starts with the subject's id.
  EXPECT_EQ(body.rfind(R"({"order_id":"ORD \"quoted\" \\ 1")", 0), 0u) << body;
  EXPECT_FALSE(r.contains("return_id"));
  EXPECT_EQ(r["decision_id"], "dec_1");
  EXPECT_EQ(r["risk_score"], 0.123457);
  EXPECT_EQ(r["risk_level"], "medium");
  EXPECT_EQ(r["recommended_action"], "otp_verification");
  EXPECT_EQ(r["explanation"]["summary"], "इस ऑर्डर की जाँच ज़रूरी है।");
  EXPECT_EQ(r["explanation"]["key_factors"][1], "Line\nbreak");
  EXPECT_EQ(r["explanation_source"], "template");
  ASSERT_EQ(r["factors"].size(), 2u);
  EXPECT_EQ(r["factors"][0]["contribution"], 0.512183);
  EXPECT_EQ(r["factors"][1]["value"], 0.1);  // not 0.10000000149011612
  EXPECT_EQ(r["confidence"], 0.8765);
  EXPECT_EQ(r["processing_time_ms"], 0.026);
  EXPECT_FALSE(r.contains("dry_run"));
  EXPECT_FALSE(r.contains("override"));
}

TEST(ScoreResponseTest, AMissingFeatureValueIsNullAndAReturnNamesItsOrder) {
  const std::vector<Factor> factors = {
      {"customer_return_rate_90d", std::numeric_limits<float>::quiet_NaN(), 0.3}};
  ScoreResponse response = SampleOrder(factors);
  response.subject_key = "return_id";
  response.subject_id = "RET_1";
  response.order_id = "ORD_1";
  response.dry_run = true;
  response.list_override = ListOverride{"block", "device", "chargeback ring"};
  const json r = json::parse(RenderScoreResponse(response));
  EXPECT_EQ(r["return_id"], "RET_1");
  EXPECT_EQ(r["order_id"], "ORD_1");
  EXPECT_TRUE(r["factors"][0]["value"].is_null());
  EXPECT_EQ(r["dry_run"], true);
  EXPECT_EQ(r["override"],
            json({{"list", "block"}, {"field", "device"}, {"reason", "chargeback ring"}}));
}

TEST(ScoreResponseTest, TheAuditDocumentEmbedsTheRequestAndResponseVerbatim) {
  const std::string request = R"({"order_id":"ORD1","amount":1299.00,"extra":[1,2]})";
  const std::string response = R"({"order_id":"ORD1","risk_score":0.5})";
  AuditDocument audit{.decision_id = "dec_1",
                      .kind = "order",
                      .request_id = "req-\"1\"",
                      .request_json = request,
                      .bias = -1.25,
                      .margin = std::numeric_limits<double>::infinity(),
                      .event_id = "order.placed:ORD1",
                      .challenger = ShadowAnswer{"order-v4", 0.71234567, "high", "manual_review"},
                      .response_json = response};
  const std::string text = RenderAuditDocument(audit);
  EXPECT_NE(text.find(R"("request":{"order_id":"ORD1","amount":1299.00,"extra":[1,2]})"),
            std::string::npos)
      << text;
  const json d = json::parse(text);
  EXPECT_EQ(d["request_id"], "req-\"1\"");
  EXPECT_EQ(d["bias"], -1.25);
  EXPECT_TRUE(d["margin"].is_null());
  EXPECT_EQ(d["event_id"], "order.placed:ORD1");
  EXPECT_EQ(d["challenger"]["risk_score"], 0.712346);
  EXPECT_EQ(d["challenger"]["recommended_action"], "manual_review");
  EXPECT_EQ(d["response"], json::parse(response));
}

}  // namespace
}  // namespace vigil
