// Access log: one JSON line per request (time, request id, method, route,
// status, duration, response bytes). It never holds headers, paths, query
// strings or bodies, so secrets such as API keys cannot reach it.
// FormatAccessLogLine is thread-safe; sinks must be (the server calls them
// from its I/O threads).
#ifndef VIGIL_HTTP_ACCESS_LOG_H_
#define VIGIL_HTTP_ACCESS_LOG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace vigil {

struct AccessLogRecord {
  std::chrono::system_clock::time_point time;
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // the matched pattern, or "unmatched"
  int status = 0;
  int64_t duration_us = 0;  // from the first byte of the request to the response
  size_t bytes = 0;         // response body bytes
};

// {"time":"2026-02-26T10:30:00.123Z","request_id":"...","method":"POST",
//  "route":"/v1/orders/score","status":200,"duration_us":412,"bytes":391}
// (one line, no trailing newline).
std::string FormatAccessLogLine(const AccessLogRecord& record);

// Receives one formatted line per request.
using AccessLogSink = std::function<void(std::string_view line)>;

// Writes each line and a newline to stderr with one write call.
AccessLogSink StderrAccessLogSink();

}  // namespace vigil

#endif  // VIGIL_HTTP_ACCESS_LOG_H_
