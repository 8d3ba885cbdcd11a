#include "sms/twiml.h"

namespace vigil {
namespace {

constexpr std::string_view kDeclaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

bool IsForbiddenInXml(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (!IsForbiddenInXml(c)) out += c;
    }
  }
  return out;
}

}  // namespace

std::string TwimlMessage(std::string_view text) {
  std::string out(kDeclaration);
  out += "<Response><Message>";
  out += XmlEscape(text);
  out += "</Message></Response>";
  return out;
}

std::string TwimlEmpty() { return std::string(kDeclaration) + "<Response/>"; }

}  // namespace vigil
