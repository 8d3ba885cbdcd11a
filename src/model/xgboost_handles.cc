#include "model/xgboost_handles.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <utility>

namespace vigil {
namespace {

using Dims = bst_ulong;

// XGBoost's __array_interface__ for a host float32 row-major matrix.
std::string ArrayInterface(const float* values, size_t rows, size_t cols) {
  return fmt::format(R"({{"data":[{},true],"shape":[{},{}],"typestr":"<f4","version":3}})",
                     reinterpret_cast<uintptr_t>(values), rows, cols);
}

// XGBoost 1.7's in-place predict requires "cache_id" (0) besides the documented fields.
std::string PredictConfig(int type, int iteration_end) {
  return fmt::format(R"({{"type":{},"training":false,"iteration_begin":0,"iteration_end":{},)"
                     R"("strict_shape":false,"cache_id":0,"missing":NaN}})",
                     type, iteration_end);
}

constexpr int kPredictMargin = 1;

std::vector<float> CopyPredictions(const Dims* shape, Dims dims, const float* result) {
  size_t n = 1;
  for (Dims i = 0; i < dims; ++i) n *= shape[i];
  return std::vector<float>(result, result + n);
}

}  // namespace

Status XgbCall(int rc, std::string_view what) {
  if (rc == 0) return absl::OkStatus();
  return absl::InternalError(fmt::format("XGBoost {}: {}", what, XGBGetLastError()));
}

std::string XgboostVersion() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return fmt::format("{}.{}.{}", major, minor, patch);
}

// ---- DMatrix ----

DMatrix::~DMatrix() {
  if (handle_ != nullptr) XGDMatrixFree(handle_);
}

DMatrix::DMatrix(DMatrix&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), rows_(other.rows_), cols_(other.cols_) {}

DMatrix& DMatrix::operator=(DMatrix&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    rows_ = other.rows_;
    cols_ = other.cols_;
  }
  return *this;
}

StatusOr<DMatrix> DMatrix::FromDense(const float* values, size_t rows, size_t cols,
                                     std::span<const float> labels) {
  if (!labels.empty() && labels.size() != rows) {
    return absl::InvalidArgumentError(
        fmt::format("{} labels given for a matrix of {} rows", labels.size(), rows));
  }
  DMatrixHandle handle = nullptr;
  RETURN_IF_ERROR(
      XgbCall(XGDMatrixCreateFromMat(values, rows, cols, NAN, &handle), "creating a matrix"));
  DMatrix matrix(handle, rows, cols);
  if (!labels.empty()) {
    RETURN_IF_ERROR(
        XgbCall(XGDMatrixSetFloatInfo(handle, "label", labels.data(), rows), "setting labels"));
  }
  return matrix;
}

StatusOr<DMatrix> DMatrix::FromDataset(const Dataset& dataset) {
  if (dataset.values.size() != dataset.rows() * dataset.cols()) {
    return absl::InvalidArgumentError(
        fmt::format("dataset holds {} values, expected {} rows x {} columns", dataset.values.size(),
                    dataset.rows(), dataset.cols()));
  }
  return FromDense(dataset.values.data(), dataset.rows(), dataset.cols(), dataset.labels);
}

// ---- Booster ----

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

Booster::Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

StatusOr<Booster> Booster::Create(std::span<const DMatrix* const> cache) {
  std::vector<DMatrixHandle> handles;
  for (const DMatrix* m : cache) handles.push_back(m->get());
  BoosterHandle handle = nullptr;
  RETURN_IF_ERROR(
      XgbCall(XGBoosterCreate(handles.data(), handles.size(), &handle), "creating a booster"));
  return Booster(handle);
}

StatusOr<Booster> Booster::FromModelJson(std::string_view model_json, int nthread) {
  ASSIGN_OR_RETURN(Booster booster, Create({}));
  RETURN_IF_ERROR(
      XgbCall(XGBoosterLoadModelFromBuffer(booster.handle_, model_json.data(), model_json.size()),
              "loading a JSON model"));
  RETURN_IF_ERROR(booster.SetParam("nthread", std::to_string(nthread)));
  return booster;
}

Status Booster::SetParam(const std::string& name, const std::string& value) {
  return XgbCall(XGBoosterSetParam(handle_, name.c_str(), value.c_str()),
                 fmt::format("setting parameter {}={}", name, value));
}

