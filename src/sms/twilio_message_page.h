// One page of Twilio's Message list resource (GET .../Messages.json), as its
// 2010-04-01 API answers it:
//   {"messages": [{"sid", "to", "from", "body", "status", "date_created",
//                  ...}, ...],
//    "next_page_uri": "/2010-04-01/Accounts/AC.../Messages.json?...", ...}
// Pure functions; thread-safe.
#ifndef VIGIL_SMS_TWILIO_MESSAGE_PAGE_H_
#define VIGIL_SMS_TWILIO_MESSAGE_PAGE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace vigil {

// A message as the list shows it. Text members Twilio left out or set to null
// are "".
struct ListedMessage {
  std::string sid;
  std::string to;
  std::string from;
  std::string body;
  std::string status;
  // date_created; none when it is null, absent or not an RFC 2822 date.
  std::optional<Timestamp> date_created;
};

struct TwilioMessagePage {
  std::vector<ListedMessage> messages;  // in the order Twilio listed them
  // The next page's path and query, relative to the API's host (it starts
  // with "/2010-04-01/"); none on the last page (null, "" or absent).
  std::optional<std::string> next_page_uri;
};

// Parses one page. Internal, quoting at most 200 bytes of the answer, when it
// is not JSON, has no "messages" array, lists something that is not an
// object or has a sid that is not a string, or has a next_page_uri that is
// neither null, "" nor a path starting with '/'.
[[nodiscard]] StatusOr<TwilioMessagePage> ParseTwilioMessagePage(std::string_view json);

}  // namespace vigil

#endif  // VIGIL_SMS_TWILIO_MESSAGE_PAGE_H_
