// CsvReader: streams records from an RFC 4180 CSV file (plain or gzip) or
// text in memory, with the header row, the physical line each record starts
// on, and malformed records reported rather than thrown away silently.
// Parsing is libcsv's (strict mode); this class adds lines, gzip, the BOM
// and recovery after a bad record. Not thread-safe; one reader per thread.
#ifndef VIGIL_COMMON_CSV_READER_H_
#define VIGIL_COMMON_CSV_READER_H_

#include <zlib.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct csv_parser;

namespace vigil {

struct CsvRecord {
  int64_t line = 0;                 // 1-based physical line where the record starts
  std::vector<std::string> fields;  // unquoted field values
  std::string error;                // non-empty when the record is malformed
};

class CsvReader {
 public:
  // Opens `path` (".gz" files are decompressed transparently) and reads the
  // header. NotFound when the file is missing; InvalidArgument when it has
  // no header row.
  [[nodiscard]] static StatusOr<std::unique_ptr<CsvReader>> Open(const std::string& path);
  // Reads CSV `text` held in memory (a file compiled into the program, say);
  // `name` stands for the path in messages. InvalidArgument without a header.
  [[nodiscard]] static StatusOr<std::unique_ptr<CsvReader>> FromText(std::string name,
                                                                     std::string text);

  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  const std::string& path() const { return path_; }
  // Column names as written, with surrounding spaces and a UTF-8 BOM removed.
  const std::vector<std::string>& header() const { return header_; }
  // Index of the column named `name` (case-sensitive), or -1.
  int ColumnIndex(std::string_view name) const;

  // Fills `record` with the next record; false at the end of the file. A
  // malformed record (bad quoting) comes back with `error` set, and reading
  // resumes on the following line. IO errors are returned as a Status.
  [[nodiscard]] StatusOr<bool> Next(CsvRecord* record);

  // Bytes consumed of the underlying (possibly compressed) file or text, for
  // progress.
  int64_t bytes_read() const;
  int64_t file_size() const { return file_size_; }

 private:
  CsvReader(std::string path, gzFile file, std::string text, int64_t file_size);
  Status ReadHeader();
  Status FeedNextLine();
  // Fills buffer_ from the file or the text; the bytes read, 0 at the end,
  // negative on a read error.
  int Refill();
  void ResetParser();
  bool ReadLine(std::string* line);

  static void OnField(void* data, size_t len, void* self);
  static void OnRecordEnd(int terminator, void* self);

  std::string path_;
  gzFile file_;       // null when reading text_
  std::string text_;  // the CSV of FromText
  size_t text_pos_ = 0;
  int64_t file_size_;
  std::unique_ptr<csv_parser> parser_;
  std::vector<std::string> header_;
  std::deque<CsvRecord> ready_;
  CsvRecord building_;
  bool building_started_ = false;
  int64_t line_number_ = 0;
  bool at_eof_ = false;
  bool first_line_ = true;
  std::string line_;
  std::vector<char> buffer_;
  size_t buffer_pos_ = 0;
  size_t buffer_end_ = 0;
};

}  // namespace vigil

#endif  // VIGIL_COMMON_CSV_READER_H_
