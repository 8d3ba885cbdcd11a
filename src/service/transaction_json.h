// Transactions of the payment flow over HTTP (POST /transaction, GET
// /transaction/{id}, also under /v1/transactions): the request checked field
// by field, and the answer with the transaction's history.
#ifndef VIGIL_SERVICE_TRANSACTION_JSON_H_
#define VIGIL_SERVICE_TRANSACTION_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace vigil {

// The transaction in `body`: `user_id` (required), `amount` (required, a
// number above 0 and at most 1e7, ₹1 crore), `transaction_id` (1 to 128 characters;
// `new_id` when absent), `merchant`, `location` (strings, at most 256
// characters), `currency` (three capital letters, default INR), `created_at`
// (ISO-8601, default `now`). received_at and updated_at are `now`.
// InvalidArgument naming the field otherwise (no field when the body is not
// a JSON object).
[[nodiscard]] StatusOr<TransactionRecord> ParseTransaction(std::string_view body, Timestamp now,
                                                           std::string new_id);

// GET's answer: the transaction, its status and its history; the parts the
// payment flow fills later (risk_score, risk_level, action, model_version,
// explanation, factors, sms, user_response, label) are null until then.
// `messages` are its verification SMS, oldest first (the last one shows,
// with the phone number masked).
std::string TransactionJson(const TransactionRecord& transaction,
                            const std::vector<TransactionTransition>& history,
                            const std::vector<OutboundSms>& messages);

}  // namespace vigil

#endif  // VIGIL_SERVICE_TRANSACTION_JSON_H_
