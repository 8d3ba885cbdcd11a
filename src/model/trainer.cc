#include "model/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "model/metrics.h"
#include "model/xgboost_handles.h"

namespace vigil {
namespace {

// The training rows in time order, split into the part the trees are fitted
// on and the later part held out for early stopping and calibration.
struct TimeSplit {
  std::vector<float> values;  // all rows, time-ordered
  std::vector<float> labels;
  size_t cols = 0;
  size_t fit_rows = 0;
  size_t calibration_rows = 0;

  const float* calibration_values() const { return values.data() + fit_rows * cols; }
  std::span<const float> fit_labels() const { return {labels.data(), fit_rows}; }
  std::span<const float> calibration_labels() const {
    return {labels.data() + fit_rows, calibration_rows};
  }
};

Status ValidateInputs(const Dataset& train, const TrainOptions& options) {
  if (train.cols() == 0) return absl::InvalidArgumentError("training rows have no features");
  if (train.values.size() != train.rows() * train.cols() || train.times.size() != train.rows()) {
    return absl::InvalidArgumentError(
        fmt::format("malformed dataset: {} labels, {} times, {} values for {} features",
                    train.rows(), train.times.size(), train.values.size(), train.cols()));
  }
  if (train.rows() < kMinTrainingRows) {
    return absl::InvalidArgumentError(
        fmt::format("too few rows to train: got {}, need at least {}; widen the training period",
                    train.rows(), kMinTrainingRows));
  }
  if (!(options.calibration_fraction > 0 && options.calibration_fraction <= 0.5)) {
    return absl::InvalidArgumentError(fmt::format(
        "calibration_fraction must be in (0, 0.5], got {}", options.calibration_fraction));
  }
  if (options.max_rounds < 1 || options.early_stopping_rounds < 1) {
    return absl::InvalidArgumentError("max_rounds and early_stopping_rounds must be at least 1");
  }
  return absl::OkStatus();
}

TimeSplit SplitByTime(const Dataset& train, double calibration_fraction) {
  std::vector<size_t> order(train.rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t i, size_t j) { return train.times[i] < train.times[j]; });
  TimeSplit split;
  split.cols = train.cols();
  split.values.reserve(train.values.size());
  for (size_t i : order) {
    split.values.insert(split.values.end(), train.row(i), train.row(i) + train.cols());
    split.labels.push_back(train.labels[i]);
  }
  split.calibration_rows =
      static_cast<size_t>(std::llround(calibration_fraction * static_cast<double>(train.rows())));
  split.fit_rows = train.rows() - split.calibration_rows;
  return split;
}

Status RequireBothClasses(std::span<const float> labels, const std::string& part) {
  const size_t positives = CountPositives(labels);
  if (positives == 0 || positives == labels.size()) {
    return absl::InvalidArgumentError(
        fmt::format("the {} ({} rows) has only {} labels; both classes are needed to train", part,
                    labels.size(), positives == 0 ? "negative" : "positive"));
  }
  return absl::OkStatus();
}

nlohmann::json BoosterParams(const TrainOptions& o, double scale_pos_weight) {
  return {{"objective", "binary:logistic"},
          {"tree_method", "hist"},
          {"eval_metric", "auc"},
          {"max_depth", o.max_depth},
          {"eta", o.eta},
          {"subsample", o.subsample},
          {"colsample_bytree", o.colsample_bytree},
          {"min_child_weight", o.min_child_weight},
          {"lambda", o.lambda},
          {"scale_pos_weight", scale_pos_weight},
          {"nthread", o.nthread},
          {"seed", static_cast<int64_t>(o.seed & 0x7fffffff)},
          {"verbosity", 0}};
}

Status ApplyParams(Booster& booster, const nlohmann::json& params) {
  for (const auto& [name, value] : params.items()) {
    RETURN_IF_ERROR(
        booster.SetParam(name, value.is_string() ? value.get<std::string>() : value.dump()));
  }
  return absl::OkStatus();
}

// "[12]\tcal-auc:0.91234" -> 0.91234.
StatusOr<double> ParseEvalValue(const std::string& line) {
  const size_t colon = line.rfind(':');
  if (colon == std::string::npos) {
    return absl::InternalError(fmt::format("unexpected XGBoost evaluation line '{}'", line));
  }
  return std::strtod(line.c_str() + colon + 1, nullptr);
}

struct BoostResult {
  int best_iteration = 0;
  double best_auc = -1;
  int rounds = 0;
};

StatusOr<BoostResult> BoostWithEarlyStopping(Booster& booster, const DMatrix& fit,
                                             const DMatrix& calibration,
                                             const TrainOptions& options) {
  BoostResult result;
  for (int i = 0; i < options.max_rounds; ++i) {
    RETURN_IF_ERROR(booster.UpdateOneIter(i, fit));
    result.rounds = i + 1;
    ASSIGN_OR_RETURN(std::string line, booster.EvalOneIter(i, calibration, "cal"));
    ASSIGN_OR_RETURN(double auc, ParseEvalValue(line));
    if (auc > result.best_auc) {
      result.best_auc = auc;
      result.best_iteration = i;
    }
    if (options.on_round) options.on_round(i + 1, options.max_rounds);
    if (i - result.best_iteration >= options.early_stopping_rounds) break;
  }
  return result;
}

std::vector<std::pair<std::string, double>> RankImportance(const std::vector<std::string>& names,
                                                           const std::vector<double>& gains) {
  const double total = std::accumulate(gains.begin(), gains.end(), 0.0);
  std::vector<std::pair<std::string, double>> ranked;
  for (size_t j = 0; j < names.size(); ++j) {
    ranked.emplace_back(names[j], total > 0 ? gains[j] / total : 0.0);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& x, const auto& y) { return x.second > y.second; });
  return ranked;
}

}  // namespace

