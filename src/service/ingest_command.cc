#include "service/ingest_command.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <vector>

#include "common/atomic_file.h"
#include "common/progress.h"
#include "data/raw_event.h"
#include "data/transaction_log.h"
#include "generate/festival_schedule.h"
#include "service/event_json.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

constexpr size_t kEventsPerBatch = 20'000;

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  for (std::string_view rest = text; !rest.empty();) {
    const size_t end = std::min(rest.find('\n'), rest.size());
    std::string line(rest.substr(0, end));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return lines;
}

// The live features' festival calendar: the store's (the shipped 2024-2027
// calendar when it has none yet) plus the lake's rows it lacks. A lake
// usually covers only its own period; replacing the calendar with it would
// leave "days to the next festival" empty for every order placed today.
Status MergeFestivals(const std::string& lake_path, const std::string& store_path) {
  if (!std::filesystem::exists(lake_path)) return absl::OkStatus();
  std::string existing(EmbeddedFestivalCsv());
  if (std::filesystem::exists(store_path)) {
    ASSIGN_OR_RETURN(existing, ReadFileToString(store_path));
  }
  ASSIGN_OR_RETURN(const std::string lake_text, ReadFileToString(lake_path));
  std::vector<std::string> merged = Lines(existing);
  const std::vector<std::string> lake = Lines(lake_text);
  if (merged.empty() || lake.empty() || merged.front() != lake.front()) {
    return absl::InvalidArgumentError(fmt::format(
        "{}: its header differs from the calendar in {}; fix one of them", lake_path, store_path));
  }
  const std::set<std::string> known(merged.begin(), merged.end());
  for (const std::string& line : lake) {
    if (!known.contains(line)) merged.push_back(line);
  }
  std::ofstream out(store_path, std::ios::binary | std::ios::trunc);
  for (const std::string& line : merged) out << line << '\n';
  if (!out.flush()) return absl::PermissionDeniedError(fmt::format("cannot write {}", store_path));
  return absl::OkStatus();
}

// A lake's card payments, by time, as imported (settled) payments.
Status IngestTransactions(const IngestRequest& request, Store& store, FILE* log,
                          IngestSummary* summary) {
  Catalog catalog;
  ASSIGN_OR_RETURN(const TransactionLog payments,
                   LoadTransactions(request.data_dir, &catalog, request.load));
  payments.report.Print(log);
  for (const Transaction& tx : payments.transactions) {
    if (request.until && tx.at >= *request.until) ++summary->held_back_transactions;
  }
  summary->transactions =
      static_cast<int64_t>(payments.transactions.size()) - summary->held_back_transactions;
  ProgressBar progress("ingest transactions", summary->transactions);
  auto name = [&](Entity entity, uint32_t id) {
    return id == kNoId ? std::string() : catalog.Name(entity, id);
  };
  std::vector<TransactionRecord> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(const int64_t created, store.ImportTransactions(batch));
    summary->new_transactions += created;
    progress.Update(summary->new_transactions);
    batch.clear();
    return absl::OkStatus();
  };
  for (const Transaction& tx : payments.transactions) {
    if (request.until && tx.at >= *request.until) continue;
    TransactionRecord& t = batch.emplace_back();
    t.transaction_id = payments.ids[tx.row];
    t.user_id = name(Entity::kCustomer, tx.card);
    t.amount = std::round(static_cast<double>(tx.amount) * 100) / 100;  // the file's paise
    t.merchant = name(Entity::kMerchant, tx.merchant);
    t.location = name(Entity::kLocation, tx.location);
    t.created_at = tx.at;
    t.updated_at = tx.at;
    if (tx.label != kLabelUnknown) {
      t.label = tx.label;
      t.updated_at = std::max(tx.label_known_at, tx.at);
    }
    if (batch.size() >= kEventsPerBatch) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  progress.Finish();
  return absl::OkStatus();
}

}  // namespace

StatusOr<IngestSummary> RunIngest(const IngestRequest& request, FILE* log) {
  const auto started = std::chrono::steady_clock::now();
  Catalog catalog;
  ASSIGN_OR_RETURN(DataLake lake, LoadDataLake(request.data_dir, &catalog, request.load));
  lake.report.Print(log);
  ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(request.store_dir));
  RETURN_IF_ERROR(MergeFestivals(
      (std::filesystem::path(request.data_dir) / "external" / "festivals.csv").string(),
      (std::filesystem::path(request.store_dir) / "festivals.csv").string()));

  IngestSummary summary;
  ProgressBar progress("ingest", static_cast<int64_t>(lake.events.size()));
  WriteBatch batch;
  auto flush = [&]() -> Status {
    if (batch.events.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(const WriteResult result, store->Write(std::move(batch)));
    for (bool fresh : result.event_was_new) (fresh ? summary.new_events : summary.duplicates)++;
    batch = WriteBatch();
    progress.Update(summary.new_events + summary.duplicates + summary.held_back);
    return absl::OkStatus();
  };
  for (const Event& event : lake.events) {
    RawEvent raw = ToRawEvent(event, catalog);
    // Catalogue facts have no time of their own; the log keeps the epoch.
    if (raw.at < 0) raw.at = raw.type == EventType::kCustomerUpserted ? raw.registered_at : 0;
    if (request.until && raw.at >= *request.until) {
      ++summary.held_back;
      continue;
    }
    ++summary.events;
    const std::string id = DefaultEventId(raw);
    batch.events.push_back(
        {id, std::string(EventTypeName(raw.type)), raw.at, EncodeEvent(id, raw)});
    if (batch.events.size() >= kEventsPerBatch) RETURN_IF_ERROR(flush());
  }
  RETURN_IF_ERROR(flush());
  progress.Finish();
  if (HasTransactionFile(request.data_dir)) {
    RETURN_IF_ERROR(IngestTransactions(request, *store, log, &summary));
  }
  store->Close();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace vigil
