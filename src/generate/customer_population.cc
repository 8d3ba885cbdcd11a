#include "generate/customer_population.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "generate/india_geography.h"

namespace vigil {
namespace {

constexpr double kRingShare = 0.02;
constexpr double kHouseholdShare = 0.04;
// Orders per ordinary day of an average ordinary customer; the demand curve
// lifts festival and sale days above this.
constexpr double kOrdersPerDay = 2.4 / 90.0;
constexpr double kActivitySpread = 1.0;
constexpr int64_t kFourYears = 4 * 365 * kSecondsPerDay;

struct BehaviourTraits {
  double share;      // of the customers outside rings
  double new_share;  // registered during the period
  double activity;   // relative to ordinary
};

// Indexed by Behaviour (kRing is placed separately).
constexpr BehaviourTraits kTraits[kBehaviourCount] = {
    {0.690, 0.12, 1.0},  // ordinary
    {0.080, 0.02, 1.8},  // loyal
    {0.060, 0.10, 1.4},  // bracketer
    {0.040, 0.15, 1.8},  // serial returner
    {0.030, 0.15, 1.1},  // wardrober
    {0.010, 0.35, 1.0},  // empty-box fraud
    {0.090, 0.30, 1.4},  // COD refuser
    {0.000, 1.00, 1.0},  // ring
};

// Cash on delivery is the habit of smaller towns.
constexpr double kCodShareByTier[] = {0.0, 0.36, 0.52, 0.66};

PaymentMethod PickPrepaidMethod(Rng& rng) {
  static constexpr double kWeights[] = {0.62, 0.20, 0.06, 0.12};
  static constexpr PaymentMethod kMethods[] = {PaymentMethod::kUpi, PaymentMethod::kCard,
                                               PaymentMethod::kNetbanking, PaymentMethod::kWallet};
  return kMethods[rng.Pick(kWeights)];
}

Category PickCategory(Rng& rng) {
  double shares[kCategoryCount];
  for (int c = 0; c < kCategoryCount; ++c) shares[c] = InfoOf(static_cast<Category>(c)).order_share;
  return static_cast<Category>(rng.Pick(shares));
}

Behaviour PickBehaviour(Rng& rng) {
  double shares[kBehaviourCount];
  for (int b = 0; b < kBehaviourCount; ++b) shares[b] = kTraits[b].share;
  return static_cast<Behaviour>(rng.Pick(shares));
}

float CodShare(Behaviour b, int tier, Rng& rng) {
  switch (b) {
    case Behaviour::kCodRefuser:
      return static_cast<float>(rng.Uniform(0.9, 0.99));
    case Behaviour::kRing:
      return static_cast<float>(rng.Uniform(0.75, 0.95));
    case Behaviour::kEmptyBoxFraud:
    case Behaviour::kSerialReturner:
      return static_cast<float>(rng.Uniform(0.15, 0.45));
    case Behaviour::kLoyal:
      return static_cast<float>(
          std::clamp(kCodShareByTier[tier] - 0.15 + 0.1 * rng.Normal(), 0.02, 0.9));
    default:
      return static_cast<float>(
          std::clamp(kCodShareByTier[tier] + 0.15 * rng.Normal(), 0.02, 0.97));
  }
}

// Registration time: during the period, or up to four years before it with
// recent years more common.
Timestamp RegistrationTime(double new_share, Timestamp start, Timestamp end, Rng& rng) {
  if (rng.Chance(new_share)) return start + static_cast<int64_t>(rng.Uniform() * (end - start));
  const double u = rng.Uniform();
  return start - kSecondsPerHour - static_cast<int64_t>(std::pow(u, 1.6) * kFourYears);
}

class Builder {
 public:
  Builder(Timestamp start, Timestamp end, Rng& rng) : start_(start), end_(end), rng_(rng) {}

  void AddRing(int members, uint32_t ring) {
    const Timestamp opened =
        start_ +
        static_cast<int64_t>(rng_.Uniform() * std::max<int64_t>(end_ - start_ - 10 * kSecondsPerDay,
                                                                kSecondsPerDay));
    const int city = PickCity(rng_);
    const uint32_t drop_pincode = PickPincode(Cities()[city], rng_);
    const uint32_t devices[2] = {++devices_, rng_.Chance(0.5) ? ++devices_ : devices_};
    for (int m = 0; m < members; ++m) {
      Customer c = Basic(Behaviour::kRing, city);
      c.registered_at =
          std::min(end_ - 1, opened + static_cast<int64_t>(rng_.Uniform() * 3 * kSecondsPerDay));
      c.home_pincode = drop_pincode;
      c.office_pincode = 0;
      c.device = devices[m % 2];
      c.second_device = 0;
      c.ring = ring;
      c.refusal_rate = static_cast<float>(rng_.Uniform(0.35, 0.6));
      c.favourite = rng_.Chance(0.5) ? Category::kMobiles : Category::kElectronics;
      customers_.push_back(c);
    }
  }

