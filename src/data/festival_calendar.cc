#include "data/festival_calendar.h"

#include <algorithm>
#include <cmath>

#include "common/csv_reader.h"
#include "fmt/format.h"

namespace vigil {

StatusOr<FestivalCalendar> FestivalCalendar::Load(const std::string& path, LoadReport* report) {
  ASSIGN_OR_RETURN(auto reader, CsvReader::Open(path));
  const int name = reader->ColumnIndex("name");
  const int start = reader->ColumnIndex("start_date");
  const int end = reader->ColumnIndex("end_date");
  const int kind = reader->ColumnIndex("kind");
  if (name < 0 || start < 0 || end < 0) {
    return absl::InvalidArgumentError(
        fmt::format("{}: header must name name, start_date and end_date", path));
  }
  FestivalCalendar calendar;
  FileSummary& summary = report->File("external/festivals.csv");
  CsvRecord record;
  while (true) {
    ASSIGN_OR_RETURN(const bool more, reader->Next(&record));
    if (!more) break;
    ++summary.rows;
    auto reject = [&](const std::string& why) {
      ++summary.rejected;
      report->AddIssue("external/festivals.csv", record.line, why);
    };
    if (!record.error.empty()) {
      reject(record.error);
      continue;
    }
    if (record.fields.size() != reader->header().size()) {
      reject(
          fmt::format("expected {} fields, got {}", reader->header().size(), record.fields.size()));
      continue;
    }
    auto from = ParseTimestamp(record.fields[start]);
    auto to = ParseTimestamp(record.fields[end]);
    if (!from.ok() || !to.ok() || *to < *from) {
      reject(!from.ok() ? std::string(from.status().message())
             : !to.ok() ? std::string(to.status().message())
                        : "end_date before start_date");
      continue;
    }
    ++summary.accepted;
    calendar.Add({record.fields[name], *from, *to + kSecondsPerDay - 1,
                  kind >= 0 && record.fields[kind] == "sale"});
  }
  return calendar;
}

void FestivalCalendar::Add(FestivalWindow window) {
  const auto at =
      std::upper_bound(windows_.begin(), windows_.end(), window.start,
                       [](Timestamp t, const FestivalWindow& w) { return t < w.start; });
  windows_.insert(at, std::move(window));
}

const FestivalWindow* FestivalCalendar::Containing(Timestamp t, bool sale) const {
  for (const FestivalWindow& w : windows_) {
    if (w.start > t) break;
    if (w.is_sale == sale && t <= w.end) return &w;
  }
  return nullptr;
}

float FestivalCalendar::DaysToNextFestival(Timestamp t) const {
  if (Containing(t, false) != nullptr) return 0;
  for (const FestivalWindow& w : windows_) {
    if (!w.is_sale && w.start > t) return static_cast<float>(w.start - t) / kSecondsPerDay;
  }
  return NAN;
}

Timestamp FestivalCalendar::LastFestivalStart() const {
  Timestamp last = 0;
  for (const FestivalWindow& w : windows_) {
    if (!w.is_sale) last = std::max(last, w.start);
  }
  return last;
}

float FestivalCalendar::DaysSinceFestival(Timestamp t) const {
  if (Containing(t, false) != nullptr) return 0;
  float best = NAN;
  for (const FestivalWindow& w : windows_) {
    if (w.start > t) break;
    if (!w.is_sale && w.end < t) {
      const float days = static_cast<float>(t - w.end) / kSecondsPerDay;
      if (std::isnan(best) || days < best) best = days;
    }
  }
  return best;
}

}  // namespace vigil
