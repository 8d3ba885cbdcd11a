// CsvFileWriter: writes a CSV file through a large in-memory buffer, flushed
// with fwrite in chunks of about 1 MiB, into `<path>.tmp`, renamed to `path`
// by Commit() (a failed run leaves no half-written file under the real name).
// Plus the field formatters the generator needs: RFC 4180 quoting, IST
// timestamps, rupee amounts and zero-padded ids, all without allocation.
// Not thread-safe; one writer per file.
#ifndef VIGIL_GENERATE_CSV_FILE_WRITER_H_
#define VIGIL_GENERATE_CSV_FILE_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "fmt/format.h"

namespace vigil {

using CsvBuffer = fmt::memory_buffer;

// Appends `text`, quoted (with doubled quotes) when it holds a comma, a quote
// or a line break.
void AppendCsvField(CsvBuffer& out, std::string_view text);
// "2025-10-20T10:30:00+05:30": the instant `t` in India Standard Time.
void AppendIstTimestamp(CsvBuffer& out, Timestamp t);
// "1299.00" for 129900 paise; negative amounts get a leading '-'.
void AppendRupees(CsvBuffer& out, int64_t paise);
// `prefix` (none when '\0') then `number` zero-padded to at least `width`
// digits: C0000123.
void AppendId(CsvBuffer& out, char prefix, int64_t number, int width);

class CsvFileWriter {
 public:
  // Creates `<path>.tmp` and writes `header` (without the line break) as the
  // first row. Errors name the path and the system's reason.
  [[nodiscard]] static StatusOr<std::unique_ptr<CsvFileWriter>> Create(std::string path,
                                                                       std::string_view header);
  ~CsvFileWriter();  // removes the temporary file when Commit() did not succeed
  CsvFileWriter(const CsvFileWriter&) = delete;
  CsvFileWriter& operator=(const CsvFileWriter&) = delete;

  // The row being built; append fields with the functions above, then EndRow().
  CsvBuffer& row() { return buffer_; }
  // Ends the row with '\n' and writes the buffer out once it passes 1 MiB.
  void EndRow() {
    buffer_.push_back('\n');
    ++rows_;
    if (buffer_.size() >= kFlushBytes) Flush();
  }

  // Writes what is left, closes the file and renames it to its final path.
  // Reports the first write error of the whole file, if any.
  [[nodiscard]] Status Commit();

  int64_t rows() const { return rows_; }  // data rows, header excluded
  int64_t bytes_written() const { return bytes_written_; }
  const std::string& path() const { return path_; }

 private:
  static constexpr size_t kFlushBytes = size_t{1} << 20;

  CsvFileWriter(std::string path, std::FILE* file);
  void Flush();

  std::string path_;
  std::string tmp_path_;
  std::FILE* file_;
  CsvBuffer buffer_;
  int64_t rows_ = 0;
  int64_t bytes_written_ = 0;
  int write_errno_ = 0;
  bool committed_ = false;
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_CSV_FILE_WRITER_H_
