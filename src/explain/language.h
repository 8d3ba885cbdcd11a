// Which explanation language a request wants. Accepts a plain language value
// ("hi", "hi-IN", "English") or a full Accept-Language header
// ("hi-IN,hi;q=0.9,en;q=0.8") and answers "hi" or "en". Thread-safe.
#ifndef VIGIL_EXPLAIN_LANGUAGE_H_
#define VIGIL_EXPLAIN_LANGUAGE_H_

#include <string_view>

namespace vigil {

// The supported language with the highest q-value ("hi" or "en"); ties go to
// the earlier entry; "en" when nothing supported is named. Ranges with
// q=0 are refused; "*" stands for "en".
std::string_view NegotiateLanguage(std::string_view language_or_header);

}  // namespace vigil

#endif  // VIGIL_EXPLAIN_LANGUAGE_H_
