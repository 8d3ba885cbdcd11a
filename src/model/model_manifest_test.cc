#include "model/model_manifest.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

ModelManifest FullManifest() {
  ModelManifest m;
  m.kind = "order";
  m.version = "v3";
  m.model_version = "order-v3";
  m.feature_names = {"amount", "customer_return_rate_90d"};
  m.feature_descriptions = {{"amount", "Order amount in INR"}};
  m.train_from = "2026-01-01T00:00:00Z";
  m.train_to = "2026-02-01T00:00:00Z";
  m.valid_from = "2026-02-01T00:00:00Z";
  m.valid_to = "2026-02-15T00:00:00Z";
  m.train_rows = 1000;
  m.fit_rows = 850;
  m.calibration_rows = 150;
  m.valid_rows = 300;
  m.best_iteration = 41;
  m.rounds = 82;
  m.parameters = {{"max_depth", 6}};
  m.xgboost_version = "1.7.4";
  m.checksum = "sha256:00";
  m.calibration.a = 0.9;
  m.calibration.b = -1.2;
  m.created_at = "2026-02-16T00:00:00Z";
  return m;
}

TEST(ModelManifestTest, JsonRoundTripKeepsEveryField) {
  const ModelManifest m = FullManifest();
  auto back = ModelManifest::FromJson(nlohmann::json::parse(m.ToJson().dump()));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToJson(), m.ToJson());
  EXPECT_EQ(back->feature_names, m.feature_names);
  EXPECT_EQ(back->calibration.b, -1.2);
  EXPECT_EQ(back->vigil_version, "0.1.0");
}

TEST(ModelManifestTest, WritesDocumentedKeys) {
  nlohmann::json j = FullManifest().ToJson();
  EXPECT_EQ(j["model_version"], "order-v3");
  EXPECT_EQ(j["library_versions"]["xgboost"], "1.7.4");
  EXPECT_EQ(j["rows"]["valid"], 300);
  EXPECT_EQ(j["calibration"]["method"], "platt");
  EXPECT_EQ(j["train_from"], "2026-01-01T00:00:00Z");
}

TEST(ModelManifestTest, MinimalImportedManifestIsAccepted) {
  nlohmann::json j = {{"kind", "return"},
                      {"version", "v1"},
                      {"model_version", "return-v1"},
                      {"feature_names", {"a"}},
                      {"checksum", "sha256:ab"},
                      {"calibration", {{"method", "platt"}, {"a", 1}, {"b", 0}}}};
  auto m = ModelManifest::FromJson(j);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->train_rows, 0u);
  EXPECT_TRUE(m->valid_from.empty());
}

TEST(ModelManifestTest, NamesTheMissingOrBadField) {
  nlohmann::json j = FullManifest().ToJson();
  j.erase("checksum");
  EXPECT_EQ(ModelManifest::FromJson(j).status().message(),
            "manifest field 'checksum' must be a non-empty string");
  j = FullManifest().ToJson();
  j["feature_names"] = nlohmann::json::array();
  EXPECT_EQ(ModelManifest::FromJson(j).status().message(),
            "manifest field 'feature_names' must be a non-empty array of strings");
  j = FullManifest().ToJson();
  j["rows"]["fit"] = -1;
  EXPECT_EQ(ModelManifest::FromJson(j).status().message(),
            "manifest field 'rows.fit' must be a non-negative integer");
  j = FullManifest().ToJson();
  j["calibration"]["a"] = "x";
  EXPECT_EQ(ModelManifest::FromJson(j).status().message(),
            "manifest calibration.a must be a finite number");
}

TEST(ModelVersionNameTest, JoinsKindAndVersion) {
  EXPECT_EQ(ModelVersionName("order", "v3"), "order-v3");
}

}  // namespace
}  // namespace vigil
