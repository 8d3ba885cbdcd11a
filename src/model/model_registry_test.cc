#include "model/model_registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "common/atomic_file.h"
#include "model/checksum.h"
#include "model/trained_artifacts_for_test.h"
#include "model/version_files.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;
using testing::TrainedSmallModel;

constexpr Timestamp kStart = 1'767'225'600;  // 2026-01-01T00:00:00Z

class ModelRegistryTest : public ::testing::Test {
 protected:
  ModelRegistryTest() : registry_(dir_.path(), [this] { return now_++; }) {}

  std::string Publish(const std::string& kind, bool promote) {
    auto version = registry_.Publish(kind, TrainedSmallModel().artifacts, promote);
    EXPECT_TRUE(version.ok()) << version.status();
    return version.value_or("");
  }

  std::string ProductionOf(const std::string& kind) {
    auto v = registry_.Production(kind);
    return v.ok() ? *v : std::string(v.status().message());
  }

  void Append(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::app) << text;
  }

  ScratchDir dir_;
  Timestamp now_ = kStart;
  ModelRegistry registry_;
};

TEST_F(ModelRegistryTest, FirstPublishIsPromotedAutomatically) {
  EXPECT_EQ(Publish("order", /*promote=*/false), "v1");
  EXPECT_EQ(ProductionOf("order"), "v1");
  const std::string dir = registry_.VersionDir("order", "v1");
  EXPECT_EQ(dir, dir_.path() + "/order/v1");
  for (const char* file : {"model.json", "manifest.json", "metrics.json", "report.html"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + file)) << file;
  }
}

TEST_F(ModelRegistryTest, ManifestCarriesIdentityChecksumAndTrainingFacts) {
  Publish("order", false);
  auto files = ReadVersionFiles(registry_.VersionDir("order", "v1"));
  ASSERT_TRUE(files.ok()) << files.status();
  const ModelManifest& m = files->manifest;
  const auto& small = TrainedSmallModel();
  EXPECT_EQ(m.kind, "order");
  EXPECT_EQ(m.version, "v1");
  EXPECT_EQ(m.model_version, "order-v1");
  EXPECT_EQ(m.checksum, ArtifactChecksum(small.trained.model_json));
  EXPECT_EQ(files->model_json, small.trained.model_json);
  EXPECT_EQ(m.feature_names, small.train.feature_names);
  EXPECT_EQ(m.created_at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(m.train_from, FormatTimestamp(small.train.times.front()));
  EXPECT_EQ(m.valid_to, FormatTimestamp(small.valid.times.back()));
  EXPECT_EQ(m.train_rows, 600u);
  EXPECT_EQ(m.valid_rows, 200u);
  EXPECT_EQ(m.vigil_version, "0.1.0");
  EXPECT_EQ(m.xgboost_version.rfind("1.7.", 0), 0u);
  EXPECT_EQ(m.calibration.a, small.trained.calibration.a);
}

TEST_F(ModelRegistryTest, MetricsJsonHoldsValidationMetricsAndRowCounts) {
  Publish("return", false);
  auto text = ReadFileToString(registry_.VersionDir("return", "v1") + "/metrics.json");
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["model_version"], "return-v1");
  EXPECT_DOUBLE_EQ(j["roc_auc"].get<double>(), TrainedSmallModel().artifacts.validation.roc_auc);
  EXPECT_EQ(j["rows"]["valid"], 200);
  EXPECT_EQ(j["rows"]["train"], 600);
  EXPECT_EQ(j["thresholds"].size(), 5u);
  EXPECT_EQ(j["feature_importance"].size(), 6u);
}

TEST_F(ModelRegistryTest, LaterVersionsWaitForPromotion) {
  Publish("order", false);
  EXPECT_EQ(Publish("order", false), "v2");
  EXPECT_EQ(ProductionOf("order"), "v1");
  EXPECT_EQ(Publish("order", true), "v3");
  EXPECT_EQ(ProductionOf("order"), "v3");
}

TEST_F(ModelRegistryTest, RollbackWalksBackThroughProductionVersions) {
  Publish("order", false);
  Publish("order", false);
  Publish("order", false);
  ASSERT_TRUE(registry_.Promote("order", "v3").ok());
  ASSERT_TRUE(registry_.Promote("order", "order-v2").ok());
  EXPECT_EQ(*registry_.RollbackTarget("order"), "v3");
  EXPECT_EQ(*registry_.Rollback("order"), "v3");
  EXPECT_EQ(ProductionOf("order"), "v3");
  EXPECT_EQ(*registry_.RollbackTarget("order"), "v1");
  EXPECT_EQ(*registry_.Rollback("order"), "v1");
  EXPECT_EQ(*registry_.RollbackTarget("order"), std::nullopt);
  auto none = registry_.Rollback("order");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(none.status().message(),
            "the order model has no earlier production version to roll back to");
  EXPECT_EQ(ProductionOf("order"), "v1");
}

TEST_F(ModelRegistryTest, RegistryJsonRecordsHistoryWithTimes) {
  Publish("transaction", false);                        // created at +0, promoted at +1
  Publish("transaction", true);                         // created at +2, promoted at +3
  ASSERT_TRUE(registry_.Rollback("transaction").ok());  // +4
  auto text = ReadFileToString(dir_.path() + "/transaction/registry.json");
  ASSERT_TRUE(text.ok());
  auto j = nlohmann::json::parse(*text);
  EXPECT_EQ(j["production"], "v1");
  EXPECT_EQ(j["lineage"], nlohmann::json({"v1"}));
  ASSERT_EQ(j["history"].size(), 3u);
  EXPECT_EQ(j["history"][0], nlohmann::json({{"action", "promote"},
                                             {"version", "v1"},
                                             {"previous", nullptr},
                                             {"at", "2026-01-01T00:00:01Z"}}));
  EXPECT_EQ(j["history"][2]["action"], "rollback");
  EXPECT_EQ(j["history"][2]["previous"], "v2");
  EXPECT_EQ(j["history"][2]["at"], "2026-01-01T00:00:04Z");
}

