#include "sms/log_sender.h"

#include <cstdio>
#include <random>

#include "common/sha256.h"
#include "fmt/format.h"
#include "sms/phone.h"

namespace vigil {
namespace {

constexpr size_t kSidHexDigits = 32;

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string out;
  while (out.size() < digits) out += fmt::format("{:016x}", random());
  out.resize(digits);
  return out;
}

std::string LogSid(const std::string& idempotency_key) {
  const std::string hex = idempotency_key.empty()
                              ? RandomHex(kSidHexDigits)
                              : Sha256Hex(idempotency_key).substr(0, kSidHexDigits);
  return "LOG" + hex;
}

// One line per message: line breaks and other control characters in the body
// are written as escapes.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

void WriteToStderr(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
}

}  // namespace

LogSender::LogSender(Sink sink) : sink_(sink ? std::move(sink) : Sink(WriteToStderr)) {}

StatusOr<SentMessage> LogSender::Send(const OutgoingSms& sms) {
  RETURN_IF_ERROR(ValidateE164(sms.to));
  SentMessage sent{LogSid(sms.idempotency_key), "logged", "log"};
  const std::string line =
      fmt::format("[sms] NOT SENT (log sender, no Twilio credentials) sid={} to={} body=\"{}\"",
                  sent.message_sid, MaskPhone(sms.to), OneLine(sms.body));
  absl::MutexLock lock(&mutex_);
  sink_(line);
  return sent;
}

StatusOr<std::optional<SentMessage>> LogSender::FindSent(const OutgoingSms& sms,
                                                         Timestamp /*since*/) {
  RETURN_IF_ERROR(ValidateE164(sms.to));
  return std::nullopt;
}

}  // namespace vigil
