// A trivial JSON server for load tests of the http layer: POST /echo answers
// {"ok":true,"bytes":N}. Usage: http_hello_server [port] [io_threads]
// (port 0 picks a free one and prints it). Stops on SIGINT/SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "fmt/format.h"
#include "http/http_server.h"

int main(int argc, char** argv) {
  vigil::HttpServerOptions options;
  options.port = argc > 1 ? std::atoi(argv[1]) : 8080;
  options.io_threads = argc > 2 ? std::atoi(argv[2]) : 1;

  vigil::MetricsRegistry metrics;
  vigil::Router router;
  router.Add("POST", "/echo", [](vigil::HttpRequest& request, vigil::Responder respond) {
    vigil::HttpResponse response;
    response.body = fmt::format(R"({{"ok":true,"bytes":{}}})", request.body().size());
    respond(std::move(response));
  });
  router.Add("GET", "/metrics", [&metrics](vigil::HttpRequest&, vigil::Responder respond) {
    vigil::HttpResponse response;
    response.content_type = vigil::kPrometheusContentType;
    response.body = metrics.RenderPrometheus();
    respond(std::move(response));
  });

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the I/O threads start

  auto server = vigil::HttpServer::Start(options, std::move(router), &metrics);
  if (!server.ok()) {
    std::fprintf(stderr, "http_hello_server: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d with %d I/O threads\n", (*server)->port(),
              options.io_threads);
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  (*server)->Shutdown(std::chrono::seconds(2));
  return 0;
}
