// HTML form bodies (application/x-www-form-urlencoded), as Twilio posts its
// webhooks and as its REST API takes parameters: name=value pairs joined by
// '&', '+' for a space, %XX for other bytes. Pure functions; thread-safe.
#ifndef VIGIL_SMS_FORM_H_
#define VIGIL_SMS_FORM_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace vigil {

// Name/value pairs in the order they came; a name may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

// Decodes a form body. An empty body has no pairs; empty segments ("a=1&&b=2")
// are skipped; a segment without '=' is a name with an empty value.
// InvalidArgument on a malformed escape ("%4", "%zz").
[[nodiscard]] StatusOr<FormParams> ParseForm(std::string_view body);

// Encodes pairs as a form body (or a URL's query), in order: letters, digits
// and "-._~" as they are, a space as '+', every other byte as %XX (upper
// case). ParseForm(EncodeForm(p)) == p.
std::string EncodeForm(const FormParams& params);

// The value of the first pair named `name`, if any.
std::optional<std::string> FormValue(const FormParams& params, std::string_view name);

}  // namespace vigil

#endif  // VIGIL_SMS_FORM_H_
