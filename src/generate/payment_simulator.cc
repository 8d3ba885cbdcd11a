#include "generate/payment_simulator.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "fmt/format.h"
#include "generate/india_geography.h"

namespace vigil {
namespace {

// Payments per customer on an ordinary day: about ten in 120 days. Each
// customer's rate is log-normal around it and capped, which bounds the file:
// with 50,000 customers and 120 days, about 0.5 M payments.
constexpr double kPaymentsPerDay = 0.08;
constexpr double kRateSpread = 0.9;
constexpr double kMaxPaymentsPerDay = 1.0;
// Payments rise on festival and sale days by this share of the orders' rise.
constexpr double kFestivalLift = 0.5;

// Personal median amounts (rupees), and each payment around its median.
constexpr double kMedianAmount = 350;
constexpr double kMedianSpread = 0.8;
constexpr double kMinMedian = 40, kMaxMedian = 3000;
constexpr double kAmountSpread = 0.55;
constexpr double kWholeRupeeShare = 0.6;
constexpr double kMaxAmountPaise = 2'00'000 * 100.0;  // ₹2 lakh, before fraud

// Where customers pay.
constexpr int kCustomersPerMerchant = 10;
constexpr int kMinMerchantsPerCity = 3;
constexpr int kCustomersPerOnlineMerchant = 400;
constexpr int kMinOnlineMerchants = 8;
constexpr double kPopularitySpread = 0.5;  // log-normal spread of the merchants' popularity
constexpr int kMinUsualMerchants = 2, kMaxUsualMerchants = 6;
constexpr double kOnlineHabitShare = 0.5;  // customers with an online merchant among the usual
constexpr double kOtherLocalShare = 0.10;  // payments at another merchant of the city
constexpr double kTravelShare = 0.01;      // payments in another city

// The handbook's rates: 2 of its 10,000 terminals and 3 of its 5,000
// customers compromised each day. Only shops are compromised (a skimmer on
// the card machine); an online merchant takes the payments of hundreds of
// customers, and one compromise would swamp a small simulation.
constexpr double kCompromisedMerchantsPerDay = 2.0 / 10'000;
constexpr double kCompromisedCardsPerDay = 3.0 / 5'000;
constexpr double kCompromisedCardFraudShare = 1.0 / 3;

// Fraud reports (chargebacks, disputes) arrive about a week later.
constexpr double kReportDays = 7, kReportSpreadDays = 2;
constexpr double kMinReportDays = 2, kMaxReportDays = 14;

// Relative payment volume by IST hour: a morning and an evening peak.
constexpr double kPaymentHourWeights[24] = {0.8, 0.4, 0.2, 0.2, 0.2, 0.4, 1.0, 2.5,
                                            4.0, 5.0, 5.5, 5.5, 6.0, 5.5, 5.0, 5.0,
                                            5.0, 5.5, 6.5, 7.0, 7.0, 6.0, 4.0, 2.0};

constexpr std::string_view kShopOwners[] = {
    "Shree Ganesh", "Balaji",    "Sai Krishna", "Laxmi",     "Annapurna", "Jai Hind",
    "New Bharat",   "Royal",     "Mahalakshmi", "Om Sai",    "Durga",     "Gupta",
    "Agarwal",      "Sharma",    "Patel",       "Reddy",     "Iyer",      "Nair",
    "Singh",        "Khan",      "Mehta",       "Jain",      "Ganga",     "Sri Venkateswara",
    "Murugan",      "Bismillah", "Guru Nanak",  "Hindustan", "Janata",    "Navrang",
};
constexpr std::string_view kShopKinds[] = {
    "Kirana Store", "General Store", "Medicals",   "Pharmacy",      "Sweets",
    "Bakery",       "Restaurant",    "Dhaba",      "Tea Stall",     "Fuel Station",
    "Mobile Point", "Electronics",   "Garments",   "Footwear",      "Supermarket",
    "Fruit Mart",   "Dairy",         "Hardware",   "Opticals",      "Jewellers",
    "Salon",        "Stationers",    "Auto Works", "Tiffin Centre", "Book Depot",
};
constexpr std::string_view kOnlineMerchants[] = {
    "Bharat Recharge Online",
    "Desi Eats Delivery",
    "YatraGo Bus Tickets",
    "RailSeva Tickets",
    "Chalo Cabs",
    "PayBill Electricity",
    "Swadesh OTT",
    "Kisan Insurance",
    "DigiGold Savings",
    "QuickBasket Grocery",
    "GasBook LPG",
    "EduFee Online",
    "MetroCard Recharge",
    "Broadband Bill Pay",
    "CinemaSeat Tickets",
    "Dawa Online Pharmacy",
};

template <size_t N>
std::string_view PickFrom(const std::string_view (&names)[N], Rng& rng) {
  return names[rng.Below(N)];
}

// The merchants, grouped by city with the online ones last, and a way to
// draw one by popularity.
class MerchantDirectory {
 public:
  MerchantDirectory(const CustomerPopulation& population, Rng& rng) {
    std::vector<int64_t> customers_in(Cities().size(), 0);
    for (const Customer& c : population.customers()) ++customers_in[c.city];
    for (size_t city = 0; city < Cities().size(); ++city) {
      begin_.push_back(static_cast<uint32_t>(merchants_.size()));
      const int64_t count =
          std::max<int64_t>(kMinMerchantsPerCity, customers_in[city] / kCustomersPerMerchant);
      for (int64_t i = 0; i < count; ++i) AddLocal(static_cast<uint16_t>(city), rng);
    }
    begin_.push_back(static_cast<uint32_t>(merchants_.size()));
    const int64_t online =
        std::max<int64_t>(kMinOnlineMerchants, population.size() / kCustomersPerOnlineMerchant);
    for (int64_t i = 0; i < online; ++i) {
      Add(fmt::format("{} #{}", PickFrom(kOnlineMerchants, rng), merchants_.size() + 1), 0, true,
          rng);
    }
    begin_.push_back(static_cast<uint32_t>(merchants_.size()));
  }

