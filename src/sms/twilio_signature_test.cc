#include "sms/twilio_signature.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

// Twilio's published validator vector (twilio-python's and twilio-node's
// RequestValidator tests, and the security docs).
constexpr char kToken[] = "12345";
constexpr char kUrl[] = "https://mycompany.com/myapp.php?foo=1&bar=2";
constexpr char kSignature[] = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

FormParams PublishedParams() {
  // Deliberately not in sorted order: the signature sorts them.
  return {{"To", "+18005551212"},
          {"CallSid", "CA1234567890ABCDE"},
          {"Digits", "1234"},
          {"From", "+14158675309"},
          {"Caller", "+14158675309"}};
}

TEST(TwilioSignature, MatchesTwilioPublishedVector) {
  EXPECT_EQ(TwilioSignature(kToken, kUrl, PublishedParams()), kSignature);
}

TEST(IsValidTwilioSignature, AcceptsPublishedVector) {
  EXPECT_TRUE(IsValidTwilioSignature(kToken, kUrl, PublishedParams(), kSignature));
}

TEST(IsValidTwilioSignature, AcceptsSameUrlWrittenWithDefaultPort) {
  EXPECT_TRUE(IsValidTwilioSignature(kToken, "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                                     PublishedParams(), kSignature));
}

TEST(IsValidTwilioSignature, AcceptsUrlWithoutPortWhenTwilioSignedItWithPort) {
  const std::string with_port = "http://example.com:80/sms";
  const std::string signature = TwilioSignature(kToken, with_port, PublishedParams());
  EXPECT_TRUE(
      IsValidTwilioSignature(kToken, "http://example.com/sms", PublishedParams(), signature));
}

TEST(IsValidTwilioSignature, RejectsNonDefaultOrWrongSchemePort) {
  EXPECT_FALSE(IsValidTwilioSignature(kToken, "https://mycompany.com:8443/myapp.php?foo=1&bar=2",
                                      PublishedParams(), kSignature));
  EXPECT_FALSE(IsValidTwilioSignature(kToken, "https://mycompany.com:80/myapp.php?foo=1&bar=2",
                                      PublishedParams(), kSignature));
}

TEST(IsValidTwilioSignature, RejectsChangedParameter) {
  FormParams params = PublishedParams();
  params[2].second = "1235";
  EXPECT_FALSE(IsValidTwilioSignature(kToken, kUrl, params, kSignature));
}

TEST(IsValidTwilioSignature, RejectsAddedParameter) {
  FormParams params = PublishedParams();
  params.emplace_back("Body", "YES");
  EXPECT_FALSE(IsValidTwilioSignature(kToken, kUrl, params, kSignature));
}

TEST(IsValidTwilioSignature, RejectsOtherTokenUrlAndTruncatedSignature) {
  EXPECT_FALSE(IsValidTwilioSignature("12346", kUrl, PublishedParams(), kSignature));
  EXPECT_FALSE(IsValidTwilioSignature(kToken, "https://mycompany.com/myapp.php?foo=1&bar=3",
                                      PublishedParams(), kSignature));
  EXPECT_FALSE(IsValidTwilioSignature(kToken, kUrl, PublishedParams(), "RSOYDt4T1cUTdK1PDd93"));
  EXPECT_FALSE(IsValidTwilioSignature(kToken, kUrl, PublishedParams(), ""));
}

TEST(TwilioSignature, SortsRepeatedNamesByValue) {
  const std::string url = "https://vigil.example/webhook/twilio";
  EXPECT_EQ(TwilioSignature(kToken, url, {{"MediaUrl", "b"}, {"MediaUrl", "a"}}),
            TwilioSignature(kToken, url, {{"MediaUrl", "a"}, {"MediaUrl", "b"}}));
  EXPECT_NE(TwilioSignature(kToken, url, {{"MediaUrl", "a"}, {"MediaUrl", "b"}}),
            TwilioSignature(kToken, url, {{"MediaUrl", "ab"}}));
}

TEST(SignTwilioRequest, SignsTheEncodedBodyAsTwilioWould) {
  const SignedTwilioRequest request = SignTwilioRequest(kToken, kUrl, PublishedParams());
  EXPECT_EQ(request.signature, kSignature);
  const StatusOr<FormParams> sent = ParseForm(request.body);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(*sent, PublishedParams());
  EXPECT_TRUE(IsValidTwilioSignature(kToken, kUrl, *sent, request.signature));
}

}  // namespace
}  // namespace vigil
