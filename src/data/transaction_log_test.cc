#include "data/transaction_log.h"

#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;

class TransactionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("tx_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  void WriteGzip(const std::string& name, const std::string& text) {
    gzFile file = gzopen((dir_ / name).string().c_str(), "wb");
    ASSERT_NE(file, nullptr);
    gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
    gzclose(file);
  }
  static std::vector<std::string> Issues(const TransactionLog& log) {
    std::vector<std::string> out;
    for (const LoadIssue& issue : log.report.issues()) out.push_back(issue.ToString());
    return out;
  }

  std::filesystem::path dir_;
  Catalog catalog_;
};

TEST_F(TransactionLogTest, ReadsRowsInTimeOrderWithLabelsKnownAfterTheDelay) {
  Write("transactions.csv",
        "transaction_id,user_id,created_at,amount,merchant,is_fraud,labeled_at\n"
        "T2,U1,2025-07-02T10:00:00Z,50.5,M1,1,\n"
        "T1,U2,2025-07-01T10:00:00Z,20,M2,0,2025-07-03T00:00:00Z\n"
        "T3,U1,2025-07-03T10:00:00Z,70,,,\n");
  const TransactionLog log = LoadTransactions(dir_.string(), &catalog_).value();
  EXPECT_EQ(log.report.issue_count(), 0);
  ASSERT_EQ(log.transactions.size(), 3u);
  const Transaction& first = log.transactions[0];
  EXPECT_EQ(log.ids[first.row], "T1");
  EXPECT_EQ(first.label, 0);
  EXPECT_EQ(first.label_known_at, ParseTimestamp("2025-07-03T00:00:00Z").value());
  const Transaction& second = log.transactions[1];
  EXPECT_EQ(log.ids[second.row], "T2");
  EXPECT_EQ(second.label, 1);
  EXPECT_EQ(second.label_known_at, second.at + 7 * kSecondsPerDay);
  EXPECT_FLOAT_EQ(second.amount, 50.5f);
  EXPECT_EQ(catalog_.Name(Entity::kMerchant, second.merchant), "M1");
  const Transaction& third = log.transactions[2];
  EXPECT_EQ(third.card, second.card);
  EXPECT_EQ(third.merchant, kNoId);
  EXPECT_EQ(third.label, kLabelUnknown);
  EXPECT_TRUE(log.has_labels);
}

TEST_F(TransactionLogTest, ReadsGzipWithColumnMappingAndTimeZone) {
  WriteGzip("transactions.csv.gz",
            "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_FRAUD\n"
            "0,2018-04-01 00:00:31,596,3156,57.16,0\n");
  LoadOptions options;
  options.transaction_offset_seconds = 2 * 3600;
  options.column_names = {{"transaction_id", "TRANSACTION_ID"}, {"user_id", "CUSTOMER_ID"},
                          {"created_at", "TX_DATETIME"},        {"amount", "TX_AMOUNT"},
                          {"merchant", "TERMINAL_ID"},          {"is_fraud", "TX_FRAUD"}};
  EXPECT_TRUE(HasTransactionFile(dir_.string()));
  const TransactionLog log = LoadTransactions(dir_.string(), &catalog_, options).value();
  ASSERT_EQ(log.transactions.size(), 1u);
  EXPECT_EQ(log.transactions[0].at, ParseTimestamp("2018-04-01T00:00:31+02:00").value());
  EXPECT_EQ(catalog_.Name(Entity::kCustomer, log.transactions[0].card), "596");
  EXPECT_EQ(catalog_.Name(Entity::kMerchant, log.transactions[0].merchant), "3156");
}

TEST_F(TransactionLogTest, ReportsBadRowsWithFileAndLineAndKeepsTheRest) {
  Write("transactions.csv",
        "transaction_id,user_id,created_at,amount,is_fraud\n"
        "T1,U1,2025-07-01T10:00:00Z,-5,0\n"
        "T2,U1,yesterday,5,0\n"
        "T3,U1,2025-07-01T10:00:00Z,5,maybe\n"
        "T4,,2025-07-01T10:00:00Z,5,0\n"
        "T5,U1,2025-07-01T10:00:00Z,5,1\n");
  const TransactionLog log = LoadTransactions(dir_.string(), &catalog_).value();
  ASSERT_EQ(log.transactions.size(), 1u);
  EXPECT_EQ(log.ids[log.transactions[0].row], "T5");
  const auto issues = Issues(log);
  ASSERT_EQ(issues.size(), 4u);
  EXPECT_THAT(issues[0], ::testing::HasSubstr("transactions.csv:2: amount -5 is negative"));
  EXPECT_THAT(issues[1], ::testing::HasSubstr("transactions.csv:3: created_at:"));
  EXPECT_THAT(issues[2],
              ::testing::HasSubstr("transactions.csv:4: is_fraud 'maybe' is not 0 or 1"));
  EXPECT_THAT(issues[3], ::testing::HasSubstr("transactions.csv:5: user_id is empty"));
}

TEST_F(TransactionLogTest, FailsNamingTheMissingColumn) {
  Write("transactions.csv", "transaction_id,user_id,amount\nT1,U1,5\n");
  const auto log = LoadTransactions(dir_.string(), &catalog_);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(log.status().message(), ::testing::HasSubstr("created_at"));
}

TEST_F(TransactionLogTest, IsNotFoundWithoutTheFile) {
  EXPECT_FALSE(HasTransactionFile(dir_.string()));
  EXPECT_EQ(LoadTransactions(dir_.string(), &catalog_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil
