#include "generate/festival_schedule.h"

#include <algorithm>

#include "common/csv_reader.h"
#include "common/time.h"
#include "fmt/format.h"

namespace vigil {
namespace {

StatusOr<int64_t> ParseDay(std::string_view text, int line, std::string_view column) {
  StatusOr<Timestamp> t = ParseTimestamp(text, 0);
  if (text.size() != 10 || !t.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("festival calendar line {}: {} '{}' is not YYYY-MM-DD", line, column, text));
  }
  return *t / kSecondsPerDay;
}

struct Columns {
  int name = -1, start = -1, end = -1, kind = -1, basis = -1;
};

StatusOr<Columns> FindColumns(const std::vector<std::string>& header) {
  Columns c;
  for (int i = 0; i < static_cast<int>(header.size()); ++i) {
    const std::string& h = header[i];
    if (h == "name") c.name = i;
    if (h == "start_date") c.start = i;
    if (h == "end_date") c.end = i;
    if (h == "kind") c.kind = i;
    if (h == "basis") c.basis = i;
  }
  if (c.name < 0 || c.start < 0 || c.end < 0 || c.kind < 0) {
    return absl::InvalidArgumentError(
        "festival calendar: header must name the columns name, start_date, end_date and kind");
  }
  return c;
}

StatusOr<ScheduledFestival> ParseWindow(const std::vector<std::string>& f, const Columns& c,
                                        int line) {
  const int needed = std::max({c.name, c.start, c.end, c.kind, c.basis}) + 1;
  if (static_cast<int>(f.size()) < needed) {
    return absl::InvalidArgumentError(
        fmt::format("festival calendar line {}: {} fields, want {}", line, f.size(), needed));
  }
  ScheduledFestival w;
  w.name = f[c.name];
  if (w.name.empty()) {
    return absl::InvalidArgumentError(fmt::format("festival calendar line {}: empty name", line));
  }
  ASSIGN_OR_RETURN(w.first_day, ParseDay(f[c.start], line, "start_date"));
  ASSIGN_OR_RETURN(w.last_day, ParseDay(f[c.end], line, "end_date"));
  if (w.last_day < w.first_day) {
    return absl::InvalidArgumentError(
        fmt::format("festival calendar line {}: end_date is before start_date", line));
  }
  if (f[c.kind] == "festival") {
    w.kind = FestivalKind::kFestival;
  } else if (f[c.kind] == "sale") {
    w.kind = FestivalKind::kSale;
  } else {
    return absl::InvalidArgumentError(fmt::format(
        "festival calendar line {}: kind '{}' is not festival or sale", line, f[c.kind]));
  }
  if (c.basis >= 0) w.basis = f[c.basis];
  return w;
}

}  // namespace

std::string_view FestivalKindName(FestivalKind kind) {
  return kind == FestivalKind::kSale ? "sale" : "festival";
}

StatusOr<FestivalSchedule> FestivalSchedule::Parse(std::string_view text) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::FromText("festival calendar", std::string(text)));
  ASSIGN_OR_RETURN(const Columns columns, FindColumns(reader->header()));
  FestivalSchedule calendar;
  CsvRecord record;
  while (true) {
    ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
    if (!more) break;
    const int line = static_cast<int>(record.line);
    if (!record.error.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("festival calendar line {}: {}", line, record.error));
    }
    ASSIGN_OR_RETURN(ScheduledFestival window, ParseWindow(record.fields, columns, line));
    calendar.windows_.push_back(std::move(window));
  }
  return calendar;
}

StatusOr<FestivalSchedule> FestivalSchedule::Embedded() { return Parse(EmbeddedFestivalCsv()); }

std::vector<ScheduledFestival> FestivalSchedule::Overlapping(int64_t first_day,
                                                             int64_t last_day) const {
  std::vector<ScheduledFestival> result;
  for (const ScheduledFestival& w : windows_) {
    if (w.last_day >= first_day && w.first_day <= last_day) result.push_back(w);
  }
  return result;
}

}  // namespace vigil
