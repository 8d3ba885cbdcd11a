#include "service/payment_messages.h"

#include <cstdint>

#include "explain/indian_format.h"
#include "fmt/format.h"

namespace vigil {
namespace {

// The merchant as it fits a message: at most `limit` characters, cut on a
// UTF-8 character boundary.
std::string ShortMerchant(std::string_view merchant, size_t limit) {
  size_t characters = 0, end = 0;
  while (end < merchant.size() && characters < limit) {
    ++end;
    while (end < merchant.size() && (static_cast<unsigned char>(merchant[end]) & 0xC0) == 0x80) {
      ++end;
    }
    ++characters;
  }
  return std::string(merchant.substr(0, end));
}

std::string Amount(const TransactionRecord& t) {
  if (t.currency == "INR") return FormatRupees(t.amount);
  return fmt::format("{} {}", t.currency, FormatIndianNumber(t.amount, 2));
}

}  // namespace

const PaymentTexts& PaymentTextsFor(std::string_view language) {
  static const PaymentTexts kEnglish{
      .help =
          "Payment checks: reply YES if you made the payment, NO if you did not. "
          "Reply STOP to stop these messages.",
      .nothing_pending = "No payment is waiting for your reply. Thank you.",
      .confirmed = "Thank you. The payment is approved.",
      .denied =
          "Thank you. The payment is declined and your account is blocked for your "
          "safety. Our team will contact you.",
      .unclear = "Sorry, we did not understand. Reply YES if you made this payment, NO if not."};
  static const PaymentTexts kHindi{
      .help =
          "भुगतान जाँच: अगर भुगतान आपने किया है तो YES भेजें, नहीं किया तो NO। "
          "ये संदेश बंद करने के लिए STOP भेजें।",
      .nothing_pending = "आपके जवाब के लिए कोई भुगतान प्रतीक्षा में नहीं है। धन्यवाद।",
      .confirmed = "धन्यवाद। भुगतान स्वीकृत हो गया है।",
      .denied =
          "धन्यवाद। भुगतान अस्वीकार कर दिया गया है और आपकी सुरक्षा के लिए आपका खाता "
          "रोक दिया गया है। हमारी टीम आपसे संपर्क करेगी।",
      .unclear = "माफ़ कीजिए, हम समझ नहीं पाए। यह भुगतान आपने किया है तो YES भेजें, नहीं तो NO।"};
  return language == "hi" ? kHindi : kEnglish;
}

std::string MessageReference(std::string_view message_key) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across builds and restarts
  for (unsigned char c : message_key) h = (h ^ c) * 1099511628211ull;
  // Letters and digits that cannot be misread (no 0/O, 1/I).
  static constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  std::string reference;
  for (int i = 0; i < 6; ++i) {
    reference += kAlphabet[h % kAlphabet.size()];
    h /= kAlphabet.size();
  }
  return reference;
}

std::string VerificationMessage(const TransactionRecord& t, std::string_view language,
                                bool show_amount, std::string_view message_key) {
  const std::string merchant = ShortMerchant(t.merchant, 30);
  const std::string reference = MessageReference(message_key);
  if (language == "hi") {
    const std::string what =
        show_amount ? fmt::format("क्या आपने {} को {} का भुगतान किया?", merchant, Amount(t))
                    : fmt::format("क्या आपने {} को भुगतान किया?", merchant);
    return fmt::format("Vigil: {} हाँ तो YES भेजें, नहीं तो NO। Ref {}", what, reference);
  }
  const std::string what = show_amount ? fmt::format("did you pay {} to {}?", Amount(t), merchant)
                                       : fmt::format("did you make a payment to {}?", merchant);
  return fmt::format("Vigil: {} Reply YES if you made this payment, NO if not. Ref {}", what,
                     reference);
}

}  // namespace vigil
