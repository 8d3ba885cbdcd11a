#include "store/decision_archive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "nlohmann/json.hpp"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Gunzip(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  std::string text;
  char buffer[4096];
  for (int n; (n = gzread(gz, buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  gzclose(gz);
  return text;
}

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
}

TEST(DecisionArchiveTest, WritesOneJsonObjectPerLineWithTheDocumentVerbatim) {
  ScopedTempDir dir;
  DecisionRecord d = TestDecision("dec_1", "ORD1", 1'760'918'400);
  d.document = R"({"b": 1, "a": "é"})";
  auto writer = DecisionArchiveWriter::Create(dir.path());
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(writer->Append(d).ok());
  const StatusOr<std::string> path = writer->Commit();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, dir.path() + "/decisions_2025-10-20_2025-10-20.ndjson.gz");

  const std::string text = Gunzip(*path);
  ASSERT_EQ(text.back(), '\n');
  const nlohmann::json line = nlohmann::json::parse(text);
  EXPECT_EQ(line["decision_id"], "dec_1");
  EXPECT_EQ(line["at"], "2025-10-20T00:00:00Z");
  EXPECT_EQ(line["risk_score"], 0.68);
  EXPECT_EQ(line["document"], d.document);
  EXPECT_FALSE(line.contains("narration"));
  EXPECT_THAT(std::vector<std::string>({fs::directory_iterator(dir.path())->path().filename()}),
              ElementsAre("decisions_2025-10-20_2025-10-20.ndjson.gz"));  // no temp file left
}

TEST(DecisionArchiveTest, RoundTripsEveryFieldAndNamesByDateRange) {
  ScopedTempDir dir;
  DecisionRecord a = TestDecision("dec_a", "ORD1", 1'761'000'000);
  a.narration = "n";
  a.narration_source = "template";
  const DecisionRecord b = TestDecision("dec_b", "ORD2", 1'760'918'400);
  auto writer = DecisionArchiveWriter::Create(dir.path() + "/nested/archive");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Append(a).ok());
  ASSERT_TRUE(writer->Append(b).ok());
  EXPECT_EQ(writer->count(), 2);
  const std::string path = *writer->Commit();
  EXPECT_EQ(fs::path(path).filename(), "decisions_2025-10-20_2025-10-20.ndjson.gz");
  std::vector<DecisionRecord> read;
  ASSERT_TRUE(ReadDecisionArchive(path, [&](const DecisionRecord& d) {
                read.push_back(d);
                return absl::OkStatus();
              }).ok());
  EXPECT_THAT(read, ElementsAre(a, b));
}

TEST(DecisionArchiveTest, MissingFeatureValuesComeBackAsNan) {
  ScopedTempDir dir;
  DecisionRecord d = TestDecision("dec_nan", "ORD1");
  d.features = {std::numeric_limits<float>::quiet_NaN(), 2.0f};
  auto writer = DecisionArchiveWriter::Create(dir.path());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Append(d).ok());
  const std::string path = *writer->Commit();
  std::vector<float> features;
  ASSERT_TRUE(ReadDecisionArchive(path, [&](const DecisionRecord& r) {
                features = r.features;
                return absl::OkStatus();
              }).ok());
  ASSERT_EQ(features.size(), 2u);
  EXPECT_TRUE(std::isnan(features[0]));
  EXPECT_EQ(features[1], 2.0f);
}

TEST(DecisionArchiveTest, NeverReplacesAnExistingArchive) {
  ScopedTempDir dir;
  for (int i = 0; i < 3; ++i) {
    auto writer = DecisionArchiveWriter::Create(dir.path());
    ASSERT_TRUE(writer->Append(TestDecision("dec_1", "ORD1", 1'760'918'400)).ok());
    const std::string expected =
        i == 0 ? "decisions_2025-10-20_2025-10-20.ndjson.gz"
               : fmt::format("decisions_2025-10-20_2025-10-20.{}.ndjson.gz", i);
    EXPECT_EQ(fs::path(*writer->Commit()).filename(), expected);
  }
}

TEST(DecisionArchiveTest, UncommittedWriterLeavesNoFile) {
  ScopedTempDir dir;
  {
    auto writer = DecisionArchiveWriter::Create(dir.path());
    ASSERT_TRUE(writer->Append(TestDecision("dec_1", "ORD1")).ok());
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
  auto empty = DecisionArchiveWriter::Create(dir.path());
  EXPECT_EQ(empty->Commit().status(),
            absl::FailedPreconditionError("an empty archive is not written"));
}

TEST(DecisionArchiveTest, MalformedLineIsDataLossWithItsLineNumber) {
  ScopedTempDir dir;
  const std::string path = dir.path() + "/bad.ndjson.gz";
  WriteGzip(path, DecisionToJsonLine(TestDecision("dec_1", "ORD1")) + "\n{\"decision_id\":1}\n");
  int good = 0;
  const Status status = ReadDecisionArchive(path, [&](const DecisionRecord&) {
    ++good;
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr(path + ":2:"));
  EXPECT_EQ(good, 1);
}

TEST(DecisionArchiveTest, TruncatedLastLineIsDataLoss) {
  ScopedTempDir dir;
  const std::string path = dir.path() + "/cut.ndjson.gz";
  WriteGzip(path, R"({"decision_id":)");
  EXPECT_EQ(ReadDecisionArchive(path, [](const DecisionRecord&) { return absl::OkStatus(); }),
            absl::DataLossError(path + ":1: truncated last line"));
}

}  // namespace
}  // namespace vigil
