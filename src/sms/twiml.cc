#include "sms/twiml.h"

#include "common/markup.h"

namespace vigil {
namespace {

constexpr std::string_view kDeclaration = R"(<?xml version="1.0" encoding="UTF-8"?>)";

bool IsForbiddenInXml(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// Markup escaped, and the control characters XML 1.0 forbids dropped.
std::string XmlText(std::string_view text) {
  std::string allowed;
  allowed.reserve(text.size());
  for (char c : text) {
    if (!IsForbiddenInXml(c)) allowed += c;
  }
  return EscapeMarkup(allowed);
}

}  // namespace

std::string TwimlMessage(std::string_view text) {
  std::string out(kDeclaration);
  out += "<Response><Message>";
  out += XmlText(text);
  out += "</Message></Response>";
  return out;
}

std::string TwimlEmpty() { return std::string(kDeclaration) + "<Response/>"; }

}  // namespace vigil