StatusOr<TrainedModel> TrainModel(const Dataset& train, const TrainOptions& options) {
  RETURN_IF_ERROR(ValidateInputs(train, options));
  const TimeSplit split = SplitByTime(train, options.calibration_fraction);
  RETURN_IF_ERROR(RequireBothClasses(split.fit_labels(), "fitting part (earlier rows)"));
  RETURN_IF_ERROR(
      RequireBothClasses(split.calibration_labels(),
                         fmt::format("held-out calibration part (latest {:.0f}% of rows by time)",
                                     options.calibration_fraction * 100)));

  ASSIGN_OR_RETURN(DMatrix fit, DMatrix::FromDense(split.values.data(), split.fit_rows, split.cols,
                                                   split.fit_labels()));
  ASSIGN_OR_RETURN(DMatrix calibration,
                   DMatrix::FromDense(split.calibration_values(), split.calibration_rows,
                                      split.cols, split.calibration_labels()));
  const size_t positives = CountPositives(split.fit_labels());
  const double scale_pos_weight =
      options.balance_classes
          ? static_cast<double>(split.fit_rows - positives) / static_cast<double>(positives)
          : 1.0;
  const nlohmann::json params = BoosterParams(options, scale_pos_weight);

  const DMatrix* cache[] = {&fit, &calibration};
  ASSIGN_OR_RETURN(Booster booster, Booster::Create(cache));
  RETURN_IF_ERROR(ApplyParams(booster, params));
  ASSIGN_OR_RETURN(BoostResult boost, BoostWithEarlyStopping(booster, fit, calibration, options));
  ASSIGN_OR_RETURN(Booster best, booster.Slice(0, boost.best_iteration + 1));
  ASSIGN_OR_RETURN(std::vector<float> margins, best.PredictMargins(calibration));
  ASSIGN_OR_RETURN(std::vector<double> gains, best.TotalGainByFeature(split.cols));

  TrainedModel model;
  ASSIGN_OR_RETURN(model.model_json, best.SaveModelJson());
  ASSIGN_OR_RETURN(model.calibration, FitPlatt(margins, split.calibration_labels()));
  model.best_iteration = boost.best_iteration;
  model.rounds = boost.rounds;
  model.best_calibration_auc = boost.best_auc;
  model.importance_gain = RankImportance(train.feature_names, gains);
  model.feature_names = train.feature_names;
  model.fit_rows = split.fit_rows;
  model.calibration_rows = split.calibration_rows;
  model.fit_positive_rate = static_cast<double>(positives) / static_cast<double>(split.fit_rows);
  model.params = params;
  model.params["max_rounds"] = options.max_rounds;
  model.params["early_stopping_rounds"] = options.early_stopping_rounds;
  model.params["calibration_fraction"] = options.calibration_fraction;
  return model;
}

}  // namespace vigil
