// RiskService's payment scoring (the SMS flow of issue 5): features from the
// transaction feature state, the transaction model with its SHAP factors,
// sentences, policy and lists.
#include <algorithm>
#include <cmath>

#include "common/json_writer.h"
#include "explain/language.h"
#include "fmt/format.h"
#include "service/risk_service.h"
#include "service/store_history.h"

namespace vigil {
namespace {

std::string RenderTransactionDocument(const TransactionScore& score, std::string_view language,
                                      const Explanation& explanation,
                                      std::span<const Factor> factors) {
  JsonWriter w;
  w.StartObject();
  w.NumberField("risk_score", std::round(score.risk_score * 1e4) / 1e4);
  w.Field("risk_level", score.risk_level);
  w.Field("action", score.action);
  w.Field("model_version", score.model_version);
  w.Field("language", language);
  w.Key("explanation");
  w.StartObject();
  w.Field("summary", explanation.summary);
  w.Key("key_factors");
  w.StartArray();
  for (const std::string& sentence : explanation.key_factors) w.String(sentence);
  w.EndArray();
  w.Field("recommendation", explanation.recommendation);
  w.EndObject();
  w.Key("factors");
  w.StartArray();
  for (const Factor& f : factors) {
    w.StartObject();
    w.Field("feature", f.feature);
    w.Key("value");
    w.Float(f.value);
    w.NumberField("contribution", std::round(f.contribution * 1e4) / 1e4);
    w.EndObject();
  }
  w.EndArray();
  if (score.list_override) {
    w.Key("list_override");
    w.StartObject();
    w.Field("list", score.list_override->list);
    w.Field("field", score.list_override->field);
    w.Field("reason", score.list_override->reason);
    w.EndObject();
  }
  w.EndObject();
  return w.Release();
}

}  // namespace

Status RiskService::ReplayTransactions() {
  absl::MutexLock lock(&engine_mu_);
  // The lambda runs inside the scan, under the lock taken here.
  return store_->ScanScoredTransactions(
      [&](const TransactionRecord& t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(engine_mu_) -> Status {
        engine_.transactions().Process(InternPayment(t, &engine_.catalog()), nullptr);
        return absl::OkStatus();
      });
}

void RiskService::LabelTransaction(const TransactionRecord& t, bool fraud, Timestamp at,
                                   std::optional<int64_t> previous) {
  absl::MutexLock lock(&engine_mu_);
  const Catalog& catalog = engine_.catalog();
  Transaction tx;
  tx.at = t.created_at;
  tx.card = catalog.Find(Entity::kCustomer, t.user_id);
  tx.merchant = catalog.Find(Entity::kMerchant, t.merchant);
  tx.location = catalog.Find(Entity::kLocation, t.location);
  const int8_t replaced =
      previous.has_value() ? static_cast<int8_t>(*previous != 0) : kLabelUnknown;
  engine_.transactions().AddLabel(tx, fraud ? 1 : 0, std::max(at, tx.at), replaced);
}

StatusOr<PaymentLabelResult> RiskService::LabelPayment(const TransactionLabel& label) {
  absl::MutexLock in_order(&payment_labels_mu_);
  ASSIGN_OR_RETURN(TransactionRecord payment, store_->LabelTransaction(label));
  PaymentLabelResult result{.payment = payment, .previous_label = payment.label};
  LabelTransaction(payment, label.label == 1, label.at, payment.label);
  result.features_updated = true;
  result.payment.label = label.label;
  result.payment.updated_at = label.at;
  return result;
}

StatusOr<TransactionScore> RiskService::ScoreTransaction(const TransactionRecord& t,
                                                         std::string_view phone,
                                                         std::string_view language_request) {
  constexpr DecisionKind kKind = DecisionKind::kTransaction;
  auto serving = Serving(kKind);
  if (serving == nullptr) {
    return absl::UnavailableError(
        "no production transaction model is loaded; train one (vigil train --kind "
        "transaction) and promote it");
  }
  const std::string language(NegotiateLanguage(language_request));
  std::vector<float> features;
  {
    absl::MutexLock lock(&engine_mu_);
    // Not settled yet: it carries no label.
    engine_.transactions().Process(InternPayment(t, &engine_.catalog()), &features);
  }
  const ScoringModel& model = *serving->model;
  const double score = model.Probability(model.forest().PredictMargin(features.data()));
  const RiskLevel level = options_.policy.Level(kKind, score);
  TransactionScore result{.risk_score = score,
                          .risk_level = std::string(RiskLevelName(level)),
                          .action = std::string(options_.policy.Action(kKind, level, false)),
                          .model_version = model.model_version(),
                          .list_override = std::nullopt,
                          .document = {}};

  std::vector<double> contributions(model.forest().num_features() + 1);
  serving->shap->Explain(features.data(), contributions.data());
  std::vector<Factor> factors = FactorsByContribution(kKind, features, contributions);
  Explanation explanation = templates_.Explain(kKind, language, level, result.action, factors,
                                               features, options_.top_factors);

  if (auto entry = lists_.Match({t.user_id, {}, {}, phone})) {
    const bool block = entry->list == "block";
    result.action = block ? "decline" : "approve";
    explanation.recommendation = templates_.Recommendation(kKind, language, result.action);
    explanation.summary =
        templates_.Summary(kKind, language, block ? RiskLevel::kCritical : RiskLevel::kLow);
    explanation.key_factors.insert(
        explanation.key_factors.begin(),
        templates_.ListOverride(language, entry->list, entry->field, entry->reason));
    result.list_override = ListOverride{entry->list, entry->field, entry->reason};
  }
  const size_t top = std::min(options_.top_factors, factors.size());
  result.document = RenderTransactionDocument(result, language, explanation,
                                              std::span<const Factor>(factors.data(), top));
  return result;
}

}  // namespace vigil
