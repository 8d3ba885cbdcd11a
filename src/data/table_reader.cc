#include "data/table_reader.h"

#include <filesystem>

#include "fmt/format.h"

namespace vigil {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

StatusOr<std::unique_ptr<TableReader>> TableReader::Open(
    const std::string& dir, const std::string& name, const std::vector<std::string>& required,
    const std::vector<std::string>& optional, const std::map<std::string, std::string>& renames,
    LoadReport* report) {
  std::string path = (std::filesystem::path(dir) / name).string();
  if (!std::filesystem::exists(path) && std::filesystem::exists(path + ".gz")) path += ".gz";
  if (!std::filesystem::exists(path))
    return absl::NotFoundError(fmt::format("{}: not found", path));
  ASSIGN_OR_RETURN(auto csv, CsvReader::Open(path));
  std::unique_ptr<TableReader> table(new TableReader(name, std::move(csv), report));
  auto bind = [&](const std::string& column) {
    const auto renamed = renames.find(column);
    const int index =
        table->reader_->ColumnIndex(renamed == renames.end() ? column : renamed->second);
    if (index >= 0) table->positions_[column] = index;
    return index >= 0;
  };
  std::vector<std::string> missing;
  for (const std::string& column : required) {
    if (!bind(column)) missing.push_back(column);
  }
  for (const std::string& column : optional) bind(column);
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}:1: missing required column(s) {}", name, fmt::join(missing, ", ")));
  }
  return table;
}

TableReader::TableReader(std::string name, std::unique_ptr<CsvReader> reader, LoadReport* report)
    : name_(std::move(name)),
      reader_(std::move(reader)),
      report_(report),
      summary_(&report->File(name_)) {}

StatusOr<bool> TableReader::Next() {
  while (true) {
    ASSIGN_OR_RETURN(const bool more, reader_->Next(&record_));
    if (!more) return false;
    ++summary_->rows;
    if (!record_.error.empty()) {
      Reject(record_.error);
      continue;
    }
    if (record_.fields.size() != reader_->header().size()) {
      Reject(fmt::format("expected {} fields as in the header, got {}", reader_->header().size(),
                         record_.fields.size()));
      continue;
    }
    return true;
  }
}

std::string_view TableReader::Get(std::string_view column) const {
  const auto it = positions_.find(column);
  if (it == positions_.end()) return {};
  return Trim(record_.fields[it->second]);
}

bool TableReader::Has(std::string_view column) const { return positions_.contains(column); }

void TableReader::Reject(const std::string& why) {
  ++summary_->rejected;
  report_->AddIssue(name_, record_.line, why);
}

}  // namespace vigil