Status Booster::UpdateOneIter(int iteration, const DMatrix& train) {
  return XgbCall(XGBoosterUpdateOneIter(handle_, iteration, train.get()),
                 fmt::format("boosting round {}", iteration));
}

StatusOr<std::string> Booster::EvalOneIter(int iteration, const DMatrix& data,
                                           const std::string& name) {
  DMatrixHandle matrices[] = {data.get()};
  const char* names[] = {name.c_str()};
  const char* result = nullptr;
  RETURN_IF_ERROR(XgbCall(XGBoosterEvalOneIter(handle_, iteration, matrices, names, 1, &result),
                          fmt::format("evaluating round {}", iteration)));
  return std::string(result);
}

StatusOr<Booster> Booster::Slice(int begin, int end) const {
  BoosterHandle out = nullptr;
  RETURN_IF_ERROR(XgbCall(XGBoosterSlice(handle_, begin, end, 1, &out),
                          fmt::format("slicing rounds [{}, {})", begin, end)));
  return Booster(out);
}

StatusOr<int> Booster::BoostedRounds() const {
  int rounds = 0;
  RETURN_IF_ERROR(XgbCall(XGBoosterBoostedRounds(handle_, &rounds), "counting rounds"));
  return rounds;
}

StatusOr<size_t> Booster::NumFeatures() const {
  bst_ulong n = 0;
  RETURN_IF_ERROR(XgbCall(XGBoosterGetNumFeature(handle_, &n), "counting features"));
  return static_cast<size_t>(n);
}

StatusOr<std::string> Booster::SaveModelJson() const {
  bst_ulong length = 0;
  const char* data = nullptr;
  RETURN_IF_ERROR(
      XgbCall(XGBoosterSaveModelToBuffer(handle_, R"({"format":"json"})", &length, &data),
              "saving the model"));
  return std::string(data, length);
}

StatusOr<std::vector<float>> Booster::PredictMargins(const DMatrix& data, int iteration_end) const {
  const Dims* shape = nullptr;
  Dims dims = 0;
  const float* result = nullptr;
  const std::string config = PredictConfig(kPredictMargin, iteration_end);
  RETURN_IF_ERROR(XgbCall(
      XGBoosterPredictFromDMatrix(handle_, data.get(), config.c_str(), &shape, &dims, &result),
      "predicting"));
  return CopyPredictions(shape, dims, result);
}

StatusOr<std::vector<float>> Booster::PredictDenseMargins(const float* values, size_t rows,
                                                          size_t cols) const {
  if (rows == 0) return std::vector<float>();
  const Dims* shape = nullptr;
  Dims dims = 0;
  const float* result = nullptr;
  const std::string array = ArrayInterface(values, rows, cols);
  const std::string config = PredictConfig(kPredictMargin, 0);
  RETURN_IF_ERROR(XgbCall(XGBoosterPredictFromDense(handle_, array.c_str(), config.c_str(), nullptr,
                                                    &shape, &dims, &result),
                          "predicting in place"));
  return CopyPredictions(shape, dims, result);
}

StatusOr<std::vector<double>> Booster::TotalGainByFeature(size_t n_features) const {
  bst_ulong n_names = 0;
  const char** names = nullptr;
  Dims dims = 0;
  const Dims* shape = nullptr;
  const float* scores = nullptr;
  RETURN_IF_ERROR(XgbCall(XGBoosterFeatureScore(handle_, R"({"importance_type":"total_gain"})",
                                                &n_names, &names, &dims, &shape, &scores),
                          "computing feature importance"));
  std::vector<double> gains(n_features, 0.0);
  for (bst_ulong i = 0; i < n_names; ++i) {
    // Without feature names XGBoost calls column j "f<j>".
    std::string_view name(names[i]);
    size_t column = 0;
    if (name.size() < 2 || name[0] != 'f' ||
        std::from_chars(name.data() + 1, name.data() + name.size(), column).ec != std::errc() ||
        column >= n_features) {
      return absl::InternalError(fmt::format("XGBoost reported unknown feature '{}'", name));
    }
    gains[column] = scores[i];
  }
  return gains;
}

}  // namespace vigil
