#include "explain/explanation_templates.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"

namespace vigil {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kDataDir = std::string(VIGIL_SOURCE_DIR) + "/data/explain";

json ShippedFile(const std::string& language) {
  std::ifstream in(kDataDir + "/" + language + ".json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// Loads the shipped files after `edit` changed one of them.
StatusOr<ExplanationTemplates> LoadEdited(const std::string& language,
                                          const std::function<void(json&)>& edit) {
  std::map<std::string, std::string> files;
  for (const std::string lang : {"en", "hi"}) {
    json doc = ShippedFile(lang);
    if (lang == language) edit(doc);
    files[lang] = doc.dump();
  }
  return ExplanationTemplates::FromJson(files);
}

const ExplanationTemplates& Templates() {
  static const ExplanationTemplates templates = ExplanationTemplates::LoadDefault().value();
  return templates;
}

// A feature vector of `kind` with every value NaN except the given ones.
std::vector<float> Vector(DecisionKind kind,
                          std::initializer_list<std::pair<const char*, float>> values) {
  std::vector<float> features(FeatureSpecs(kind).size(), std::nanf(""));
  for (const auto& [name, value] : values) features[FeatureIndex(kind, name)] = value;
  return features;
}

std::vector<std::string> Render(DecisionKind kind, const std::string& language,
                                const std::vector<Factor>& factors,
                                const std::vector<float>& features, size_t top_n = 5) {
  return Templates().KeyFactors(kind, language, factors, features, top_n);
}

TEST(ExplanationTemplatesTest, DefaultFilesLoadAndMatchTheRepository) {
  EXPECT_EQ(Templates().Languages(), (std::vector<std::string>{"en", "hi"}));
  auto loaded = ExplanationTemplates::Load(kDataDir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->Languages(), Templates().Languages());
}

TEST(ExplanationTemplatesTest, EveryRegistryFeatureRendersARiskSentenceInEveryLanguage) {
  for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
    const std::vector<float> features(FeatureSpecs(kind).size(), 1.0f);
    for (const std::string& language : Templates().Languages()) {
      for (const FeatureSpec& spec : FeatureSpecs(kind)) {
        const std::vector<Factor> factor = {{std::string(spec.name), 1.0f, 0.5}};
        const auto sentences = Templates().KeyFactors(kind, language, factor, features, 1);
        ASSERT_EQ(sentences.size(), 1u) << language << " " << spec.name;
        EXPECT_EQ(sentences[0].find('{'), std::string::npos) << sentences[0];
        EXPECT_EQ(sentences[0].find("nan"), std::string::npos) << sentences[0];
      }
    }
  }
}

TEST(ExplanationTemplatesTest, RendersRecentReturnsInEnglishAndHindi) {
  const auto features = Vector(DecisionKind::kOrder, {{"customer_recent_orders_returned", 4},
                                                      {"customer_recent_orders_counted", 6}});
  const std::vector<Factor> factors = {{"customer_recent_orders_returned", 4, 0.41}};
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", factors, features),
              ElementsAre("Customer has returned 4 out of last 6 orders (67% return rate)"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "hi", factors, features),
              ElementsAre("ग्राहक ने पिछले 6 में से 4 ऑर्डर लौटाए (67% वापसी दर)"));
}

TEST(ExplanationTemplatesTest, RendersRupeesWithIndianGrouping) {
  const auto features = Vector(DecisionKind::kOrder, {});
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", {{"order_amount", 123456, 0.3}}, features),
              ElementsAre("High order value: ₹1,23,456.00"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "hi", {{"order_amount", 10000000, 0.3}}, features),
              ElementsAre("ऊँची ऑर्डर राशि: ₹1,00,00,000.00"));
  EXPECT_THAT(Render(DecisionKind::kReturn, "en", {{"return_order_amount", -2499.5f, 0.3}},
                     Vector(DecisionKind::kReturn, {})),
              ElementsAre("Returned order worth -₹2,499.50"));
}

TEST(ExplanationTemplatesTest, RendersZeroAndCrossFeatureValues) {
  const auto features = Vector(DecisionKind::kOrder, {{"customer_avg_order_amount", 1999}});
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", {{"customer_orders_7d", 0, 0.2}}, features),
              ElementsAre("0 orders in the last 7 days"));
  EXPECT_THAT(
      Render(DecisionKind::kOrder, "en", {{"order_amount_vs_customer_avg", 2.5f, 0.2}}, features),
      ElementsAre("Order is 2.5 times the customer's average order of ₹1,999.00"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", {{"category_return_rate", 0.35f, 0.2}}, features),
              ElementsAre("Orders in this category are returned 35% of the time here"));
}

