#include "narrate/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace vigil {
namespace {

// Cases from AWS's published SigV4 test suite (aws-sig-v4-test-suite): same
// credentials, time, region and service for all. Each expected canonical
// request, string to sign and signature was checked to be consistent with the
// others (the string to sign holds the canonical request's hash, the signature
// is the HMAC of the string to sign) before being written here.
constexpr char kAmzDate[] = "20150830T123600Z";
constexpr char kScope[] = "20150830/us-east-1/service/aws4_request";
constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kPlainHeaders[] =
    "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n";

AwsCredentials SuiteCredentials() {
  return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
}

SigV4Request SuiteRequest(std::string method, std::string target) {
  return {std::move(method),
          std::move(target),
          {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kAmzDate}},
          ""};
}

struct SuiteCase {
  const char* name;
  SigV4Request request;
  std::string canonical_request;
  std::string canonical_request_hash;
  std::string signature;
};

void ExpectSuiteCase(const SuiteCase& c) {
  SCOPED_TRACE(c.name);
  const SigV4Signature s = SignV4(c.request, SuiteCredentials(), "us-east-1", "service", kAmzDate);
  EXPECT_EQ(s.canonical_request, c.canonical_request);
  EXPECT_EQ(s.string_to_sign, std::string("AWS4-HMAC-SHA256\n") + kAmzDate + "\n" + kScope + "\n" +
                                  c.canonical_request_hash);
  EXPECT_EQ(s.signature, c.signature);
  EXPECT_EQ(s.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + std::string(kScope) +
                                 ", SignedHeaders=" + s.signed_headers +
                                 ", Signature=" + c.signature);
}

TEST(SigV4SuiteTest, GetVanilla) {
  ExpectSuiteCase({"get-vanilla", SuiteRequest("GET", "/"),
                   std::string("GET\n/\n\n") + kPlainHeaders + kEmptyHash,
                   "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
                   "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"});
}

TEST(SigV4SuiteTest, PostVanilla) {
  ExpectSuiteCase({"post-vanilla", SuiteRequest("POST", "/"),
                   std::string("POST\n/\n\n") + kPlainHeaders + kEmptyHash,
                   "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
                   "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"});
}

TEST(SigV4SuiteTest, GetVanillaQueryOrderKeyCase) {
  ExpectSuiteCase(
      {"get-vanilla-query-order-key-case", SuiteRequest("GET", "/?Param2=value2&Param1=value1"),
       std::string("GET\n/\nParam1=value1&Param2=value2\n") + kPlainHeaders + kEmptyHash,
       "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"});
}

TEST(SigV4SuiteTest, GetVanillaUtf8Query) {
  ExpectSuiteCase({"get-vanilla-utf8-query", SuiteRequest("GET", "/?\xE1\x88\xB4=bar"),
                   std::string("GET\n/\n%E1%88%B4=bar\n") + kPlainHeaders + kEmptyHash,
                   "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
                   "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"});
}

TEST(SigV4SuiteTest, GetUtf8Path) {
  ExpectSuiteCase({"get-utf8", SuiteRequest("GET", "/\xE1\x88\xB4"),
                   std::string("GET\n/%E1%88%B4\n\n") + kPlainHeaders + kEmptyHash,
                   "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
                   "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"});
}

TEST(SigV4SuiteTest, GetSpace) {
  ExpectSuiteCase({"get-space", SuiteRequest("GET", "/example space/"),
                   std::string("GET\n/example%20space/\n\n") + kPlainHeaders + kEmptyHash,
                   "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
                   "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"});
}

TEST(SigV4SuiteTest, NormalizePathSlashes) {
  ExpectSuiteCase({"get-slashes", SuiteRequest("GET", "//example//"),
                   std::string("GET\n/example/\n\n") + kPlainHeaders + kEmptyHash,
                   "cb96b4ac96d501f7c5c15bc6d67b3035061cfced4af6585ad927f7e6c985c015",
                   "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"});
}

TEST(SigV4SuiteTest, NormalizePathRelativeRelative) {
  ExpectSuiteCase({"get-relative-relative", SuiteRequest("GET", "/example1/example2/../.."),
                   std::string("GET\n/\n\n") + kPlainHeaders + kEmptyHash,
                   "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
                   "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"});
}

TEST(SigV4SuiteTest, NormalizePathPointlessDot) {
  ExpectSuiteCase({"get-slash-pointless-dot", SuiteRequest("GET", "/./example"),
                   std::string("GET\n/example\n\n") + kPlainHeaders + kEmptyHash,
                   "214d50c111a8edc4819da6a636336472c916b5240f51e9a51b5c3305180cf702",
                   "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"});
}

TEST(SigV4SuiteTest, PostHeaderKeySort) {
  SigV4Request request = SuiteRequest("POST", "/");
  request.headers.push_back({"My-Header1", "value1"});
  ExpectSuiteCase({"post-header-key-sort", request,
                   std::string("POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
                               "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n") +
                       kEmptyHash,
                   "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
                   "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"});
}

TEST(SigV4SuiteTest, PostXWwwFormUrlencoded) {
  SigV4Request request = SuiteRequest("POST", "/");
  request.headers.insert(request.headers.begin(),
                         {"Content-Type", "application/x-www-form-urlencoded"});
  request.body = "Param1=value1";
  ExpectSuiteCase(
      {"post-x-www-form-urlencoded", request,
       "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
       "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
       "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
       "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
       "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"});
}

TEST(SigV4SuiteTest, HeaderValuesAreTrimmedAndCollapsed) {
  SigV4Request request = SuiteRequest("GET", "/");
  request.headers.push_back({"My-Header1", " value1"});
  request.headers.push_back({"My-Header2", " \"a   b   c\""});
  ExpectSuiteCase({"get-header-value-trim", request,
                   std::string("GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
                               "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
                               "host;my-header1;my-header2;x-amz-date\n") +
                       kEmptyHash,
                   "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
                   "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"});
}

TEST(SigV4SuiteTest, SessionTokenIsASignedHeader) {
  const std::string token =
      "AQoDYXdzEPT//////////"
      "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUu"
      "wthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75Y"
      "U9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
      "scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
  SigV4Request request = SuiteRequest("POST", "/");
  request.headers.push_back({"X-Amz-Security-Token", token});
  ExpectSuiteCase({"post-sts-header-before", request,
                   "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
                   "x-amz-security-token:" +
                       token + "\n\nhost;x-amz-date;x-amz-security-token\n" + kEmptyHash,
                   "c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6",
                   "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"});
}

TEST(SigV4Test, PathAlreadyEncodedOnTheWireIsSignedDoubleEncoded) {
  // Non-S3 services: a model id "a:0" travels as "a%3A0" and is signed as
  // "a%253A0".
  EXPECT_EQ(SigV4CanonicalUri("/model/anthropic.claude-v2%3A1/converse"),
            "/model/anthropic.claude-v2%253A1/converse");
}

TEST(SigV4Test, QueryKeysWithoutValuesGetAnEmptyValue) {
  EXPECT_EQ(SigV4CanonicalQuery("b=2&a"), "a=&b=2");
  EXPECT_EQ(SigV4CanonicalQuery("x=a%20b&x=A"), "x=A&x=a%20b");
}

TEST(SigV4Test, FormatsAmzDateInUtc) {
  // 2015-08-30T12:36:00Z.
  const auto time = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  EXPECT_EQ(FormatAmzDate(time), "20150830T123600Z");
}

}  // namespace
}  // namespace vigil
