// Dates as RFC 2822 writes them ("Wed, 18 Aug 2010 20:01:40 +0000"), the form
// of date_created, date_updated and date_sent in Twilio's 2010-04-01 API.
// Pure functions; thread-safe.
#ifndef VIGIL_SMS_RFC2822_DATE_H_
#define VIGIL_SMS_RFC2822_DATE_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/time.h"

namespace vigil {

// Parses "[Day, ]D Mon YYYY HH:MM:SS ZONE": the day of the week, when given,
// is not checked against the date; the day has one or two digits; the month
// is an English abbreviation (any case); ZONE is +hhmm / -hhmm, or UT, UTC,
// GMT or Z for UTC. Seconds may be 60 (a leap second is read as the next
// second). InvalidArgument, quoting at most 40 bytes of `text`, otherwise.
[[nodiscard]] StatusOr<Timestamp> ParseRfc2822Date(std::string_view text);

// "Wed, 18 Aug 2010 20:01:40 +0000": `t` in UTC, as Twilio writes it.
std::string FormatRfc2822Date(Timestamp t);

}  // namespace vigil

#endif  // VIGIL_SMS_RFC2822_DATE_H_
