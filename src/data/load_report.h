// LoadReport: what reading the data lake found wrong, row by row
// ("orders.csv:17: unknown payment_method 'bitcoin'"), and how many rows each
// file gave. Rows that break the contract are skipped, never silently.
// Not thread-safe.
#ifndef VIGIL_DATA_LOAD_REPORT_H_
#define VIGIL_DATA_LOAD_REPORT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace vigil {

struct LoadIssue {
  std::string file;
  int64_t line = 0;  // 0 when the issue is about the whole file
  std::string message;
  std::string ToString() const;
};

struct FileSummary {
  std::string file;
  int64_t rows = 0;
  int64_t accepted = 0;
  int64_t rejected = 0;
};

class LoadReport {
 public:
  // Keeps the first `kMaxKept` issues in full and counts the rest.
  static constexpr size_t kMaxKept = 10000;

  void AddIssue(std::string file, int64_t line, std::string message);
  FileSummary& File(const std::string& name);

  const std::vector<LoadIssue>& issues() const { return issues_; }
  int64_t issue_count() const { return issue_count_; }
  const std::vector<FileSummary>& files() const { return files_; }
  int64_t rejected_rows() const;

  // Prints up to `max_issues` issues and a per-file summary to `out`.
  void Print(std::FILE* out, size_t max_issues = 20) const;

 private:
  std::vector<LoadIssue> issues_;
  int64_t issue_count_ = 0;
  std::vector<FileSummary> files_;
};

}  // namespace vigil

#endif  // VIGIL_DATA_LOAD_REPORT_H_
