#include "common/csv_reader.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace vigil {
namespace {

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / name).string();
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::vector<CsvRecord> ReadAll(CsvReader& reader) {
  std::vector<CsvRecord> out;
  CsvRecord record;
  while (reader.Next(&record).value()) out.push_back(record);
  return out;
}

TEST(CsvReader, ReadsHeaderAndRecordsWithLineNumbers) {
  auto reader = CsvReader::Open(WriteFile("plain.csv", "id,amount\nA,1.5\nB,2\n")).value();
  EXPECT_EQ(reader->header(), (std::vector<std::string>{"id", "amount"}));
  EXPECT_EQ(reader->ColumnIndex("amount"), 1);
  EXPECT_EQ(reader->ColumnIndex("missing"), -1);
  const auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"B", "2"}));
}

TEST(CsvReader, UnquotesFieldsWithCommasQuotesAndNewlines) {
  auto reader =
      CsvReader::Open(WriteFile("quoted.csv",
                                "id,reason\n1,\"too big, wrong fit\"\n2,\"said \"\"no\"\"\"\n"
                                "3,\"two\nlines\"\n4,last\n"))
          .value();
  const auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].fields[1], "too big, wrong fit");
  EXPECT_EQ(rows[1].fields[1], "said \"no\"");
  EXPECT_EQ(rows[2].fields[1], "two\nlines");
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_EQ(rows[3].line, 6);
}

TEST(CsvReader, StripsBomAndHandlesCrlf) {
  auto reader =
      CsvReader::Open(WriteFile("bom.csv", "\xEF\xBB\xBFid,x\r\nA,1\r\n\r\nB,2\r\n")).value();
  EXPECT_EQ(reader->header()[0], "id");
  const auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"A", "1"}));
  EXPECT_EQ(rows[1].line, 4);
}

TEST(CsvReader, ReportsMalformedRecordAndResumesOnNextLine) {
  auto reader =
      CsvReader::Open(WriteFile("bad.csv", "id,x\nA,1\nB,\"unclosed\"junk\nC,3\n")).value();
  const auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[0].error.empty());
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_NE(rows[1].error.find("malformed CSV"), std::string::npos);
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"C", "3"}));
  EXPECT_EQ(rows[2].line, 4);
}

TEST(CsvReader, ReportsUnterminatedQuoteAtEnd) {
  auto reader = CsvReader::Open(WriteFile("open.csv", "id,x\nA,\"never closed\n")).value();
  const auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_NE(rows[0].error.find("unterminated"), std::string::npos);
}

TEST(CsvReader, ReadsGzipCompressedFiles) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "z.csv.gz").string();
  gzFile out = gzopen(path.c_str(), "wb");
  const std::string text = "id,x\nA,1\n";
  gzwrite(out, text.data(), text.size());
  gzclose(out);
  auto reader = CsvReader::Open(path).value();
  const auto rows = ReadAll(*reader);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields[0], "A");
}

TEST(CsvReader, ReadsTextInMemoryAsItReadsTheSameFile) {
  const std::string text = "id,note\r\n1,\"two\nlines\"\n2,\"a \"\"b\"\"\"\n3,\"open\n";
  auto from_file = CsvReader::Open(WriteFile("same.csv", text)).value();
  auto from_text = CsvReader::FromText("same.csv", text).value();
  EXPECT_EQ(from_text->header(), from_file->header());
  const std::vector<CsvRecord> expected = ReadAll(*from_file);
  const std::vector<CsvRecord> records = ReadAll(*from_text);
  ASSERT_EQ(records.size(), expected.size());
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].line, expected[i].line);
    EXPECT_EQ(records[i].fields, expected[i].fields);
    EXPECT_EQ(records[i].error, expected[i].error);
  }
  EXPECT_EQ(records[0].fields[1], "two\nlines");
  EXPECT_EQ(records[1].fields[1], "a \"b\"");
  EXPECT_NE(records[2].error, "");  // the quote left open at the end
  EXPECT_EQ(from_text->bytes_read(), static_cast<int64_t>(text.size()));
}

TEST(CsvReader, EmptyTextHasNoHeaderAndNamesItsSource) {
  const auto status = CsvReader::FromText("festival calendar", "").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "festival calendar: empty file, no header row");
}

TEST(CsvReader, MissingFileIsNotFound) {
  EXPECT_EQ(CsvReader::Open("/nonexistent/file.csv").status().code(), absl::StatusCode::kNotFound);
}

TEST(CsvReader, EmptyFileHasNoHeader) {
  const auto status = CsvReader::Open(WriteFile("empty.csv", "")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("no header"), std::string::npos);
}

}  // namespace
}  // namespace vigil
