#include "service/ingest_command.h"

#include <chrono>
#include <filesystem>

#include "common/progress.h"
#include "data/raw_event.h"
#include "service/event_json.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

constexpr size_t kEventsPerBatch = 20'000;

}  // namespace

StatusOr<IngestSummary> RunIngest(const IngestRequest& request, FILE* log) {
  const auto started = std::chrono::steady_clock::now();
  Catalog catalog;
  ASSIGN_OR_RETURN(DataLake lake, LoadDataLake(request.data_dir, &catalog, request.load));
  lake.report.Print(log);
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(request.store_dir));
  // The lake's calendar serves the live features too.
  const auto festivals = std::filesystem::path(request.data_dir) / "external" / "festivals.csv";
  if (std::filesystem::exists(festivals)) {
    std::filesystem::copy_file(festivals,
                               std::filesystem::path(request.store_dir) / "festivals.csv",
                               std::filesystem::copy_options::overwrite_existing);
  }

  IngestSummary summary;
  summary.events = static_cast<int64_t>(lake.events.size());
  ProgressBar progress("ingest", summary.events);
  WriteBatch batch;
  auto flush = [&]() -> Status {
    if (batch.events.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(const WriteResult result, store->Write(std::move(batch)));
    for (bool fresh : result.event_was_new) (fresh ? summary.new_events : summary.duplicates)++;
    batch = WriteBatch();
    progress.Update(summary.new_events + summary.duplicates);
    return absl::OkStatus();
  };
  for (const Event& event : lake.events) {
    RawEvent raw = ToRawEvent(event, catalog);
    // Catalogue facts have no time of their own; the log keeps the epoch.
    if (raw.at < 0) raw.at = raw.type == EventType::kCustomerUpserted ? raw.registered_at : 0;
    const std::string id = DefaultEventId(raw);
    batch.events.push_back(
        {id, std::string(EventTypeName(raw.type)), raw.at, EncodeEvent(id, raw)});
    if (batch.events.size() >= kEventsPerBatch) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  progress.Finish();
  store->Close();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace vigil
