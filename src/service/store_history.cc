#include "service/store_history.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "data/event_history.h"
#include "data/raw_event.h"
#include "fmt/format.h"
#include "generate/festival_schedule.h"
#include "nlohmann/json.hpp"
#include "service/event_json.h"

namespace vigil {
namespace {

using json = nlohmann::json;

constexpr char kEventLog[] = "event log";

// The calendar the service's features use: <store_dir>/festivals.csv, else
// the shipped one (what `vigil serve` writes there on its first start).
StatusOr<FestivalCalendar> StoreFestivals(const std::string& store_dir, LoadReport* report) {
  const std::filesystem::path path = std::filesystem::path(store_dir) / "festivals.csv";
  if (std::filesystem::exists(path)) return FestivalCalendar::Load(path.string(), report);
  const std::filesystem::path shipped =
      std::filesystem::temp_directory_path() / fmt::format("vigil-festivals-{}.csv", getpid());
  {
    std::ofstream out(shipped, std::ios::binary);
    out << EmbeddedFestivalCsv();
  }
  auto calendar = FestivalCalendar::Load(shipped.string(), report);
  std::filesystem::remove(shipped);
  return calendar;
}

}  // namespace

StatusOr<DataLake> ReadEventHistory(Store& store, const std::string& store_dir, Catalog* catalog,
                                    const LoadOptions& options) {
  LoadReport report;
  ASSIGN_OR_RETURN(FestivalCalendar festivals, StoreFestivals(store_dir, &report));
  std::vector<Event> events;
  FileSummary* summary = &report.File(kEventLog);
  RETURN_IF_ERROR(store.ScanEvents(0, [&](int64_t seq, const EventRecord& record) -> Status {
    ++summary->rows;
    json object = json::parse(record.payload, nullptr, /*allow_exceptions=*/false);
    auto decoded = DecodeEvent(object, record.at);
    if (!decoded.ok()) {
      ++summary->rejected;
      report.AddIssue(
          kEventLog, seq,
          fmt::format("{} ({}): {}", record.event_id, record.type, decoded.status().message()));
      return absl::OkStatus();
    }
    ++summary->accepted;
    events.push_back(InternEvent(decoded->event, catalog));
    return absl::OkStatus();
  }));
  DataLake lake = DataLakeFromEvents(std::move(events), std::move(festivals), options);
  lake.order_labels.resize(catalog->table(Entity::kOrder).size(), kLabelUnknown);
  lake.return_labels.resize(catalog->table(Entity::kReturn).size(), kLabelUnknown);
  lake.report = std::move(report);
  if (!lake.has_orders) {
    return absl::InvalidArgumentError(
        fmt::format("the event log in {} has no orders to train on (load a lake's history with "
                    "`vigil ingest`, or train with --data)",
                    store_dir));
  }
  return lake;
}

StatusOr<TransactionLog> ReadTransactionHistory(Store& store, Catalog* catalog) {
  TransactionLog log;
  RETURN_IF_ERROR(store.ScanScoredTransactions([&](const TransactionRecord& t) -> Status {
    Transaction tx;
    tx.at = t.created_at;
    tx.row = static_cast<uint32_t>(log.ids.size());
    tx.card = catalog->Intern(Entity::kCustomer, t.user_id);
    tx.merchant = t.merchant.empty() ? kNoId : catalog->Intern(Entity::kMerchant, t.merchant);
    tx.location = t.location.empty() ? kNoId : catalog->Intern(Entity::kLocation, t.location);
    tx.amount = static_cast<float>(t.amount);
    if (t.label.has_value()) {
      tx.label = *t.label != 0 ? 1 : 0;
      tx.label_known_at = LabelKnownAt(t);
      log.has_labels = true;
    }
    log.ids.push_back(t.transaction_id);
    log.transactions.push_back(tx);
    return absl::OkStatus();
  }));
  if (log.transactions.empty()) {
    return absl::NotFoundError("the store has no scored payments");
  }
  std::stable_sort(log.transactions.begin(), log.transactions.end(),
                   [](const Transaction& a, const Transaction& b) { return a.at < b.at; });
  FileSummary& summary = log.report.File("transactions");
  summary.rows = summary.accepted = static_cast<int64_t>(log.transactions.size());
  return log;
}

}  // namespace vigil
