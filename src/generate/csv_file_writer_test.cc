#include "generate/csv_file_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/atomic_file.h"
#include "common/time.h"

namespace vigil {
namespace {

std::string Text(const CsvBuffer& buffer) { return fmt::to_string(buffer); }

std::string TempDir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(AppendCsvFieldTest, QuotesOnlyWhenNeeded) {
  CsvBuffer out;
  AppendCsvField(out, "Size too small");
  out.push_back('|');
  AppendCsvField(out, "Damaged product, box was torn");
  out.push_back('|');
  AppendCsvField(out, "a \"quoted\" word");
  EXPECT_EQ(Text(out),
            "Size too small|\"Damaged product, box was torn\"|\"a \"\"quoted\"\" word\"");
}

TEST(AppendIstTimestampTest, WritesIstWithOffsetAndRoundTrips) {
  const Timestamp t = *ParseTimestamp("2025-10-20T10:30:05+05:30");
  CsvBuffer out;
  AppendIstTimestamp(out, t);
  EXPECT_EQ(Text(out), "2025-10-20T10:30:05+05:30");
  EXPECT_EQ(*ParseTimestamp(Text(out)), t);
}

TEST(AppendIstTimestampTest, CrossesMidnightIntoTheIstDay) {
  CsvBuffer out;
  AppendIstTimestamp(out, *ParseTimestamp("2025-12-31T20:00:00Z"));
  EXPECT_EQ(Text(out), "2026-01-01T01:30:00+05:30");
}

TEST(AppendRupeesTest, TwoDecimals) {
  CsvBuffer out;
  AppendRupees(out, 129900);
  out.push_back(' ');
  AppendRupees(out, 5);
  out.push_back(' ');
  AppendRupees(out, -250);
  EXPECT_EQ(Text(out), "1299.00 0.05 -2.50");
}

TEST(AppendIdTest, PadsToWidthAndGrowsBeyondIt) {
  CsvBuffer out;
  AppendId(out, 'C', 123, 7);
  out.push_back(' ');
  AppendId(out, 'P', 1234567, 5);
  EXPECT_EQ(Text(out), "C0000123 P1234567");
}

TEST(CsvFileWriterTest, CommitWritesHeaderAndRowsUnderTheFinalName) {
  const std::string dir = TempDir("csv-writer");
  const std::string path = dir + "/t.csv";
  auto writer = CsvFileWriter::Create(path, "a,b");
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (int i = 0; i < 100000; ++i) {  // several MiB-sized flushes
    fmt::format_to(std::back_inserter((*writer)->row()), "{},row number {}", i, i);
    (*writer)->EndRow();
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ((*writer)->rows(), 100000);
  const std::string text = ReadFileToString(path).value();
  EXPECT_EQ(text.substr(0, 22), "a,b\n0,row number 0\n1,r");
  EXPECT_EQ(static_cast<int64_t>(text.size()), (*writer)->bytes_written());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove_all(dir);
}

TEST(CsvFileWriterTest, AbandonedWriterLeavesNoFile) {
  const std::string dir = TempDir("csv-writer-abandon");
  {
    auto writer = CsvFileWriter::Create(dir + "/t.csv", "a");
    ASSERT_TRUE(writer.ok());
    (*writer)->row().push_back('1');
    (*writer)->EndRow();
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST(CsvFileWriterTest, MissingDirectoryIsAnError) {
  auto writer = CsvFileWriter::Create("/nonexistent-vigil-dir/t.csv", "a");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.status().message(),
            "cannot create '/nonexistent-vigil-dir/t.csv.tmp': No such file or directory");
}

}  // namespace
}  // namespace vigil
