// The command-line forms of LoadOptions that `vigil train` and `vigil score`
// share: a column mapping for files that name their columns differently
// (`transaction_id=TRANSACTION_ID,user_id=CUSTOMER_ID`), a time zone for
// timestamps written without one, and a label delay in days. Pure functions.
#ifndef VIGIL_PIPELINE_LOAD_FLAGS_H_
#define VIGIL_PIPELINE_LOAD_FLAGS_H_

#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"

namespace vigil {

// "ours=theirs,..." -> {ours: theirs}. InvalidArgument names the bad item.
[[nodiscard]] StatusOr<std::map<std::string, std::string>> ParseColumnMapping(
    const std::string& text);

// "UTC", "Z", "IST", "Asia/Kolkata", or a fixed offset "+05:30" / "-0800" /
// "UTC+2" -> seconds east of UTC. Zones with daylight saving are not
// supported (the data's offset must be fixed); InvalidArgument says so.
[[nodiscard]] StatusOr<int32_t> ParseTimeZone(const std::string& text);

}  // namespace vigil

#endif  // VIGIL_PIPELINE_LOAD_FLAGS_H_
