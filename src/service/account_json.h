// Accounts of the payment flow over HTTP (POST /accounts, GET
// /accounts/{user_id}, also under /v1): the request body checked field by
// field, and the answer, whose phone number is masked (the API never gives a
// whole number back; an admin who needs it has it from where it came).
#ifndef VIGIL_SERVICE_ACCOUNT_JSON_H_
#define VIGIL_SERVICE_ACCOUNT_JSON_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace vigil {

// The account in `body`: `user_id` (required, 1 to 128 characters), `phone`
// (required, E.164), `name` (string), `sms_opt_out` (boolean, default false),
// `status` ("active" or "blocked", default active), `language` ("en" or "hi",
// default en). created_at and updated_at are `now`. InvalidArgument: the body
// is not a JSON object (no field), or a field is missing or wrong (the field
// is named, common/field_error.h).
[[nodiscard]] StatusOr<AccountRecord> ParseAccount(std::string_view body, Timestamp now);

// {"user_id", "name", "phone" (masked), "sms_opt_out", "status", "language",
// "created_at", "updated_at"}.
std::string AccountJson(const AccountRecord& account);

}  // namespace vigil

#endif  // VIGIL_SERVICE_ACCOUNT_JSON_H_