TEST(ExplanationTemplatesTest, ChoosesSingularOrPluralWords) {
  const auto order = Vector(DecisionKind::kOrder, {});
  EXPECT_THAT(
      Render(DecisionKind::kOrder, "en",
             {{"customer_returns_7d", 1, 0.5}, {"customer_orders_7d", 12345, 0.4}}, order),
      ElementsAre("1 return requested in the last 7 days", "12,345 orders in the last 7 days"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "hi", {{"device_other_customers", 1, 0.5}}, order),
              ElementsAre("यह डिवाइस 1 दूसरे ग्राहक के साथ साझा है"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "hi", {{"device_other_customers", 3, 0.5}}, order),
              ElementsAre("यह डिवाइस 3 दूसरे ग्राहकों के साथ साझा है"));
}

TEST(ExplanationTemplatesTest, RendersCodesThroughLabels) {
  const auto features = Vector(DecisionKind::kOrder, {{"order_payment_method", 0}});
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", {{"order_in_sale_window", 1, 0.2}}, features),
              ElementsAre("Ordered during a big sale period, paid by cash on delivery"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "hi", {{"order_in_sale_window", 1, 0.2}}, features),
              ElementsAre("बड़ी सेल के दौरान किया गया ऑर्डर, भुगतान: कैश ऑन डिलीवरी"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", {{"order_is_cod", 0, -0.2}}, features),
              ElementsAre("Prepaid order"));
  // A code outside the label list is skipped rather than guessed.
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", {{"order_payment_method", 9, 0.2}}, features),
              IsEmpty());
}

TEST(ExplanationTemplatesTest, NegativeContributionsUseTrustSentences) {
  const auto features = Vector(DecisionKind::kOrder, {{"customer_confirmed_abuse_count", 0}});
  EXPECT_THAT(
      Render(DecisionKind::kOrder, "en", {{"customer_account_age_days", 1095, -0.6}}, features),
      ElementsAre("A customer for 1,095 days with 0 confirmed abusive returns"));
  EXPECT_THAT(
      Render(DecisionKind::kOrder, "en", {{"customer_account_age_days", 12, 0.6}}, features),
      ElementsAre("New account: registered 12 days ago"));
  // No trust sentence for this feature, and zero contributions explain nothing.
  EXPECT_THAT(
      Render(DecisionKind::kOrder, "en",
             {{"customer_fast_return_count", 0, -0.3}, {"order_amount", 500, 0.0}}, features),
      IsEmpty());
}

TEST(ExplanationTemplatesTest, OrdersByMagnitudeAndKeepsTopN) {
  const auto features = Vector(DecisionKind::kOrder, {});
  const std::vector<Factor> factors = {{"customer_orders_7d", 3, 0.1},
                                       {"order_amount", 50000, 0.9},
                                       {"customer_returns_7d", 2, 0.5}};
  EXPECT_THAT(
      Render(DecisionKind::kOrder, "en", factors, features, 2),
      ElementsAre("High order value: ₹50,000.00", "2 returns requested in the last 7 days"));
}

TEST(ExplanationTemplatesTest, SkipsMissingValuesAndTakesTheNextFactor) {
  const auto features = Vector(DecisionKind::kOrder, {{"customer_recent_orders_returned", 4}});
  const std::vector<Factor> factors = {{"order_amount", std::nanf(""), 0.9},
                                       // customer_recent_orders_counted is missing from the vector.
                                       {"customer_recent_orders_returned", 4, 0.8},
                                       {"order_weekday", 6, 0.3},
                                       {"customer_orders_7d", 3, 0.1}};
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", factors, features, 1),
              ElementsAre("Placed on a Sunday"));
  EXPECT_THAT(Render(DecisionKind::kOrder, "en", factors, features, 5),
              ElementsAre("Placed on a Sunday", "3 orders in the last 7 days"));
}

TEST(ExplanationTemplatesTest, SkipsFeaturesOfAnotherKindAndUnknownFeatures) {
  const auto features = Vector(DecisionKind::kReturn, {});
  EXPECT_THAT(Render(DecisionKind::kReturn, "en",
                     {{"order_amount", 100, 0.9}, {"no_such_feature", 1, 0.9}}, features),
              IsEmpty());
}

