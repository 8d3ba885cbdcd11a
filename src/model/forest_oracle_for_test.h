// Test-only: random data with missing values and ties, boosters trained on it
// through XGBoost's C API, and XGBoost's own margins and SHAP values as the
// oracle for FlatForest and TreeShap. Used by the forest tests and benchmark.
// (The forest library itself does not link XGBoost, so these owners are kept
// apart from the model layer's xgboost_handles.h.)
#ifndef VIGIL_MODEL_FOREST_ORACLE_FOR_TEST_H_
#define VIGIL_MODEL_FOREST_ORACLE_FOR_TEST_H_

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigil::testing {

inline Status Xgb(int rc) {
  if (rc == 0) return absl::OkStatus();
  return absl::InternalError(fmt::format("XGBoost: {}", XGBGetLastError()));
}

struct RandomRows {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> values;  // row-major, NaN = missing
  std::vector<float> labels;  // 0/1

  const float* row(size_t i) const { return values.data() + i * cols; }
};

// Columns of mixed kinds (continuous, small integers with many ties, skewed),
// each value missing with probability `missing_rate`; a noisy label that
// depends on a few columns and on whether some are missing.
inline RandomRows MakeRandomRows(size_t rows, size_t cols, double missing_rate, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<double> uniform;
  std::uniform_int_distribution<int> small_int(0, 6);
  RandomRows data{rows, cols, std::vector<float>(rows * cols), std::vector<float>(rows)};
  for (size_t i = 0; i < rows; ++i) {
    double score = 0;
    for (size_t j = 0; j < cols; ++j) {
      float x = 0;
      switch (j % 3) {
        case 0:
          x = normal(rng);
          break;
        case 1:
          x = static_cast<float>(small_int(rng));
          break;
        default:
          x = std::exp(normal(rng));
          break;
      }
      const bool missing = uniform(rng) < missing_rate;
      score += (missing ? 0.7 : std::tanh(x - 1.0)) * (j < 6 ? 1.0 / (1 + j) : 0.05);
      data.values[i * cols + j] = missing ? NAN : x;
    }
    data.labels[i] = uniform(rng) < 1 / (1 + std::exp(-3 * score)) ? 1.0f : 0.0f;
  }
  return data;
}

// Owns a DMatrix.
class OracleMatrix {
 public:
  OracleMatrix(const OracleMatrix&) = delete;
  OracleMatrix& operator=(const OracleMatrix&) = delete;
  OracleMatrix(OracleMatrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ~OracleMatrix() { XGDMatrixFree(handle_); }

  // `labels` is empty or holds one value per row.
  static StatusOr<OracleMatrix> FromDense(const float* values, size_t rows, size_t cols,
                                          const std::vector<float>& labels = {}) {
    OracleMatrix m;
    RETURN_IF_ERROR(Xgb(XGDMatrixCreateFromMat(values, rows, cols, NAN, &m.handle_)));
    if (!labels.empty()) {
      RETURN_IF_ERROR(Xgb(XGDMatrixSetFloatInfo(m.handle_, "label", labels.data(), rows)));
    }
    return m;
  }
  static StatusOr<OracleMatrix> FromRows(const RandomRows& rows, bool with_labels) {
    return FromDense(rows.values.data(), rows.rows, rows.cols,
                     with_labels ? rows.labels : std::vector<float>());
  }

  DMatrixHandle get() const { return handle_; }

 private:
  OracleMatrix() = default;
  DMatrixHandle handle_ = nullptr;
};

using Params = std::vector<std::pair<std::string, std::string>>;

// Owns a Booster trained through the C API, and asks it for predictions.
class OracleBooster {
 public:
  OracleBooster(const OracleBooster&) = delete;
  OracleBooster& operator=(const OracleBooster&) = delete;
  OracleBooster(OracleBooster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ~OracleBooster() { XGBoosterFree(handle_); }

  // Trains `rounds` rounds on `train` with `params` (after nthread=1, a fixed
  // seed and silence, which `params` may override).
  static StatusOr<OracleBooster> Train(const OracleMatrix& train, const Params& params,
                                       int rounds) {
    OracleBooster b;
    DMatrixHandle cache[] = {train.get()};
    RETURN_IF_ERROR(Xgb(XGBoosterCreate(cache, 1, &b.handle_)));
    Params all = {{"nthread", "1"}, {"seed", "7"}, {"verbosity", "0"}};
    all.insert(all.end(), params.begin(), params.end());
    for (const auto& [name, value] : all) {
      RETURN_IF_ERROR(Xgb(XGBoosterSetParam(b.handle_, name.c_str(), value.c_str())));
    }
    for (int i = 0; i < rounds; ++i) {
      RETURN_IF_ERROR(Xgb(XGBoosterUpdateOneIter(b.handle_, i, train.get())));
    }
    return b;
  }

  BoosterHandle get() const { return handle_; }

  Status SetParam(const std::string& name, const std::string& value) {
    return Xgb(XGBoosterSetParam(handle_, name.c_str(), value.c_str()));
  }

  StatusOr<std::string> ModelJson() const {
    bst_ulong length = 0;
    const char* data = nullptr;
    RETURN_IF_ERROR(
        Xgb(XGBoosterSaveModelToBuffer(handle_, R"({"format":"json"})", &length, &data)));
    return std::string(data, length);
  }

  // Margins from a DMatrix.
  StatusOr<std::vector<float>> Margins(const OracleMatrix& data) const { return Predict(data, 1); }
  // pred_contribs: rows x (cols + 1) values, the bias last.
  StatusOr<std::vector<float>> Contributions(const OracleMatrix& data) const {
    return Predict(data, 2);
  }

  // Margins by in-place prediction on a dense row-major array.
  StatusOr<std::vector<float>> InPlaceMargins(const float* values, size_t rows, size_t cols) const {
    const std::string array =
        fmt::format(R"({{"data":[{},true],"shape":[{},{}],"typestr":"<f4","version":3}})",
                    reinterpret_cast<uintptr_t>(values), rows, cols);
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    RETURN_IF_ERROR(Xgb(XGBoosterPredictFromDense(handle_, array.c_str(), Config(1), nullptr,
                                                  &shape, &dims, &result)));
    return Copy(shape, dims, result);
  }

  // XGBoost 1.7's in-place predict needs "cache_id" and "missing" as well.
  static const char* Config(int type) {
    static const std::string kConfigs[] = {Format(0), Format(1), Format(2)};
    return kConfigs[type].c_str();
  }

 private:
  OracleBooster() = default;

  static std::string Format(int type) {
    return fmt::format(R"({{"type":{},"training":false,"iteration_begin":0,"iteration_end":0,)"
                       R"("strict_shape":false,"cache_id":0,"missing":NaN}})",
                       type);
  }
  static std::vector<float> Copy(const bst_ulong* shape, bst_ulong dims, const float* result) {
    size_t n = 1;
    for (bst_ulong i = 0; i < dims; ++i) n *= shape[i];
    return std::vector<float>(result, result + n);
  }
  StatusOr<std::vector<float>> Predict(const OracleMatrix& data, int type) const {
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    RETURN_IF_ERROR(Xgb(
        XGBoosterPredictFromDMatrix(handle_, data.get(), Config(type), &shape, &dims, &result)));
    return Copy(shape, dims, result);
  }

  BoosterHandle handle_ = nullptr;
};

// Rows to score: `fresh` new rows with many missing values, up to
// `max_reused` training rows (values equal to split conditions), and a row
// with every value missing.
inline RandomRows ScoringRows(const RandomRows& train, size_t fresh, uint32_t seed,
                              size_t max_reused) {
  RandomRows rows = MakeRandomRows(fresh, train.cols, 0.3, seed);
  const size_t reused = std::min(train.rows, max_reused);
  rows.values.insert(rows.values.end(), train.values.begin(),
                     train.values.begin() + reused * train.cols);
  rows.values.insert(rows.values.end(), train.cols, NAN);
  rows.rows += reused + 1;
  return rows;
}

// Parameters of a depth-wise binary:logistic booster.
inline Params Depthwise(int depth, std::string method = "hist") {
  return {{"objective", "binary:logistic"},
          {"max_depth", std::to_string(depth)},
          {"tree_method", std::move(method)},
          {"eta", "0.3"}};
}

inline Params With(Params params, const Params& more) {
  params.insert(params.end(), more.begin(), more.end());
  return params;
}

}  // namespace vigil::testing

// In a test: binds the value of a StatusOr or fails the test with its status.
#ifndef ASSERT_OK_AND_ASSIGN
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(VIGIL_CONCAT_(assert_statusor_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()
#endif

#endif  // VIGIL_MODEL_FOREST_ORACLE_FOR_TEST_H_
