#include "service/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>

#include "fmt/format.h"
#include "service/vigil_server.h"

namespace vigil {

Status RunServe(const ServeConfig& config, FILE* log) {
  // Block the stop signals before any thread starts, so every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::unique_ptr<VigilServer> server, VigilServer::Start(config));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print(log,
             "vigil serve: listening on http://{}:{} (data {}, models {}; ready in {:.1f} s)\n",
             config.bind, server->port(), config.data_dir, config.models_dir, seconds);
  std::fflush(log);

  int signal = 0;
  sigwait(&stop, &signal);
  fmt::print(log, "vigil serve: {} received; draining requests and flushing the store\n",
             signal == SIGTERM ? "SIGTERM" : "SIGINT");
  std::fflush(log);
  server->Shutdown();
  fmt::print(log, "vigil serve: stopped\n");
  return absl::OkStatus();
}

}  // namespace vigil
