// TableReader: one data-lake file read by column name. Binds the required
// and optional columns of the contract to positions in the header (through
// an optional renaming), checks each record's shape, and reports rejected
// rows to a LoadReport with file and line. Not thread-safe.
#ifndef VIGIL_DATA_TABLE_READER_H_
#define VIGIL_DATA_TABLE_READER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/csv_reader.h"
#include "common/status.h"
#include "data/load_report.h"

namespace vigil {

class TableReader {
 public:
  // Opens `dir/name` or `dir/name.gz`. NotFound when neither exists;
  // InvalidArgument naming the missing columns when a required one is absent.
  [[nodiscard]] static StatusOr<std::unique_ptr<TableReader>> Open(
      const std::string& dir, const std::string& name, const std::vector<std::string>& required,
      const std::vector<std::string>& optional, const std::map<std::string, std::string>& renames,
      LoadReport* report);

  // Advances to the next well-formed record; false at the end. Malformed
  // records are reported and skipped here.
  [[nodiscard]] StatusOr<bool> Next();

  // The trimmed value of `column` in the current record ("" when absent).
  std::string_view Get(std::string_view column) const;
  bool Has(std::string_view column) const;

  // Reports the current record as rejected.
  void Reject(const std::string& why);
  void Accept() { ++summary_->accepted; }
  int64_t line() const { return record_.line; }
  const std::string& name() const { return name_; }
  int64_t bytes_read() const { return reader_->bytes_read(); }
  int64_t file_size() const { return reader_->file_size(); }

 private:
  TableReader(std::string name, std::unique_ptr<CsvReader> reader, LoadReport* report);

  std::string name_;
  std::unique_ptr<CsvReader> reader_;
  LoadReport* report_;
  FileSummary* summary_;
  std::map<std::string, int, std::less<>> positions_;
  CsvRecord record_;
};

}  // namespace vigil

#endif  // VIGIL_DATA_TABLE_READER_H_
