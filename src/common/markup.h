// Text for HTML and XML documents (the model report, TwiML answers).
#ifndef VIGIL_COMMON_MARKUP_H_
#define VIGIL_COMMON_MARKUP_H_

#include <string>
#include <string_view>

namespace vigil {

// Escapes & < > " and ' (as &#39;, which HTML and XML both read) for text
// and attribute values. Other bytes, UTF-8 included, pass through.
std::string EscapeMarkup(std::string_view text);

}  // namespace vigil

#endif  // VIGIL_COMMON_MARKUP_H_