TEST(ExplanationTemplatesTest, SummaryAndRecommendationPerLevelAndAction) {
  EXPECT_EQ(Templates().Summary(DecisionKind::kOrder, "en", RiskLevel::kMedium),
            "This order requires additional verification due to elevated return risk patterns.");
  EXPECT_EQ(Templates().Recommendation(DecisionKind::kOrder, "en", "otp_verification"),
            "Request OTP verification before confirming order");
  EXPECT_EQ(Templates().Recommendation(DecisionKind::kOrder, "hi", "otp_verification"),
            "ऑर्डर कन्फ़र्म करने से पहले OTP सत्यापन करें");
  EXPECT_EQ(Templates().Summary(DecisionKind::kReturn, "hi", RiskLevel::kLow),
            "यह वापसी अनुरोध असली लगता है।");
  EXPECT_EQ(Templates().Recommendation(DecisionKind::kReturn, "en", "block"), "");
}

TEST(ExplanationTemplatesTest, UnknownLanguageFallsBackToEnglish) {
  EXPECT_EQ(Templates().Summary(DecisionKind::kReturn, "ta", RiskLevel::kCritical),
            Templates().Summary(DecisionKind::kReturn, "en", RiskLevel::kCritical));
  EXPECT_FALSE(Templates().HasLanguage("ta"));
}

TEST(ExplanationTemplatesTest, ExplainBundlesTheThreeParts) {
  const auto features = Vector(DecisionKind::kOrder, {});
  const std::vector<Factor> factors = {{"order_is_cod", 1, 0.7}};
  const Explanation explanation = Templates().Explain(DecisionKind::kOrder, "en", RiskLevel::kHigh,
                                                      "prepaid_only", factors, features, 3);
  EXPECT_EQ(explanation.summary,
            "This order shows a high risk of return abuse or a refused cash-on-delivery parcel.");
  EXPECT_THAT(explanation.key_factors, ElementsAre("Cash on delivery order"));
  EXPECT_EQ(explanation.recommendation,
            "Accept this order only with prepaid payment; disable cash on delivery");
}

TEST(ExplanationTemplatesTest, DoubledBracesAreLiteral) {
  auto templates = LoadEdited("en", [](json& doc) {
    doc["features"]["customer_orders_7d"]["risk"] = "{{recent}} {value_int} }}";
  });
  ASSERT_TRUE(templates.ok()) << templates.status();
  EXPECT_THAT(templates->KeyFactors(DecisionKind::kOrder, "en", {{{"customer_orders_7d", 2, 1}}},
                                    Vector(DecisionKind::kOrder, {}), 1),
              ElementsAre("{recent} 2 }"));
}

void ExpectError(const StatusOr<ExplanationTemplates>& result, const std::string& message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), message);
}

TEST(ExplanationTemplatesValidationTest, RejectsUnknownFeature) {
  ExpectError(LoadEdited("hi",
                         [](json& doc) {
                           doc["features"]["customer_shoe_size"] = {{"risk", "x"}};
                         }),
              "hi.json: feature 'customer_shoe_size' is not in the registry");
}

TEST(ExplanationTemplatesValidationTest, RejectsUnknownPlaceholder) {
  ExpectError(LoadEdited("en",
                         [](json& doc) {
                           doc["features"]["customer_orders_7d"]["trust"] = "{valu} orders";
                         }),
              "en.json: feature 'customer_orders_7d' trust template: unknown placeholder '{valu}'");
  ExpectError(
      LoadEdited("en",
                 [](json& doc) { doc["features"]["order_amount"]["risk"] = "{order_amount_usd}"; }),
      "en.json: feature 'order_amount' risk template: unknown placeholder "
      "'{order_amount_usd}'");
}

TEST(ExplanationTemplatesValidationTest, RejectsPlaceholderMissingFromAKindUsingTheTemplate) {
  ExpectError(LoadEdited("en",
                         [](json& doc) {
                           doc["features"]["customer_orders_7d"]["risk"] = "{order_amount_inr}";
                         }),
              "en.json: feature 'customer_orders_7d' risk template: placeholder "
              "'{order_amount_inr}' names a feature missing from the return vector");
}

TEST(ExplanationTemplatesValidationTest, RejectsMalformedPluralPlaceholder) {
  ExpectError(
      LoadEdited("en",
                 [](json& doc) { doc["features"]["order_quantity"]["risk"] = "{value_int|unit}"; }),
      "en.json: feature 'order_quantity' risk template: unknown placeholder "
      "'{value_int|unit}'");
}

