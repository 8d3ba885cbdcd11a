// `vigil serve`: starts the VigilServer and runs until SIGTERM or SIGINT,
// then drains in-flight requests and flushes the store before returning.
#ifndef VIGIL_SERVICE_SERVE_COMMAND_H_
#define VIGIL_SERVICE_SERVE_COMMAND_H_

#include <cstdio>

#include "common/status.h"
#include "service/serve_config.h"

namespace vigil {

// Blocks until the process is asked to stop. Start-up problems (a bad
// config, a busy port, a corrupt store) are returned before listening.
[[nodiscard]] Status RunServe(const ServeConfig& config, FILE* log);

}  // namespace vigil

#endif  // VIGIL_SERVICE_SERVE_COMMAND_H_
