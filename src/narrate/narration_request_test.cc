#include "narrate/narration_request.h"

#include <gtest/gtest.h>

#include "narrate/narration_test_util.h"

namespace vigil {
namespace {

TEST(NarrationPromptTest, UserMessageHoldsExactlyTheDecisionFactorsAndSentences) {
  const NarrationPrompt prompt = BuildNarrationPrompt(SampleNarrationRequest());
  EXPECT_EQ(prompt.user,
            "language: en\n"
            "decision: order\n"
            "risk_level: medium\n"
            "recommended_action: otp_verification\n"
            "risk_score: 0.68\n"
            "factors (feature = value, contribution; a positive contribution raises the risk):\n"
            "- customer_return_rate_90d = 0.6667, contribution +0.410\n"
            "- customer_account_age_days = 12, contribution +0.180\n"
            "- customer_orders_7d = 1, contribution -0.050\n"
            "template explanation:\n"
            "summary: This order requires additional verification due to elevated return risk "
            "patterns.\n"
            "key factor: Customer has returned 4 out of last 6 orders (67% return rate)\n"
            "key factor: The account is 12 days old\n"
            "recommendation: Request OTP verification before confirming order\n");
}

TEST(NarrationPromptTest, NeverCarriesTheModelVersion) {
  const NarrationPrompt prompt = BuildNarrationPrompt(SampleNarrationRequest());
  EXPECT_EQ(prompt.user.find("order-v3"), std::string::npos);
  EXPECT_EQ(prompt.system.find("order-v3"), std::string::npos);
}

TEST(NarrationPromptTest, SystemMessageAsksForTheGivenFactsOnly) {
  const NarrationPrompt prompt = BuildNarrationPrompt(SampleNarrationRequest());
  EXPECT_NE(prompt.system.find("Use only these facts"), std::string::npos);
  EXPECT_NE(prompt.system.find("language whose code is given"), std::string::npos);
}

TEST(TemplateTextTest, JoinsSentencesAddingMissingFullStops) {
  EXPECT_EQ(TemplateText(SampleNarrationRequest().explanation),
            "This order requires additional verification due to elevated return risk patterns. "
            "Customer has returned 4 out of last 6 orders (67% return rate). The account is 12 "
            "days old. Request OTP verification before confirming order.");
}

TEST(TemplateTextTest, KeepsADevanagariDanda) {
  Explanation explanation;
  explanation.summary = "\xE0\xA4\x95\xE0\xA5\xA4";  // "क।"
  EXPECT_EQ(TemplateText(explanation), "\xE0\xA4\x95\xE0\xA5\xA4");
}

TEST(NarrationCacheKeyTest, RoundsValuesToTwoSignificantDigitsAndKeepsSigns) {
  EXPECT_EQ(NarrationCacheKey(SampleNarrationRequest()),
            "order-v3|order|medium|otp_verification|en|"
            "customer_return_rate_90d=0.67+;customer_account_age_days=12+;"
            "customer_orders_7d=1-;");
}

TEST(NarrationCacheKeyTest, NearlyEqualDecisionsShareAKey) {
  NarrationRequest a = SampleNarrationRequest();
  NarrationRequest b = SampleNarrationRequest();
  b.factors[0].value = 0.6701f;
  b.factors[0].contribution = 0.43;
  b.score = 0.70;
  EXPECT_EQ(NarrationCacheKey(a), NarrationCacheKey(b));
}

TEST(NarrationCacheKeyTest, LanguageModelVersionAndSignChangeTheKey) {
  const std::string base = NarrationCacheKey(SampleNarrationRequest());
  NarrationRequest request = SampleNarrationRequest();
  request.language = "hi";
  EXPECT_NE(NarrationCacheKey(request), base);
  request = SampleNarrationRequest();
  request.model_version = "order-v4";
  EXPECT_NE(NarrationCacheKey(request), base);
  request = SampleNarrationRequest();
  request.factors[2].contribution = 0.05;
  EXPECT_NE(NarrationCacheKey(request), base);
}

TEST(NarrationCacheKeyTest, UsesOnlyTheLargestFactorsByMagnitude) {
  NarrationRequest request = SampleNarrationRequest();
  request.factors.clear();
  const char* names[] = {"f0", "f1", "f2", "f3", "f4", "f5", "f6"};
  for (int i = 0; i < 7; ++i) {
    request.factors.push_back({names[i], 1.0f, (i % 2 ? -1.0 : 1.0) * i});
  }
  EXPECT_EQ(NarrationCacheKey(request),
            "order-v3|order|medium|otp_verification|en|f6=1+;f5=1-;f4=1+;f3=1-;f2=1+;");
}

}  // namespace
}  // namespace vigil
