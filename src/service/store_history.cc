#include "service/store_history.h"

#include <algorithm>

#include "data/event_history.h"
#include "data/raw_event.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "service/event_json.h"
#include "service/store_festivals.h"

namespace vigil {
namespace {

using json = nlohmann::json;

constexpr char kEventLog[] = "event log";

}  // namespace

StatusOr<DataLake> ReadEventHistory(Store& store, const std::string& store_dir, Catalog* catalog,
                                    const LoadOptions& options) {
  LoadReport report;
  ASSIGN_OR_RETURN(const std::string festivals_path, EnsureStoreFestivals(store_dir));
  ASSIGN_OR_RETURN(FestivalCalendar festivals, FestivalCalendar::Load(festivals_path, &report));
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

Transaction InternPayment(const TransactionRecord& payment, Catalog* catalog) {
  Transaction tx;
  tx.at = payment.created_at;
  tx.card = catalog->Intern(Entity::kCustomer, payment.user_id);
  tx.merchant =
      payment.merchant.empty() ? kNoId : catalog->Intern(Entity::kMerchant, payment.merchant);
  tx.location =
      payment.location.empty() ? kNoId : catalog->Intern(Entity::kLocation, payment.location);
  tx.amount = static_cast<float>(payment.amount);
  if (payment.label.has_value()) {
    tx.label = *payment.label != 0 ? 1 : 0;
    tx.label_known_at = LabelKnownAt(payment);
  }
  return tx;
}

StatusOr<TransactionLog> ReadTransactionHistory(Store& store, Catalog* catalog) {
  TransactionLog log;
  RETURN_IF_ERROR(store.ScanScoredTransactions([&](const TransactionRecord& t) -> Status {
    Transaction tx = InternPayment(t, catalog);
    tx.row = static_cast<uint32_t>(log.ids.size());
    log.has_labels |= tx.label != kLabelUnknown;
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
