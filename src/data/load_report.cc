#include "data/load_report.h"

#include "fmt/format.h"

namespace vigil {

std::string LoadIssue::ToString() const {
  return line > 0 ? fmt::format("{}:{}: {}", file, line, message)
                  : fmt::format("{}: {}", file, message);
}

void LoadReport::AddIssue(std::string file, int64_t line, std::string message) {
  ++issue_count_;
  if (issues_.size() < kMaxKept) issues_.push_back({std::move(file), line, std::move(message)});
}

FileSummary& LoadReport::File(const std::string& name) {
  for (FileSummary& f : files_) {
    if (f.file == name) return f;
  }
  files_.push_back(FileSummary{name});
  return files_.back();
}

int64_t LoadReport::rejected_rows() const {
  int64_t total = 0;
  for (const FileSummary& f : files_) total += f.rejected;
  return total;
}

void LoadReport::Print(std::FILE* out, size_t max_issues) const {
  for (size_t i = 0; i < issues_.size() && i < max_issues; ++i) {
    fmt::print(out, "  {}\n", issues_[i].ToString());
  }
  if (issue_count_ > static_cast<int64_t>(max_issues)) {
    fmt::print(out, "  ... and {} more issues\n", issue_count_ - static_cast<int64_t>(max_issues));
  }
  for (const FileSummary& f : files_) {
    fmt::print(out, "  {:<28} {:>10} rows, {:>10} accepted, {:>8} skipped\n", f.file, f.rows,
               f.accepted, f.rejected);
  }
}

}  // namespace vigil