  uint32_t PickInCity(int city, Rng& rng) const {
    return PickIn(begin_[city], begin_[city + 1], rng);
  }
  uint32_t PickOnline(Rng& rng) const {
    return PickIn(begin_[begin_.size() - 2], begin_.back(), rng);
  }
  // Merchants [0, local_count()) are shops in a city; the rest are online.
  uint32_t local_count() const { return begin_[begin_.size() - 2]; }
  std::vector<PaymentMerchant> TakeMerchants() { return std::move(merchants_); }

 private:
  void AddLocal(uint16_t city, Rng& rng) {
    const std::string_view owner = PickFrom(kShopOwners, rng);
    const std::string_view kind = PickFrom(kShopKinds, rng);
    Add(fmt::format("{} {} {} #{}", owner, kind, Cities()[city].name, merchants_.size() + 1), city,
        false, rng);
  }
  void Add(std::string name, uint16_t city, bool online, Rng& rng) {
    merchants_.push_back({std::move(name), city, online});
    const double popularity = rng.LogNormal(1.0, kPopularitySpread);
    cumulative_.push_back((cumulative_.empty() ? 0.0 : cumulative_.back()) + popularity);
  }
  // A merchant of [begin, end) by popularity; cumulative_[i] is the weight
  // of merchants [0, i].
  uint32_t PickIn(uint32_t begin, uint32_t end, Rng& rng) const {
    const double before = begin == 0 ? 0.0 : cumulative_[begin - 1];
    const double x = before + rng.Uniform() * (cumulative_[end - 1] - before);
    const auto it = std::upper_bound(cumulative_.begin() + begin, cumulative_.begin() + end, x);
    return std::min(static_cast<uint32_t>(it - cumulative_.begin()), end - 1);
  }

