#include "generate/festival_schedule.h"

#include <algorithm>

#include "common/time.h"
#include "fmt/format.h"

namespace vigil {
namespace {

// Splits one CSV line into fields, honouring RFC 4180 quotes. False when a
// quote is left open.
bool SplitCsvLine(std::string_view line, std::vector<std::string>* fields) {
  fields->assign(1, std::string());
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields->back().push_back(c);
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields->back().push_back('"');
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields->emplace_back();
    } else {
      fields->back().push_back(c);
    }
  }
  return !quoted;
}

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
  FestivalSchedule calendar;
  std::vector<std::string> fields;
  Columns columns;
  bool have_header = false;
  int line_number = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!SplitCsvLine(line, &fields)) {
      return absl::InvalidArgumentError(
          fmt::format("festival calendar line {}: unclosed quote", line_number));
    }
    if (!have_header) {
      ASSIGN_OR_RETURN(columns, FindColumns(fields));
      have_header = true;
      continue;
    }
    ASSIGN_OR_RETURN(ScheduledFestival window, ParseWindow(fields, columns, line_number));
    calendar.windows_.push_back(std::move(window));
  }
  if (!have_header) return absl::InvalidArgumentError("festival calendar: no header row");
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