TEST_F(ModelRegistryTest, PromotingTheProductionVersionChangesNothing) {
  Publish("order", false);
  ASSERT_TRUE(registry_.Promote("order", "v1").ok());
  EXPECT_EQ(registry_.Rollback("order").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ModelRegistryTest, ListsVersionsOfEveryKindInOrder) {
  Publish("return", false);
  Publish("order", false);
  Publish("order", true);
  auto all = registry_.List("");
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].model_version, "order-v1");
  EXPECT_FALSE((*all)[0].production);
  EXPECT_EQ((*all)[1].model_version, "order-v2");
  EXPECT_TRUE((*all)[1].production);
  EXPECT_EQ((*all)[2].model_version, "return-v1");
  EXPECT_TRUE((*all)[2].production);
  EXPECT_EQ((*all)[2].problem, "");
  EXPECT_EQ((*all)[2].valid_rows, 200u);
  EXPECT_DOUBLE_EQ((*all)[2].roc_auc, TrainedSmallModel().artifacts.validation.roc_auc);
  EXPECT_EQ((*all)[1].created_at, "2026-01-01T00:00:04Z");  // return v1: +0, +1; order v1: +2, +3
  auto orders = registry_.List("order");
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(orders->size(), 2u);
  EXPECT_TRUE(registry_.List("transaction")->empty());
}

TEST_F(ModelRegistryTest, VersionNumbersSortNumerically) {
  for (int i = 0; i < 10; ++i) Publish("order", false);
  auto list = registry_.List("order");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 10u);
  EXPECT_EQ(list->back().version, "v10");
  EXPECT_EQ((*list)[8].version, "v9");
}

TEST_F(ModelRegistryTest, RejectsUnknownKind) {
  auto published = registry_.Publish("refund", TrainedSmallModel().artifacts, false);
  EXPECT_EQ(published.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(published.status().message(),
            "unknown model kind 'refund'; expected order, return or transaction");
  EXPECT_EQ(registry_.List("refund").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_.Production("refund").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_.Promote("refund", "v1").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_.Rollback("refund").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ModelRegistryTest, RejectsUnknownOrMalformedVersion) {
  Publish("order", false);
  Status missing = registry_.Promote("order", "v7");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "no version v7 of the order model in " + dir_.path() +
                                   "/order (see `vigil models list`)");
  Status traversal = registry_.Promote("order", "../return/v1");
  EXPECT_EQ(traversal.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(traversal.message(), "version must look like v<N> or order-v<N>, got '../return/v1'");
}

TEST_F(ModelRegistryTest, ProductionIsNotFoundBeforeAnyModel) {
  auto production = registry_.Production("return");
  EXPECT_EQ(production.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(production.status().message(),
            "no production return model in " + dir_.path() +
                "/return; train one with `vigil train --kind return`");
}

TEST_F(ModelRegistryTest, TamperedModelIsDetected) {
  Publish("order", false);
  Publish("order", true);
  Append(registry_.VersionDir("order", "v1") + "/model.json", " ");
  Status promote = registry_.Promote("order", "v1");
  EXPECT_EQ(promote.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(promote.message().find("model.json does not match the checksum in its manifest"),
            std::string::npos)
      << promote;
  auto rollback = registry_.Rollback("order");
  EXPECT_EQ(rollback.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ProductionOf("order"), "v2");
  auto list = registry_.List("order");
  ASSERT_TRUE(list.ok());
  EXPECT_NE((*list)[0].problem.find("does not match the checksum"), std::string::npos);
  EXPECT_EQ((*list)[1].problem, "");
}

TEST_F(ModelRegistryTest, MissingArtifactFileBlocksPromotion) {
  Publish("order", false);
  Publish("order", false);
  fs::remove(registry_.VersionDir("order", "v2") + "/report.html");
  Status status = registry_.Promote("order", "v2");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            registry_.VersionDir("order", "v2") + "/report.html is missing; republish this model");
}

TEST_F(ModelRegistryTest, CorruptManifestIsDataLoss) {
  Publish("order", false);
  Append(registry_.VersionDir("order", "v1") + "/manifest.json", "}");
  auto model = registry_.LoadProduction("order");
  EXPECT_EQ(model.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(model.status().message(), registry_.VersionDir("order", "v1") +
                                          "/manifest.json is not valid JSON; restore or "
                                          "republish it");
}

TEST_F(ModelRegistryTest, LoadsTheProductionModel) {
  Publish("order", false);
  Publish("order", true);
  auto model = registry_.LoadProduction("order");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ((*model)->model_version(), "order-v2");
}

TEST_F(ModelRegistryTest, RejectsArtifactsWhoseFeaturesDoNotMatchTheModel) {
  ModelArtifacts artifacts = TrainedSmallModel().artifacts;
  artifacts.manifest.feature_names.pop_back();
  auto published = registry_.Publish("order", artifacts, false);
  EXPECT_EQ(published.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(published.status().message(),
            "cannot publish a order model: the XGBoost model expects 6 features but the manifest "
            "names 5");
  EXPECT_FALSE(fs::exists(dir_.path() + "/order/v1"));
}

TEST_F(ModelRegistryTest, LeavesNoTemporaryFilesBehind) {
  Publish("order", false);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir_.path() + "/order")) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"registry.json", "v1"}));
}

}  // namespace
}  // namespace vigil
