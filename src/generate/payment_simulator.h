// SimulatePayments: the card and UPI payments of the synthetic marketplace's
// customers at shops and online merchants, for `vigil train --kind
// transaction`, after the simulator of the Fraud Detection Handbook (Le
// Borgne et al., "Reproducible Machine Learning for Credit Card Fraud
// Detection", chapter 3) moved to India.
//
// Every city has its own merchants (kirana stores, chemists, fuel stations,
// restaurants ...) and a few merchants are online, used from anywhere. A
// customer pays at a few usual merchants, mostly in their own city (the
// payment's location), now and then at another shop of the city or, on a
// trip, in another city; amounts are log-normal around a personal median;
// activity starts at registration and rises on festival and sale days, half
// as much as marketplace orders do.
//
// Fraud, as the handbook injects it (a payment keeps the last reason that
// applies):
//   (1) kHighAmount: every payment above kHighAmountPaise;
//   (2) kCompromisedMerchant: each day a few random shops (2 in 10,000; not
//       the online merchants) are compromised for kCompromisedMerchantDays
//       days; every payment there in that time is fraud;
//   (3) kCompromisedCard: each day a few random customers (3 in 5,000) have
//       their card details stolen for kCompromisedCardDays days; a third of
//       their payments then are card-not-present fraud with 5 times the
//       amount.
// About 0.7 % of payments are fraud. Each fraud is reported (labelled) a few
// days to two weeks after it happened.
//
// Pure function of its inputs and the Rng's state; thread-compatible.
#ifndef VIGIL_GENERATE_PAYMENT_SIMULATOR_H_
#define VIGIL_GENERATE_PAYMENT_SIMULATOR_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "generate/customer_population.h"
#include "generate/demand_curve.h"
#include "generate/random.h"

namespace vigil {

enum class FraudScenario : uint8_t {
  kNone,
  kHighAmount,
  kCompromisedMerchant,
  kCompromisedCard,
};
std::string_view FraudScenarioName(FraudScenario scenario);

inline constexpr int64_t kHighAmountPaise = 7'500 * 100;  // ₹7,500
inline constexpr int kCompromisedMerchantDays = 28;
inline constexpr int kCompromisedCardDays = 14;
inline constexpr double kCompromisedCardAmountFactor = 5;

struct PaymentMerchant {
  std::string name;   // unique, e.g. "Shree Balaji Medicals Jaipur #42"
  uint16_t city = 0;  // index into Cities(); meaningless when online
  bool online = false;
};

struct Payment {
  uint32_t second = 0;    // since the period's start
  uint32_t customer = 0;  // 0-based customer number (customer_id = number + 1)
  uint32_t merchant = 0;  // index into SimulatedPayments::merchants
  uint32_t amount_paise = 0;
  uint32_t reported_after = 0;  // frauds: seconds until the fraud was reported
  uint16_t city = 0;            // where the card was used: index into Cities()
  FraudScenario fraud = FraudScenario::kNone;
};

struct SimulatedPayments {
  std::vector<PaymentMerchant> merchants;
  std::vector<Payment> payments;  // in time order (ties: by customer, merchant, amount)
  int64_t frauds = 0;
};

// The payments of `population` during the period of `demand`.
SimulatedPayments SimulatePayments(const CustomerPopulation& population, const DemandCurve& demand,
                                   Rng& rng);

}  // namespace vigil

#endif  // VIGIL_GENERATE_PAYMENT_SIMULATOR_H_
