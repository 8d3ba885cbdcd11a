// Phone numbers in E.164 form ("+" then the country code and subscriber
// number, 8 to 15 digits, the first not 0), and their masked form for logs and
// API output. Pure functions; thread-safe.
#ifndef VIGIL_SMS_PHONE_H_
#define VIGIL_SMS_PHONE_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

// OK when `phone` is E.164; otherwise InvalidArgument naming the problem
// (missing "+", a non-digit, a leading 0, too few or too many digits). No
// spaces, dashes or brackets are accepted: callers store the canonical form.
[[nodiscard]] Status ValidateE164(std::string_view phone);

// The number with all but its first 3 characters (the "+" and the start of the
// country code) and its last 4 digits replaced by '*':
// "+919812345678" -> "+91******5678". Anything of 7 characters or fewer is
// masked completely, so a malformed number never leaks whole.
std::string MaskPhone(std::string_view phone);

}  // namespace vigil

#endif  // VIGIL_SMS_PHONE_H_
