// Move-only owners of XGBoost's C handles (DMatrix, Booster) and the small
// set of C API calls Vigil needs: building matrices from dense rows, boosting,
// evaluating, slicing, saving/loading JSON models and predicting margins.
// Every C API failure becomes a Status carrying XGBGetLastError().
//
// Thread-safety: a DMatrix is immutable once built and may be read from many
// threads. A Booster is NOT synchronised: callers serialise access (the
// ScoringModel guards its booster with a mutex).
#ifndef VIGIL_MODEL_XGBOOST_HANDLES_H_
#define VIGIL_MODEL_XGBOOST_HANDLES_H_

#include <xgboost/c_api.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/dataset.h"

namespace vigil {

// OK when `rc` is 0; otherwise Internal("XGBoost <what>: <last error>").
[[nodiscard]] Status XgbCall(int rc, std::string_view what = "call");

// "1.7.4": the version of the linked library.
std::string XgboostVersion();

class DMatrix {
 public:
  DMatrix() = default;
  ~DMatrix();
  DMatrix(DMatrix&& other) noexcept;
  DMatrix& operator=(DMatrix&& other) noexcept;
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  // A dense matrix of `rows` x `cols` row-major values (NaN = missing),
  // copied by XGBoost. `labels` is empty or holds `rows` values.
  [[nodiscard]] static StatusOr<DMatrix> FromDense(const float* values, size_t rows, size_t cols,
                                                   std::span<const float> labels = {});
  // All rows of `dataset` with their labels.
  [[nodiscard]] static StatusOr<DMatrix> FromDataset(const Dataset& dataset);

  DMatrixHandle get() const { return handle_; }
  size_t rows() const { return rows_; }
  size_t cols() const { return cols_; }

 private:
  explicit DMatrix(DMatrixHandle handle, size_t rows, size_t cols)
      : handle_(handle), rows_(rows), cols_(cols) {}

  DMatrixHandle handle_ = nullptr;
  size_t rows_ = 0;
  size_t cols_ = 0;
};

class Booster {
 public:
  Booster() = default;
  ~Booster();
  Booster(Booster&& other) noexcept;
  Booster& operator=(Booster&& other) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  // A fresh booster whose prediction cache holds `cache` (the matrices it
  // will train and evaluate on; they must outlive the booster's use of them).
  [[nodiscard]] static StatusOr<Booster> Create(std::span<const DMatrix* const> cache);
  // A booster loaded from XGBoost's JSON model format, predicting on
  // `nthread` OpenMP threads. One thread by default: on shared cores
  // OpenMP's spin-waiting makes multi-threaded prediction of small batches
  // far slower, not faster.
  [[nodiscard]] static StatusOr<Booster> FromModelJson(std::string_view model_json,
                                                       int nthread = 1);

  [[nodiscard]] Status SetParam(const std::string& name, const std::string& value);
  [[nodiscard]] Status UpdateOneIter(int iteration, const DMatrix& train);
  // XGBoost's evaluation line, e.g. "[3]\tcal-auc:0.91".
  [[nodiscard]] StatusOr<std::string> EvalOneIter(int iteration, const DMatrix& data,
                                                  const std::string& name);
  // A new booster holding the trees of rounds [begin, end).
  [[nodiscard]] StatusOr<Booster> Slice(int begin, int end) const;
  [[nodiscard]] StatusOr<int> BoostedRounds() const;
  [[nodiscard]] StatusOr<size_t> NumFeatures() const;
  // The model in XGBoost's JSON format.
  [[nodiscard]] StatusOr<std::string> SaveModelJson() const;
  // Raw margins (log-odds) of every row; `iteration_end` 0 means all rounds.
  [[nodiscard]] StatusOr<std::vector<float>> PredictMargins(const DMatrix& data,
                                                            int iteration_end = 0) const;
  // Raw margins by in-place prediction on `rows` x `cols` row-major values.
  [[nodiscard]] StatusOr<std::vector<float>> PredictDenseMargins(const float* values, size_t rows,
                                                                 size_t cols) const;
  // Total gain of each feature's splits, indexed by column (0 for unused).
  [[nodiscard]] StatusOr<std::vector<double>> TotalGainByFeature(size_t n_features) const;

  BoosterHandle get() const { return handle_; }

 private:
  explicit Booster(BoosterHandle handle) : handle_(handle) {}

  BoosterHandle handle_ = nullptr;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_XGBOOST_HANDLES_H_
