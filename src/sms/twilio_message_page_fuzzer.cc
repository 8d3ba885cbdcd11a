// Fuzzes what FindSent does with Twilio's answer to a list request, which
// comes from the network: ParseTwilioMessagePage, and ParseRfc2822Date on the
// raw input (the page parser only meets dates inside JSON strings).
//
// Besides never crashing, leaking or tripping UBSan, it checks:
//  - a parsed page's next_page_uri, when there is one, starts with '/';
//  - a date that parses formats, as Twilio writes dates, to text that parses
//    to the same instant.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sms/rfc2822_date.h"
#include "sms/twilio_message_page.h"

namespace vigil {
namespace {

[[noreturn]] void Fail(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "twilio_message_page_fuzzer: %.*s\n  %.*s\n", static_cast<int>(what.size()),
               what.data(), static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void CheckPage(std::string_view input) {
  const StatusOr<TwilioMessagePage> page = ParseTwilioMessagePage(input);
  if (page.ok() && page->next_page_uri && !page->next_page_uri->starts_with('/')) {
    Fail("next_page_uri is not a path", input);
  }
}

void CheckDate(std::string_view input) {
  const StatusOr<Timestamp> t = ParseRfc2822Date(input);
  if (!t.ok()) return;
  const std::string again = FormatRfc2822Date(*t);
  const StatusOr<Timestamp> reparsed = ParseRfc2822Date(again);
  if (!reparsed.ok() || *reparsed != *t) Fail("a date does not survive formatting", again);
}

}  // namespace
}  // namespace vigil

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  vigil::CheckPage(input);
  vigil::CheckDate(input);
  return 0;
}