  void AddIndividual() {
    const Behaviour b = PickBehaviour(rng_);
    int city = PickCity(rng_);
    // Refused COD parcels are mostly a small-town problem.
    if (b == Behaviour::kCodRefuser && Cities()[city].tier == 1 && rng_.Chance(0.6)) {
      city = PickCity(rng_);
    }
    Customer c = Basic(b, city);
    c.registered_at = RegistrationTime(kTraits[static_cast<int>(b)].new_share, start_, end_, rng_);
    if (b == Behaviour::kCodRefuser) c.refusal_rate = static_cast<float>(rng_.Uniform(0.6, 0.85));
    if ((b == Behaviour::kOrdinary || b == Behaviour::kLoyal) && !households_.empty() &&
        rng_.Chance(kHouseholdShare)) {
      JoinHousehold(&c);
    } else if (b == Behaviour::kOrdinary || b == Behaviour::kLoyal) {
      households_.push_back(customers_.size());
    }
    customers_.push_back(c);
  }

  std::vector<Customer>& customers() { return customers_; }
  uint32_t devices() const { return devices_; }

 private:
  Customer Basic(Behaviour b, int city_index) {
    const City& city = Cities()[city_index];
    Customer c;
    c.behaviour = b;
    c.city = static_cast<uint16_t>(city_index);
    c.home_pincode = PickPincode(city, rng_);
    c.office_pincode = rng_.Chance(0.12) ? PickPincode(city, rng_) : 0;
    c.device = ++devices_;
    c.second_device = rng_.Chance(0.2) ? ++devices_ : 0;
    c.cod_share = CodShare(b, city.tier, rng_);
    const double sigma = kActivitySpread;
    c.activity = static_cast<float>(kOrdersPerDay * kTraits[static_cast<int>(b)].activity *
                                    std::exp(sigma * rng_.Normal() - sigma * sigma / 2));
    c.missed_cod_factor = static_cast<float>(std::exp(1.2 * rng_.Normal() - 0.72));
    c.prepaid_method = PickPrepaidMethod(rng_);
    c.favourite = PickCategory(rng_);
    return c;
  }

  // Family members: their own accounts on the same phone, same address.
  void JoinHousehold(Customer* c) {
    const Customer& other = customers_[households_[rng_.Below(households_.size())]];
    c->city = other.city;
    c->home_pincode = other.home_pincode;
    c->device = other.device;
  }

  Timestamp start_, end_;
  Rng& rng_;
  std::vector<Customer> customers_;
  std::vector<size_t> households_;  // ordinary and loyal customers, who may share a home
  uint32_t devices_ = 0;
};

}  // namespace

std::string_view BehaviourName(Behaviour behaviour) {
  constexpr std::string_view kNames[kBehaviourCount] = {"ordinary",        "loyal",     "bracketer",
                                                        "serial_returner", "wardrober", "empty_box",
                                                        "cod_refuser",     "ring"};
  return kNames[static_cast<int>(behaviour)];
}

CustomerPopulation CustomerPopulation::Generate(int64_t count, Timestamp start, Timestamp end,
                                                Rng& rng) {
  Builder builder(start, end, rng);
  int64_t ring_accounts = static_cast<int64_t>(std::llround(count * kRingShare));
  uint32_t rings = 0;
  while (ring_accounts >= 3) {
    const int members = static_cast<int>(std::min<int64_t>(rng.Between(3, 8), ring_accounts));
    builder.AddRing(members, ++rings);
    ring_accounts -= members;
    count -= members;
  }
  for (int64_t i = 0; i < count; ++i) builder.AddIndividual();

  const std::vector<Customer>& built = builder.customers();
  std::vector<uint32_t> order(built.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return built[a].registered_at < built[b].registered_at;
  });
  CustomerPopulation population;
  population.customers_.reserve(built.size());
  for (uint32_t i : order) population.customers_.push_back(built[i]);
  population.device_count_ = builder.devices();
  return population;
}

}  // namespace vigil
