// Test-only: a small trained model and its artifacts, built once per test
// binary, and a scratch directory that removes itself.
#ifndef VIGIL_MODEL_TRAINED_ARTIFACTS_FOR_TEST_H_
#define VIGIL_MODEL_TRAINED_ARTIFACTS_FOR_TEST_H_

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "model/evaluation.h"
#include "model/model_artifacts.h"
#include "model/synthetic_dataset_for_test.h"
#include "model/trainer.h"

namespace vigil::testing {

struct SmallModel {
  Dataset train;
  Dataset valid;
  TrainedModel trained;
  ModelArtifacts artifacts;
};

// 600 training rows, 200 validation rows, at most 20 rounds.
inline const SmallModel& TrainedSmallModel() {
  static const SmallModel* model = [] {
    auto* m = new SmallModel;
    m->train = MakeSyntheticDataset(600, 21);
    m->valid = MakeSyntheticDataset(200, 22, m->train.times.back() + 60);
    TrainOptions options;
    options.nthread = 1;
    options.max_rounds = 20;
    auto trained = TrainModel(m->train, options);
    if (!trained.ok()) std::abort();
    m->trained = *std::move(trained);
    auto evaluation = EvaluateTrainedModel(m->trained, m->valid);
    if (!evaluation.ok()) std::abort();
    m->artifacts = MakeArtifacts(m->trained, m->train, m->valid, *std::move(evaluation));
    return m;
  }();
  return *model;
}

// A fresh directory under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("vigil_model_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace vigil::testing

#endif  // VIGIL_MODEL_TRAINED_ARTIFACTS_FOR_TEST_H_