  std::vector<PaymentMerchant> merchants_;
  std::vector<double> cumulative_;
  std::vector<uint32_t> begin_;  // first merchant of each city, then of the online ones, then end
};

// Which ids (merchants or customers) are compromised on which days: each
// day, a Poisson number of random ids for `length` days.
class CompromiseCalendar {
 public:
  CompromiseCalendar(uint32_t ids, double share_per_day, int days, int length, Rng& rng)
      : length_(length) {
    for (int day = 0; day < days; ++day) {
      const int64_t count = rng.Poisson(ids * share_per_day);
      for (int64_t i = 0; i < count; ++i) {
        windows_.push_back({static_cast<uint32_t>(rng.Below(ids)), day});
      }
    }
    std::sort(windows_.begin(), windows_.end());
  }

  // Some window of `id` covers `day`.
  bool Covers(uint32_t id, int day) const {
    const auto it = std::lower_bound(windows_.begin(), windows_.end(),
                                     std::pair<uint32_t, int>{id, day - length_ + 1});
    return it != windows_.end() && it->first == id && it->second <= day;
  }

 private:
  int length_;
  std::vector<std::pair<uint32_t, int>> windows_;  // (id, first day), sorted
};

// Prefix sums of the days' payment volume: cumulative_[d] is that of [0, d).
class PaymentDays {
 public:
  explicit PaymentDays(const DemandCurve& demand) : cumulative_(demand.days() + 1, 0.0) {
    for (int d = 0; d < demand.days(); ++d) {
      const double lift = 1 + kFestivalLift * (demand.multiplier(d) - 1);
      cumulative_[d + 1] = cumulative_[d] + lift;
    }
  }
  // Volume from `day` + `fraction` of it to the end.
  double From(int day, double fraction) const {
    return cumulative_.back() - cumulative_[day] -
           fraction * (cumulative_[day + 1] - cumulative_[day]);
  }
  // The day holding cumulative volume `w`.
  int DayAt(double w) const {
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), w);
    return std::clamp(static_cast<int>(it - cumulative_.begin()) - 1, 0,
                      static_cast<int>(cumulative_.size()) - 2);
  }
  double total() const { return cumulative_.back(); }

 private:
  std::vector<double> cumulative_;
};

// One customer's habits: where and how much they usually pay.
struct Habits {
  uint32_t usual[kMaxUsualMerchants + 1];
  int usual_count = 0;
  double median_amount = 0;  // rupees
};

class PaymentBuilder {
 public:
  PaymentBuilder(const CustomerPopulation& population, const DemandCurve& demand, Rng& rng)
      : demand_(demand),
        days_(demand),
        directory_(population, rng),
        merchant_frauds_(directory_.local_count(), kCompromisedMerchantsPerDay, demand.days(),
                         kCompromisedMerchantDays, rng),
        card_frauds_(static_cast<uint32_t>(population.size()), kCompromisedCardsPerDay,
                     demand.days(), kCompromisedCardDays, rng),
        rng_(rng) {}

  void AddCustomer(uint32_t number, const Customer& c, std::vector<Payment>* out) {
    const Timestamp active_from =
        std::max(demand_.start(), c.registered_at + 10 * kSecondsPerMinute);
    const Timestamp end = demand_.start() + demand_.days() * kSecondsPerDay;
    const double rate = std::min(
        kMaxPaymentsPerDay,
        kPaymentsPerDay * std::exp(kRateSpread * rng_.Normal() - kRateSpread * kRateSpread / 2));
    const Habits habits = DrawHabits(c);
    if (active_from >= end) return;
    const int first_day = demand_.DayOf(active_from);
    const double fraction =
        static_cast<double>(active_from - demand_.start() - first_day * kSecondsPerDay) /
        kSecondsPerDay;
    const double remaining = days_.From(first_day, fraction);
    const int64_t count = rng_.Poisson(rate * remaining);
    for (int64_t i = 0; i < count; ++i) {
      const int day = std::max(days_.DayAt(days_.total() - remaining * rng_.Uniform()), first_day);
      const int64_t hour = static_cast<int64_t>(rng_.Pick(kPaymentHourWeights));
      Timestamp at = demand_.start() + day * kSecondsPerDay + hour * kSecondsPerHour +
                     static_cast<int64_t>(rng_.Below(kSecondsPerHour));
      at = std::clamp(at, active_from, end - 1);
      out->push_back(Pay(number, c, habits, at));
    }
  }

