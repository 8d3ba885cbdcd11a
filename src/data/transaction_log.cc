#include "data/transaction_log.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "common/progress.h"
#include "data/table_reader.h"
#include "fmt/format.h"

namespace vigil {
namespace {

constexpr char kFileName[] = "transactions.csv";

StatusOr<double> ParseTransactionAmount(std::string_view text, double max) {
  if (text.empty()) return absl::InvalidArgumentError("amount is empty");
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return absl::InvalidArgumentError(fmt::format("amount '{}' is not a number", text));
  }
  if (value < 0) return absl::InvalidArgumentError(fmt::format("amount {} is negative", text));
  if (value > max) {
    return absl::InvalidArgumentError(
        fmt::format("amount {} is absurd (more than {:.0f})", text, max));
  }
  return value;
}

class TransactionReader {
 public:
  TransactionReader(Catalog* catalog, const LoadOptions& options)
      : catalog_(*catalog), options_(options) {}

  Status ReadRow(TableReader& t);
  TransactionLog& log() { return log_; }

 private:
  StatusOr<Timestamp> Time(TableReader& t, std::string_view column) const {
    auto parsed = ParseTimestamp(t.Get(column), options_.transaction_offset_seconds);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(fmt::format("{}: {}", column, parsed.status().message()));
    }
    return parsed;
  }
  StatusOr<int8_t> Label(TableReader& t) const {
    const std::string_view text = t.Get("is_fraud");
    if (text.empty()) return kLabelUnknown;
    if (text == "0" || text == "1") return static_cast<int8_t>(text == "1");
    return absl::InvalidArgumentError(fmt::format("is_fraud '{}' is not 0 or 1", text));
  }

  Catalog& catalog_;
  const LoadOptions& options_;
  TransactionLog log_;
};

Status TransactionReader::ReadRow(TableReader& t) {
  const std::string_view id = t.Get("transaction_id");
  const std::string_view user = t.Get("user_id");
  if (id.empty()) return absl::InvalidArgumentError("transaction_id is empty");
  if (user.empty()) return absl::InvalidArgumentError("user_id is empty");
  ASSIGN_OR_RETURN(const Timestamp at, Time(t, "created_at"));
  ASSIGN_OR_RETURN(const double amount,
                   ParseTransactionAmount(t.Get("amount"), options_.max_amount));
  ASSIGN_OR_RETURN(const int8_t label, Label(t));
  Timestamp known_at = at + options_.label_delay;
  if (!t.Get("labeled_at").empty()) {
    ASSIGN_OR_RETURN(known_at, Time(t, "labeled_at"));
    if (known_at < at) return absl::InvalidArgumentError("labeled_at is before created_at");
  }
  Transaction tx{.at = at, .label_known_at = known_at, .amount = static_cast<float>(amount)};
  tx.row = static_cast<uint32_t>(log_.ids.size());
  tx.card = catalog_.Intern(Entity::kCustomer, user);
  tx.merchant = catalog_.Intern(Entity::kMerchant, t.Get("merchant"));
  tx.location = catalog_.Intern(Entity::kLocation, t.Get("location"));
  tx.label = label;
  log_.has_labels |= label != kLabelUnknown;
  log_.ids.emplace_back(id);
  log_.transactions.push_back(tx);
  return absl::OkStatus();
}

}  // namespace

bool HasTransactionFile(const std::string& dir) {
  const std::filesystem::path path = std::filesystem::path(dir) / kFileName;
  return std::filesystem::exists(path) || std::filesystem::exists(path.string() + ".gz");
}

StatusOr<TransactionLog> LoadTransactions(const std::string& dir, Catalog* catalog,
                                          const LoadOptions& options) {
  TransactionReader reader(catalog, options);
  TransactionLog& log = reader.log();
  ASSIGN_OR_RETURN(
      auto table,
      TableReader::Open(dir, kFileName, {"transaction_id", "user_id", "created_at", "amount"},
                        {"merchant", "location", "is_fraud", "labeled_at"}, options.column_names,
                        &log.report));
  ProgressBar progress("reading " + table->name(), table->file_size());
  int64_t n = 0;
  while (true) {
    ASSIGN_OR_RETURN(const bool more, table->Next());
    if (!more) break;
    if (Status s = reader.ReadRow(*table); s.ok()) {
      table->Accept();
    } else {
      table->Reject(std::string(s.message()));
    }
    if ((++n & 0xFFFF) == 0) progress.Update(table->bytes_read());
  }
  if (log.transactions.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}/{}: no usable transaction rows (see the issues above)", dir, kFileName));
  }
  std::stable_sort(log.transactions.begin(), log.transactions.end(),
                   [](const Transaction& a, const Transaction& b) { return a.at < b.at; });
  return std::move(log);
}

}  // namespace vigil
