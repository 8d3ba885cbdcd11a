#include "sms/sms_reply.h"

#include <array>
#include <string>
#include <utility>

namespace vigil {
namespace {

struct Keyword {
  std::string_view text;  // upper case (ASCII) or Devanagari
  SmsReplyKind kind;
};

// हाँ is हा with a chandrabindu (U+0901); phones often type the anusvara
// (U+0902) instead, giving हां.
constexpr std::array kKeywords = {
    Keyword{"YES", SmsReplyKind::kConfirm},    Keyword{"Y", SmsReplyKind::kConfirm},
    Keyword{"1", SmsReplyKind::kConfirm},      Keyword{"हाँ", SmsReplyKind::kConfirm},
    Keyword{"हां", SmsReplyKind::kConfirm},     Keyword{"NO", SmsReplyKind::kDeny},
    Keyword{"N", SmsReplyKind::kDeny},         Keyword{"2", SmsReplyKind::kDeny},
    Keyword{"नहीं", SmsReplyKind::kDeny},       Keyword{"STOP", SmsReplyKind::kOptOut},
    Keyword{"STOPALL", SmsReplyKind::kOptOut}, Keyword{"UNSUBSCRIBE", SmsReplyKind::kOptOut},
    Keyword{"CANCEL", SmsReplyKind::kOptOut},  Keyword{"END", SmsReplyKind::kOptOut},
    Keyword{"QUIT", SmsReplyKind::kOptOut},    Keyword{"START", SmsReplyKind::kOptIn},
    Keyword{"UNSTOP", SmsReplyKind::kOptIn},   Keyword{"HELP", SmsReplyKind::kHelp},
    Keyword{"INFO", SmsReplyKind::kHelp},
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Upper-cases ASCII letters only; UTF-8 bytes of other scripts are >= 0x80
// and pass through unchanged.
std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

SmsReplyKind ClassifySmsReply(std::string_view body) {
  const std::string normal = AsciiUpper(Trim(body));
  for (const Keyword& k : kKeywords) {
    if (normal == k.text) return k.kind;
  }
  return SmsReplyKind::kUnknown;
}

std::string_view SmsReplyKindName(SmsReplyKind kind) {
  switch (kind) {
    case SmsReplyKind::kConfirm:
      return "confirm";
    case SmsReplyKind::kDeny:
      return "deny";
    case SmsReplyKind::kOptOut:
      return "opt_out";
    case SmsReplyKind::kOptIn:
      return "opt_in";
    case SmsReplyKind::kHelp:
      return "help";
    case SmsReplyKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

}  // namespace vigil
