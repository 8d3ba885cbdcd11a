#include "sms/sms_reply.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil {
namespace {

struct ReplyCase {
  std::string body;
  SmsReplyKind kind;
};

class ClassifySmsReplyTest : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(ClassifySmsReplyTest, ClassifiesBody) {
  EXPECT_EQ(SmsReplyKindName(ClassifySmsReply(GetParam().body)), SmsReplyKindName(GetParam().kind))
      << "body: '" << GetParam().body << "'";
}

INSTANTIATE_TEST_SUITE_P(Confirmations, ClassifySmsReplyTest,
                         ::testing::Values(ReplyCase{"YES", SmsReplyKind::kConfirm},
                                           ReplyCase{"yes", SmsReplyKind::kConfirm},
                                           ReplyCase{"Yes", SmsReplyKind::kConfirm},
                                           ReplyCase{"  y \n", SmsReplyKind::kConfirm},
                                           ReplyCase{"1", SmsReplyKind::kConfirm},
                                           ReplyCase{"हाँ", SmsReplyKind::kConfirm},
                                           ReplyCase{" हां ", SmsReplyKind::kConfirm}));

INSTANTIATE_TEST_SUITE_P(Denials, ClassifySmsReplyTest,
                         ::testing::Values(ReplyCase{"NO", SmsReplyKind::kDeny},
                                           ReplyCase{"no", SmsReplyKind::kDeny},
                                           ReplyCase{"\tN", SmsReplyKind::kDeny},
                                           ReplyCase{"2", SmsReplyKind::kDeny},
                                           ReplyCase{"नहीं", SmsReplyKind::kDeny}));

INSTANTIATE_TEST_SUITE_P(TwilioKeywords, ClassifySmsReplyTest,
                         ::testing::Values(ReplyCase{"STOP", SmsReplyKind::kOptOut},
                                           ReplyCase{"stop", SmsReplyKind::kOptOut},
                                           ReplyCase{"StopAll", SmsReplyKind::kOptOut},
                                           ReplyCase{"UNSUBSCRIBE", SmsReplyKind::kOptOut},
                                           ReplyCase{"cancel", SmsReplyKind::kOptOut},
                                           ReplyCase{"End", SmsReplyKind::kOptOut},
                                           ReplyCase{"QUIT ", SmsReplyKind::kOptOut},
                                           ReplyCase{"START", SmsReplyKind::kOptIn},
                                           ReplyCase{"unstop", SmsReplyKind::kOptIn},
                                           ReplyCase{"HELP", SmsReplyKind::kHelp},
                                           ReplyCase{"info", SmsReplyKind::kHelp}));

INSTANTIATE_TEST_SUITE_P(Unknown, ClassifySmsReplyTest,
                         ::testing::Values(ReplyCase{"", SmsReplyKind::kUnknown},
                                           ReplyCase{"   ", SmsReplyKind::kUnknown},
                                           ReplyCase{"YES it was me", SmsReplyKind::kUnknown},
                                           ReplyCase{"YESS", SmsReplyKind::kUnknown},
                                           ReplyCase{"3", SmsReplyKind::kUnknown},
                                           ReplyCase{"हा", SmsReplyKind::kUnknown},
                                           ReplyCase{"please stop", SmsReplyKind::kUnknown},
                                           ReplyCase{"Y E S", SmsReplyKind::kUnknown}));

}  // namespace
}  // namespace vigil
