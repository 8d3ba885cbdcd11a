// TransactionLog: reads `transactions.csv` (or `.csv.gz`) of a data
// directory, per DESIGN.md: `transaction_id`, `user_id`, `created_at`,
// `amount`, optional `merchant`, `location`, `is_fraud` and `labeled_at`,
// through the column renaming of LoadOptions. Timestamps without a zone are
// read at LoadOptions::transaction_offset_seconds.
//
// A fraud label becomes known at `labeled_at` when the file gives it, else
// `label_delay` after the transaction: features must not see it earlier.
// Rows that break the contract are reported with file and line and skipped.
#ifndef VIGIL_DATA_TRANSACTION_LOG_H_
#define VIGIL_DATA_TRANSACTION_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "data/catalog.h"
#include "data/data_lake.h"
#include "data/load_report.h"

namespace vigil {

// One card transaction; ids are dense (Catalog): the card is the user
// (Entity::kCustomer), the merchant Entity::kMerchant.
struct Transaction {
  Timestamp at = 0;
  Timestamp label_known_at = 0;  // meaningful when label != kLabelUnknown
  uint32_t row = 0;              // index into TransactionLog::ids
  uint32_t card = kNoId;
  uint32_t merchant = kNoId;
  uint32_t location = kNoId;
  float amount = 0;
  int8_t label = kLabelUnknown;  // is_fraud: 1, 0, or kLabelUnknown when blank
};

struct TransactionLog {
  std::vector<Transaction> transactions;  // by time; ties keep file order
  std::vector<std::string> ids;           // transaction_id per Transaction::row
  bool has_labels = false;                // some row has is_fraud
  LoadReport report;
};

// True when `dir` holds transactions.csv or transactions.csv.gz.
bool HasTransactionFile(const std::string& dir);

// Reads `dir`/transactions.csv(.gz). NotFound without the file;
// InvalidArgument when a required column is missing or no row is usable.
[[nodiscard]] StatusOr<TransactionLog> LoadTransactions(const std::string& dir, Catalog* catalog,
                                                        const LoadOptions& options = {});

}  // namespace vigil

#endif  // VIGIL_DATA_TRANSACTION_LOG_H_
