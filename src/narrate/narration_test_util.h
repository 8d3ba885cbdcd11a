// A sample NarrationRequest for the narrate tests. Header-only; tests only.
#ifndef VIGIL_NARRATE_NARRATION_TEST_UTIL_H_
#define VIGIL_NARRATE_NARRATION_TEST_UTIL_H_

#include <map>
#include <string>

#include "narrate/narration_request.h"
#include "narrate/sigv4.h"

namespace vigil {

inline NarrationRequest SampleNarrationRequest() {
  NarrationRequest request;
  request.kind = DecisionKind::kOrder;
  request.level = RiskLevel::kMedium;
  request.action = "otp_verification";
  request.score = 0.6812;
  request.factors = {{"customer_return_rate_90d", 0.6667f, 0.41},
                     {"customer_account_age_days", 12.0f, 0.18},
                     {"customer_orders_7d", 1.0f, -0.05}};
  request.explanation.summary =
      "This order requires additional verification due to elevated return risk patterns.";
  request.explanation.key_factors = {
      "Customer has returned 4 out of last 6 orders (67% return rate)",
      "The account is 12 days old"};
  request.explanation.recommendation = "Request OTP verification before confirming order";
  request.language = "en";
  request.model_version = "order-v3";
  return request;
}

// SigV4 for service "bedrock" recomputed step by step, independently of
// SignV4's composition (only the SHA-256 / HMAC primitives are shared):
// `canonical_uri` is given already encoded, `headers` are lowercase name ->
// value and all of them are signed.
inline std::string BedrockSignatureByHand(const std::string& canonical_uri,
                                          const std::map<std::string, std::string>& headers,
                                          const std::string& body, const std::string& amz_date,
                                          const std::string& region, const std::string& secret) {
  std::string canonical = "POST\n" + canonical_uri + "\n\n";
  std::string signed_headers;
  for (const auto& [name, value] : headers) {
    canonical += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  canonical += "\n" + signed_headers + "\n" + Sha256Hex(body);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/bedrock/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical);
  std::string key = HmacSha256("AWS4" + secret, date);
  key = HmacSha256(key, region);
  key = HmacSha256(key, "bedrock");
  key = HmacSha256(key, "aws4_request");
  return HexEncode(HmacSha256(key, to_sign));
}

}  // namespace vigil

#endif  // VIGIL_NARRATE_NARRATION_TEST_UTIL_H_
