#include "http/access_log.h"

#include <unistd.h>

#include <ctime>

#include "fmt/format.h"

namespace vigil {
namespace {

// JSON string escaping for values that are normally plain tokens.
void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace

std::string FormatAccessLogLine(const AccessLogRecord& record) {
  using std::chrono::duration_cast;
  auto since_epoch = record.time.time_since_epoch();
  auto seconds = duration_cast<std::chrono::seconds>(since_epoch);
  auto millis = duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::string line;
  line.reserve(192);
  fmt::format_to(std::back_inserter(line),
                 "{{\"time\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z\",\"request_id\":",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, millis);
  AppendJsonString(record.request_id, line);
  line += ",\"method\":";
  AppendJsonString(record.method, line);
  line += ",\"route\":";
  AppendJsonString(record.route, line);
  fmt::format_to(std::back_inserter(line), ",\"status\":{},\"duration_us\":{},\"bytes\":{}}}",
                 record.status, record.duration_us, record.bytes);
  return line;
}

AccessLogSink StderrAccessLogSink() {
  return [](std::string_view line) {
    std::string out(line);
    out += '\n';
    // One write keeps lines from different threads whole.
    ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
    (void)ignored;
  };
}

}  // namespace vigil