TEST(ExplanationTemplatesValidationTest, RejectsUnbalancedBraces) {
  ExpectError(
      LoadEdited("en", [](json& doc) { doc["features"]["order_hour"]["risk"] = "at {value"; }),
      "en.json: feature 'order_hour' risk template: unclosed '{'");
}

TEST(ExplanationTemplatesValidationTest, RejectsMissingFeatureCoverage) {
  ExpectError(LoadEdited("hi", [](json& doc) { doc["features"].erase("return_reason"); }),
              "hi.json: feature 'return_reason' has no risk template");
  ExpectError(LoadEdited("hi", [](json& doc) { doc["features"]["order_amount"].erase("risk"); }),
              "hi.json: feature 'order_amount': missing 'risk'");
}

TEST(ExplanationTemplatesValidationTest, RejectsMissingSummaryOrRecommendation) {
  ExpectError(LoadEdited("en", [](json& doc) { doc["order"]["summary"].erase("critical"); }),
              "en.json: order summary: missing 'critical'");
  ExpectError(
      LoadEdited("hi", [](json& doc) { doc["return"]["recommendation"].erase("pickup_qc"); }),
      "hi.json: return recommendation: missing 'pickup_qc'");
}

TEST(ExplanationTemplatesValidationTest, RejectsLabelPlaceholderWithoutLabels) {
  ExpectError(
      LoadEdited("en",
                 [](json& doc) { doc["features"]["order_hour"]["risk"] = "at {value_label}"; }),
      "en.json: feature 'order_hour' uses labels of 'order_hour', but the file has none");
}

TEST(ExplanationTemplatesValidationTest, RequiresEnglish) {
  std::map<std::string, std::string> files = {{"hi", ShippedFile("hi").dump()}};
  ExpectError(ExplanationTemplates::FromJson(files),
              "explanation templates: en.json is missing (English is the fallback language)");
}

TEST(ExplanationTemplatesValidationTest, RejectsInvalidJson) {
  auto result = ExplanationTemplates::FromJson({{"en", "{\"features\": "}});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(std::string(result.status().message()).starts_with("en.json: invalid JSON: "))
      << result.status();
}

TEST(ExplanationTemplatesValidationTest, LoadValidatesFilesOnDisk) {
  const std::string dir = ::testing::TempDir() + "/explain_templates_load_test";
  std::filesystem::create_directories(dir);
  json hi = ShippedFile("hi");
  hi["features"]["order_hour"]["risk"] = "{hour}";
  std::ofstream(dir + "/en.json") << ShippedFile("en").dump();
  std::ofstream(dir + "/hi.json") << hi.dump();
  std::ofstream(dir + "/README.txt") << "not a template";
  ExpectError(ExplanationTemplates::Load(dir),
              "hi.json: feature 'order_hour' risk template: unknown placeholder '{hour}'");
  std::ofstream(dir + "/hi.json") << ShippedFile("hi").dump();
  auto loaded = ExplanationTemplates::Load(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->Languages(), (std::vector<std::string>{"en", "hi"}));
  std::filesystem::remove_all(dir);
}

TEST(ExplanationTemplatesValidationTest, MissingDirectoryIsNotFound) {
  auto result = ExplanationTemplates::Load(kDataDir + "/no-such-dir");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST(ExplanationTemplatesTest, ListOverridesAreSaidInTheRequestedLanguage) {
  EXPECT_EQ(Templates().ListOverride("en", "block", "customer", "chargeback ring"),
            "The customer is on the block list: chargeback ring");
  EXPECT_EQ(Templates().ListOverride("en", "allow", "pincode", ""),
            "The delivery pincode is on the allow list");
  EXPECT_EQ(Templates().ListOverride("hi", "block", "device", "धोखाधड़ी"),
            "यह डिवाइस ब्लॉक सूची में है: धोखाधड़ी");
  EXPECT_EQ(Templates().ListOverride("en", "grey", "customer", ""), "");
}

TEST(ExplanationTemplatesValidationTest, RejectsAListOverrideWithAnUnknownPlaceholder) {
  ExpectError(
      LoadEdited(
          "hi", [](json& doc) { doc["list_override"]["sentence"]["block"] = "{customer} ब्लॉक है"; }),
      "hi.json: list_override.sentence: 'block' may use only {field} and {reason}");
  ExpectError(LoadEdited("en", [](json& doc) { doc["list_override"]["fields"].erase("phone"); }),
              "en.json: list_override.fields: missing 'phone'");
}

}  // namespace
}  // namespace vigil
