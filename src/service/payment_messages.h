// The payment flow's SMS texts, in English and Hindi (the account's
// language): the verification question and the answers to replies. Short
// (one or two SMS segments), with the amount only when the policy allows it,
// and a reference that identifies the message (the worker matches a message
// it may have sent by its exact text when it reconciles with the provider).
#ifndef VIGIL_SERVICE_PAYMENT_MESSAGES_H_
#define VIGIL_SERVICE_PAYMENT_MESSAGES_H_

#include <string>
#include <string_view>

#include "store/store.h"

namespace vigil {

struct PaymentTexts {
  std::string_view help;
  std::string_view nothing_pending;
  std::string_view confirmed;  // after YES
  std::string_view denied;     // after NO
  std::string_view unclear;    // the question again, once
};

// By language: "hi" or anything else (English).
const PaymentTexts& PaymentTextsFor(std::string_view language);

// A short reference for a message key: 6 characters, letters and digits.
std::string MessageReference(std::string_view message_key);

// "Vigil: did you pay ₹2,499.00 to Flipkart? Reply YES if you made this
// payment, NO if not. Ref K3F9QX". Without `show_amount` the amount is left
// out. The merchant is cut to 30 characters.
std::string VerificationMessage(const TransactionRecord& transaction, std::string_view language,
                                bool show_amount, std::string_view message_key);

}  // namespace vigil

#endif  // VIGIL_SERVICE_PAYMENT_MESSAGES_H_
