// Dataset: a dense, row-major table of point-in-time feature rows with their
// labels, as the feature engine builds them and the trainer consumes them.
// Missing values are NaN (XGBoost's default missing marker). A plain value
// type; not synchronised.
#ifndef VIGIL_MODEL_DATASET_H_
#define VIGIL_MODEL_DATASET_H_

#include <cstddef>
#include <string>
#include <vector>

#include "common/time.h"

namespace vigil {

struct Dataset {
  std::vector<std::string> feature_names;  // column order of `values`
  std::vector<float> values;               // rows() * cols(), row-major
  std::vector<float> labels;               // 0 or 1 per row
  std::vector<Timestamp> times;            // the decision time of each row
  std::vector<std::string> ids;            // order / return / transaction id per row

  size_t cols() const { return feature_names.size(); }
  size_t rows() const { return labels.size(); }
  const float* row(size_t i) const { return values.data() + i * cols(); }

  // Appends one row; `features` must hold cols() values.
  void AddRow(const float* features, float label, Timestamp time, std::string id) {
    values.insert(values.end(), features, features + cols());
    labels.push_back(label);
    times.push_back(time);
    ids.push_back(std::move(id));
  }
};

}  // namespace vigil

#endif  // VIGIL_MODEL_DATASET_H_