  std::vector<PaymentMerchant> TakeMerchants() { return directory_.TakeMerchants(); }

 private:
  Habits DrawHabits(const Customer& c) {
    Habits h;
    h.usual_count = static_cast<int>(rng_.Between(kMinUsualMerchants, kMaxUsualMerchants));
    for (int i = 0; i < h.usual_count; ++i) h.usual[i] = directory_.PickInCity(c.city, rng_);
    if (rng_.Chance(kOnlineHabitShare)) h.usual[h.usual_count++] = directory_.PickOnline(rng_);
    h.median_amount =
        std::clamp(rng_.LogNormal(kMedianAmount, kMedianSpread), kMinMedian, kMaxMedian);
    return h;
  }

  Payment Pay(uint32_t number, const Customer& c, const Habits& h, Timestamp at) {
    Payment p{.second = static_cast<uint32_t>(at - demand_.start()), .customer = number};
    p.city = c.city;
    const double where = rng_.Uniform();
    if (where < kTravelShare) {
      p.city = static_cast<uint16_t>(PickCity(rng_));
      p.merchant = directory_.PickInCity(p.city, rng_);
    } else if (where < kTravelShare + kOtherLocalShare) {
      p.merchant = directory_.PickInCity(c.city, rng_);
    } else {
      p.merchant = h.usual[rng_.Below(h.usual_count)];
    }
    double paise = std::min(rng_.LogNormal(h.median_amount, kAmountSpread) * 100, kMaxAmountPaise);
    paise = rng_.Chance(kWholeRupeeShare) ? std::round(paise / 100) * 100 : std::round(paise);
    const int day = static_cast<int>(p.second / kSecondsPerDay);
    if (card_frauds_.Covers(number, day) && rng_.Chance(kCompromisedCardFraudShare)) {
      paise *= kCompromisedCardAmountFactor;
      p.fraud = FraudScenario::kCompromisedCard;
    } else if (merchant_frauds_.Covers(p.merchant, day)) {
      p.fraud = FraudScenario::kCompromisedMerchant;
    } else if (paise > kHighAmountPaise) {
      p.fraud = FraudScenario::kHighAmount;
    }
    p.amount_paise = static_cast<uint32_t>(std::max(100.0, paise));
    if (p.fraud != FraudScenario::kNone) {
      const double days = std::clamp(kReportDays + kReportSpreadDays * rng_.Normal(),
                                     kMinReportDays, kMaxReportDays);
      p.reported_after = static_cast<uint32_t>(days * kSecondsPerDay);
    }
    return p;
  }

  const DemandCurve& demand_;
  PaymentDays days_;
  MerchantDirectory directory_;
  CompromiseCalendar merchant_frauds_;
  CompromiseCalendar card_frauds_;
  Rng& rng_;
};

}  // namespace

std::string_view FraudScenarioName(FraudScenario scenario) {
  constexpr std::string_view kNames[] = {"none", "high_amount", "compromised_merchant",
                                         "compromised_card"};
  return kNames[static_cast<int>(scenario)];
}

SimulatedPayments SimulatePayments(const CustomerPopulation& population, const DemandCurve& demand,
                                   Rng& rng) {
  PaymentBuilder builder(population, demand, rng);
  SimulatedPayments result;
  for (int64_t i = 0; i < population.size(); ++i) {
    builder.AddCustomer(static_cast<uint32_t>(i), population[i], &result.payments);
  }
  // In place (no buffer the size of the payments), and a total order on
  // what is written, so every standard library gives the same file.
  std::sort(result.payments.begin(), result.payments.end(), [](const Payment& a, const Payment& b) {
    return std::tie(a.second, a.customer, a.merchant, a.amount_paise, a.reported_after, a.city,
                    a.fraud) < std::tie(b.second, b.customer, b.merchant, b.amount_paise,
                                        b.reported_after, b.city, b.fraud);
  });
  result.merchants = builder.TakeMerchants();
  for (const Payment& p : result.payments) result.frauds += p.fraud != FraudScenario::kNone;
  return result;
}

}  // namespace vigil
