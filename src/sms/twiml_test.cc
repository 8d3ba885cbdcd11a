#include "sms/twiml.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

constexpr char kDeclaration[] = R"(<?xml version="1.0" encoding="UTF-8"?>)";

TEST(TwimlMessage, WrapsTextInResponseAndMessage) {
  EXPECT_EQ(TwimlMessage("Thanks, payment confirmed."),
            std::string(kDeclaration) +
                "<Response><Message>Thanks, payment confirmed.</Message></Response>");
}

TEST(TwimlMessage, EscapesXmlSpecialCharacters) {
  EXPECT_EQ(TwimlMessage(R"(Reply "YES" & <b>'NO'</b>)"),
            std::string(kDeclaration) +
                "<Response><Message>Reply &quot;YES&quot; &amp; &lt;b&gt;&#39;NO&#39;&lt;/"
                "b&gt;</Message></Response>");
}

TEST(TwimlMessage, PassesHindiThroughAsUtf8) {
  EXPECT_EQ(TwimlMessage("धन्यवाद ₹500"),
            std::string(kDeclaration) + "<Response><Message>धन्यवाद ₹500</Message></Response>");
}

TEST(TwimlMessage, DropsControlCharactersButKeepsNewlines) {
  EXPECT_EQ(TwimlMessage(std::string("a\x01\x1b"
                                     "b\nc",
                                     6)),
            std::string(kDeclaration) + "<Response><Message>ab\nc</Message></Response>");
}

TEST(TwimlEmpty, IsAnEmptyResponse) {
  EXPECT_EQ(TwimlEmpty(), std::string(kDeclaration) + "<Response/>");
}

}  // namespace
}  // namespace vigil
