#include "pipeline/score_command.h"

#include <fstream>

#include "data/transaction_log.h"
#include "features/training_rows.h"
#include "fmt/format.h"
#include "pipeline/production_model.h"

namespace vigil {
namespace {

constexpr size_t kBatchRows = 8192;

// Buffers rows and writes their scores in batches (XGBoost predicts a batch
// far faster than single rows).
class ScoreWriter {
 public:
  ScoreWriter(const ScoringModel& model, const Policy& policy, DecisionKind kind,
              std::ofstream* out)
      : model_(model), policy_(policy), kind_(kind), out_(*out) {}

  Status Add(const std::string& id, std::span<const float> features, bool cod) {
    ids_.push_back(id);
    cod_.push_back(cod);
    rows_.insert(rows_.end(), features.begin(), features.end());
    return ids_.size() == kBatchRows ? Flush() : absl::OkStatus();
  }

  Status Flush() {
    if (ids_.empty()) return absl::OkStatus();
    std::vector<double> scores;
    RETURN_IF_ERROR(model_.PredictProbabilities(rows_.data(), ids_.size(),
                                                model_.feature_names().size(), &scores));
    for (size_t i = 0; i < ids_.size(); ++i) {
      const RiskLevel level = policy_.Level(kind_, scores[i]);
      out_ << fmt::format("{},{:.6f},{},{},{}\n", QuoteCsv(ids_[i]), scores[i],
                          RiskLevelName(level), policy_.Action(kind_, level, cod_[i]),
                          model_.model_version());
    }
    scored_ += static_cast<int64_t>(ids_.size());
    ids_.clear();
    cod_.clear();
    rows_.clear();
    return absl::OkStatus();
  }

  int64_t scored() const { return scored_; }

 private:
  static std::string QuoteCsv(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string quoted = "\"";
    for (char c : s) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    return quoted + "\"";
  }

  const ScoringModel& model_;
  const Policy& policy_;
  DecisionKind kind_;
  std::ofstream& out_;
  std::vector<std::string> ids_;
  std::vector<bool> cod_;
  std::vector<float> rows_;
  int64_t scored_ = 0;
};

}  // namespace

namespace {

std::string_view ScoreHeader() {
  return "id,risk_score,risk_level,recommended_action,model_version\n";
}

// Replays the marketplace files and scores the kind's orders or returns.
Status ScoreMarketplace(const ScoreRequest& request, ScoreWriter& writer, std::FILE* out) {
  FeatureEngine engine;
  ASSIGN_OR_RETURN(DataLake lake, LoadDataLake(request.data_dir, &engine.catalog(), request.load));
  lake.report.Print(out);
  engine.set_calendar(lake.festivals);
  Status status;
  const Catalog& catalog = engine.catalog();
  Replay(lake, &engine, [&](DecisionKind kind, const Event& e, std::span<const float> features) {
    if (kind != request.kind || !status.ok()) return;
    const bool is_order = kind == DecisionKind::kOrder;
    const std::string& id =
        is_order ? catalog.Name(Entity::kOrder, e.order) : catalog.Name(Entity::kReturn, e.ret);
    status = writer.Add(id, features, is_order && e.payment == PaymentMethod::kCod);
  });
  return status;
}

// Replays transactions.csv and scores every transaction.
Status ScoreTransactions(const ScoreRequest& request, ScoreWriter& writer, std::FILE* out) {
  FeatureEngine engine;
  engine.transactions().set_options(
      {.label_delay = request.load.label_delay,
       .local_offset_seconds = request.load.transaction_offset_seconds});
  ASSIGN_OR_RETURN(const TransactionLog log,
                   LoadTransactions(request.data_dir, &engine.catalog(), request.load));
  log.report.Print(out);
  Status status;
  ReplayTransactions(log, &engine, [&](const Transaction& tx, std::span<const float> features) {
    if (status.ok()) status = writer.Add(log.ids[tx.row], features, false);
  });
  return status;
}

}  // namespace

StatusOr<ScoreSummary> RunScore(const ScoreRequest& request, std::FILE* out) {
  const std::string kind(DecisionKindName(request.kind));
  ASSIGN_OR_RETURN(const auto model, LoadProductionModel(request.models_dir, request.kind));
  std::ofstream file(request.out_path, std::ios::binary | std::ios::trunc);
  if (!file)
    return absl::InvalidArgumentError(fmt::format("--out {}: cannot write", request.out_path));
  file << ScoreHeader();
  ScoreWriter writer(*model, request.policy, request.kind, &file);
  RETURN_IF_ERROR(request.kind == DecisionKind::kTransaction
                      ? ScoreTransactions(request, writer, out)
                      : ScoreMarketplace(request, writer, out));
  RETURN_IF_ERROR(writer.Flush());
  file.close();
  if (!file) return absl::DataLossError(fmt::format("{}: write failed", request.out_path));
  fmt::print(out, "Scored {} {}s with {} into {}\n", writer.scored(), kind, model->model_version(),
             request.out_path);
  return ScoreSummary{writer.scored(), model->model_version()};
}

}  // namespace vigil
