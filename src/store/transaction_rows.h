// The transactions table's columns as SqliteStore reads them, shared by the
// payment flow's and the dashboard's queries (private to src/store).
#ifndef VIGIL_STORE_TRANSACTION_ROWS_H_
#define VIGIL_STORE_TRANSACTION_ROWS_H_

#include <string_view>

#include "store/sqlite_handles.h"
#include "store/store.h"

namespace vigil::store_internal {

inline constexpr std::string_view kTransactionColumns =
    "transaction_id, user_id, amount, currency, merchant, location, created_at, received_at, "
    "status, updated_at, risk_score, decision, phone, user_response, user_response_at, "
    "reprompted, label";

// A row selected with kTransactionColumns, in that order.
inline TransactionRecord TransactionFromRow(const SqliteStatement& row) {
  TransactionRecord t{.transaction_id = row.ColumnText(0),
                      .user_id = row.ColumnText(1),
                      .amount = row.ColumnDouble(2),
                      .currency = row.ColumnText(3),
                      .merchant = row.ColumnText(4),
                      .location = row.ColumnText(5),
                      .created_at = row.ColumnInt(6),
                      .received_at = row.ColumnInt(7),
                      .status = row.ColumnText(8),
                      .updated_at = row.ColumnInt(9)};
  if (!row.ColumnIsNull(10)) t.risk_score = row.ColumnDouble(10);
  t.decision = row.ColumnText(11);
  t.phone = row.ColumnText(12);
  t.user_response = row.ColumnText(13);
  t.user_response_at = row.ColumnInt(14);
  t.reprompted = row.ColumnInt(15) != 0;
  if (!row.ColumnIsNull(16)) t.label = row.ColumnInt(16);
  return t;
}

}  // namespace vigil::store_internal

#endif  // VIGIL_STORE_TRANSACTION_ROWS_H_
