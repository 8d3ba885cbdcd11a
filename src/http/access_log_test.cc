#include "http/access_log.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(AccessLogTest, FormatsOneJsonLine) {
  AccessLogRecord record;
  // 2026-02-26T10:30:00.123Z
  record.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1772101800123));
  record.request_id = "abc-1";
  record.method = "POST";
  record.route = "/v1/orders/score";
  record.status = 200;
  record.duration_us = 412;
  record.bytes = 391;
  EXPECT_EQ(FormatAccessLogLine(record),
            R"({"time":"2026-02-26T10:30:00.123Z","request_id":"abc-1","method":"POST",)"
            R"("route":"/v1/orders/score","status":200,"duration_us":412,"bytes":391})");
}

TEST(AccessLogTest, EscapesStrings) {
  AccessLogRecord record;
  record.method = "G\"E\\T\n";
  std::string line = FormatAccessLogLine(record);
  EXPECT_NE(line.find(R"("method":"G\"E\\T\u000a")"), std::string::npos) << line;
}

}  // namespace
}  // namespace vigil
