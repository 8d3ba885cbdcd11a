#include "seed/seed_plan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "generate/india_geography.h"
#include "generate/random.h"

namespace vigil {
namespace {

// Independent random streams, so that changing one part of the plan does not
// shift the others.
constexpr uint64_t kAccountStream = 101;
constexpr uint64_t kHabitStream = 102;
constexpr uint64_t kFraudStream = 103;
constexpr uint64_t kPaymentStream = 104;

constexpr int64_t kMinSpanSeconds = 6 * kSecondsPerHour;
constexpr double kMaxAmount = 9'999'999;  // the API takes at most ₹1 crore

constexpr std::string_view kMerchants[] = {
    "Annapurna Kirana Store",
    "FreshMart Grocery",
    "City Medicals",
    "Metro Fuel Station",
    "Spice Route Restaurant",
    "Chai Point Cafe",
    "Urban Threads Apparel",
    "Railway Ticket Counter",
    "Book Nook",
    "Gupta Sweets",
    "Daily Needs Supermarket",
    "QuickRide Cabs",
    "Cinema Plex",
    "Mobile Recharge Point",
    "Electricity Bill Pay",
    "Wellness Pharmacy",
    "Home Decor Bazaar",
    "Tiffin Express",
    "Fitness Hub Gym",
    "Laundry Express",
};
// Merchants no account uses: a payment there is new for its customer.
constexpr std::string_view kRiskyMerchants[] = {
    "Suspicious Store",        "QuickCash Crypto Exchange", "Global Gift Cards",
    "LuxeTime Watches Online", "Instant Forex Transfer",    "Prime Electronics Outlet",
    "Lucky Draw Online Games", "Unknown Merchant",
};
constexpr std::string_view kFarAway[] = {
    "Unknown Location", "Dubai, AE", "Singapore, SG", "Lagos, NG", "Bangkok, TH", "London, GB",
};

constexpr std::string_view kHindiStates[] = {
    "Delhi",   "Uttar Pradesh", "Bihar",        "Madhya Pradesh", "Rajasthan",
    "Haryana", "Jharkhand",     "Chhattisgarh", "Uttarakhand",    "Himachal Pradesh",
};

// What a customer usually does; the plan's ordinary payments follow it.
struct Habits {
  int city = 0;
  std::vector<size_t> merchants;  // indices into kMerchants
  double usual_amount = 0;
  double activity = 1;  // relative share of the ordinary payments
};

// One payment before it has its time and id.
struct Draft {
  int64_t offset = 0;  // seconds before now
  size_t account = 0;
  double amount = 0;
  std::string merchant;
  std::string location;
  FraudPattern pattern = FraudPattern::kNone;
};

template <size_t N>
std::string_view PickFrom(const std::string_view (&names)[N], Rng& rng) {
  return names[rng.Below(N)];
}

template <typename T>
void Shuffle(std::vector<T>& items, Rng& rng) {
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng.Below(i)]);
}

bool SpeaksHindiMostly(std::string_view state) {
  return std::find(std::begin(kHindiStates), std::end(kHindiStates), state) !=
         std::end(kHindiStates);
}

// Rupees and paise, within what the API accepts; whole rupees when `whole`.
double Money(double amount, bool whole) {
  const double clamped = std::clamp(amount, 1.0, kMaxAmount);
  return whole ? std::round(clamped) : std::round(clamped * 100) / 100;
}

// `amount`, or a sum somewhat above `floor` when it is below (not the floor
// itself: a column of equal round sums would look made up).
double AtLeast(double floor, double amount, Rng& rng) {
  return amount >= floor ? amount : floor * rng.Uniform(1.0, 1.8);
}

std::string CityName(int city) { return std::string(Cities()[city].name); }

// A city in another region (the first pincode digit differs) than `home`.
int FarCity(int home, Rng& rng) {
  const int region = Cities()[home].pincode_prefix / 100;
  for (;;) {
    const int city = PickCity(rng);
    if (Cities()[city].pincode_prefix / 100 != region) return city;
  }
}

void PlanAccounts(const SeedOptions& options, Timestamp now, SeedPlan* plan,
                  std::vector<Habits>* habits) {
  Rng rng(options.seed, kAccountStream);
  Rng habit_rng(options.seed, kHabitStream);
  const auto n = static_cast<size_t>(options.accounts);
  std::string name;
  for (size_t i = 0; i < n; ++i) {
    Habits h;
    h.city = PickCity(rng);
    const City& city = Cities()[h.city];
    PickName(city, rng, &name);
    AccountRecord a;
    a.user_id = fmt::format("user_{:03d}", i + 1);
    a.name = name;
    a.phone = fmt::format("+9100000{:05d}", i + 1);
    a.language = rng.Chance(SpeaksHindiMostly(city.state) ? 0.6 : 0.1) ? "hi" : "en";
    a.created_at = a.updated_at = now;
    plan->accounts.push_back(std::move(a));

    std::vector<size_t> merchants(std::size(kMerchants));
    std::iota(merchants.begin(), merchants.end(), 0);
    Shuffle(merchants, habit_rng);
    merchants.resize(habit_rng.Between(3, 5));
    h.merchants = std::move(merchants);
    h.usual_amount = std::clamp(habit_rng.LogNormal(800, 0.7), 150.0, 15'000.0);
    h.activity = habit_rng.LogNormal(1, 0.5);
    habits->push_back(std::move(h));
  }
  // One or two blocked accounts and one opted out of SMS, never user_001.
  std::vector<size_t> others(n > 0 ? n - 1 : 0);
  std::iota(others.begin(), others.end(), 1);
  Shuffle(others, rng);
  const size_t blocked = n >= 10 ? 2 : n >= 4 ? 1 : 0;
  const size_t opted_out = n >= 3 ? 1 : 0;
  for (size_t k = 0; k < blocked; ++k) plan->accounts[others[k]].status = "blocked";
  for (size_t k = blocked; k < blocked + opted_out; ++k) {
    plan->accounts[others[k]].sms_opt_out = true;
  }
  const bool any_hindi = std::any_of(plan->accounts.begin(), plan->accounts.end(),
                                     [](const AccountRecord& a) { return a.language == "hi"; });
  if (n >= 2 && !any_hindi) plan->accounts[1].language = "hi";
}

int64_t FraudCount(const SeedOptions& options) {
  if (options.fraud_share <= 0 || options.transactions == 0) return 0;
  const auto count = static_cast<int64_t>(std::llround(options.fraud_share * options.transactions));
  return std::clamp<int64_t>(count, 1, options.transactions);
}

// Fraud-like payments, `count` of them, in the later part of the window, on
// accounts that can be texted (active and not opted out) when there are any.
void PlanFraud(const SeedOptions& options, const SeedPlan& plan, const std::vector<Habits>& habits,
               int64_t span, int64_t count, std::vector<Draft>* drafts) {
  Rng rng(options.seed, kFraudStream);
  std::vector<size_t> victims;
  for (size_t i = 0; i < plan.accounts.size(); ++i) {
    const AccountRecord& a = plan.accounts[i];
    if (a.status == "active" && !a.sms_opt_out) victims.push_back(i);
  }
  if (victims.empty()) {
    victims.resize(plan.accounts.size());
    std::iota(victims.begin(), victims.end(), 0);
  }
  constexpr double kPatternWeights[] = {0.4, 0.35, 0.25};
  for (int64_t remaining = count; remaining > 0;) {
    const size_t victim = victims[rng.Below(victims.size())];
    const Habits& h = habits[victim];
    auto pattern = static_cast<FraudPattern>(1 + rng.Pick(kPatternWeights));
    if (pattern == FraudPattern::kCardTesting && remaining < 2) {
      pattern = FraudPattern::kLargeAmount;  // a burst needs two payments at least
    }
    const int64_t start = rng.Between(600, span * 6 / 10);
    Draft d{.offset = start, .account = victim, .pattern = pattern};
    switch (pattern) {
      case FraudPattern::kLargeAmount:
        d.amount = Money(AtLeast(25'000, h.usual_amount * rng.Uniform(12, 40), rng), true);
        d.merchant = PickFrom(kRiskyMerchants, rng);
        d.location = CityName(h.city);
        drafts->push_back(d);
        --remaining;
        break;
      case FraudPattern::kNewLocation:
        d.amount = Money(AtLeast(10'000, h.usual_amount * rng.Uniform(5, 15), rng), true);
        d.merchant = PickFrom(kRiskyMerchants, rng);
        d.location =
            rng.Chance(0.5) ? std::string(PickFrom(kFarAway, rng)) : CityName(FarCity(h.city, rng));
        drafts->push_back(d);
        --remaining;
        break;
      case FraudPattern::kCardTesting: {
        const int64_t size = std::min<int64_t>(remaining, rng.Between(3, 5));
        d.location = PickFrom(kFarAway, rng);
        for (int64_t k = 0; k < size; ++k) {
          d.merchant = PickFrom(kRiskyMerchants, rng);
          d.amount = k + 1 < size
                         ? Money(static_cast<double>(rng.Between(1, 99)), true)
                         : Money(AtLeast(15'000, h.usual_amount * rng.Uniform(8, 25), rng), true);
          drafts->push_back(d);
          d.offset -= rng.Between(10, 60);
        }
        remaining -= size;
        break;
      }
      case FraudPattern::kNone:
        break;
    }
  }
}

void PlanOrdinary(const SeedOptions& options, const std::vector<Habits>& habits, int64_t span,
                  int64_t count, std::vector<Draft>* drafts) {
  Rng rng(options.seed, kPaymentStream);
  std::vector<double> activity;
  for (const Habits& h : habits) activity.push_back(h.activity);
  for (int64_t k = 0; k < count; ++k) {
    Draft d;
    d.account = rng.Pick(activity);
    const Habits& h = habits[d.account];
    d.offset = static_cast<int64_t>(rng.Below(static_cast<uint64_t>(span)));
    d.amount = Money(rng.LogNormal(h.usual_amount, 0.45), rng.Chance(0.6));
    d.merchant = kMerchants[h.merchants[rng.Below(h.merchants.size())]];
    d.location = CityName(rng.Chance(0.95) ? h.city : PickCity(rng));
    drafts->push_back(std::move(d));
  }
}

// Ids that change with every option that changes the payments, so a rerun
// with other options adds payments instead of colliding with the old ones.
uint64_t OptionsDigest(const SeedOptions& options) {
  uint64_t state = options.seed;
  uint64_t digest = SplitMix64(state);
  for (uint64_t part :
       {static_cast<uint64_t>(options.accounts), static_cast<uint64_t>(options.transactions),
        std::bit_cast<uint64_t>(options.fraud_share)}) {
    state ^= part;
    digest ^= SplitMix64(state);
  }
  return digest & 0xffffffffu;
}

}  // namespace

std::string_view FraudPatternName(FraudPattern pattern) {
  switch (pattern) {
    case FraudPattern::kNone:
      return "none";
    case FraudPattern::kLargeAmount:
      return "large_amount";
    case FraudPattern::kCardTesting:
      return "card_testing";
    case FraudPattern::kNewLocation:
      return "new_location";
  }
  return "none";
}

Status ValidateSeedOptions(const SeedOptions& options) {
  if (options.accounts < 1 || options.accounts > kMaxSeedAccounts) {
    return absl::InvalidArgumentError(
        fmt::format("--accounts {}: want 1 to {}", options.accounts, kMaxSeedAccounts));
  }
  if (options.transactions < 0 || options.transactions > kMaxSeedTransactions) {
    return absl::InvalidArgumentError(
        fmt::format("--transactions {}: want 0 to {}", options.transactions, kMaxSeedTransactions));
  }
  if (!(options.fraud_share >= 0 && options.fraud_share <= 1)) {
    return absl::InvalidArgumentError(fmt::format(
        "--fraud-share {}: want a share from 0 to 1, such as 0.05", options.fraud_share));
  }
  return absl::OkStatus();
}

StatusOr<SeedPlan> PlanSeed(const SeedOptions& options, Timestamp now) {
  RETURN_IF_ERROR(ValidateSeedOptions(options));
  SeedPlan plan;
  std::vector<Habits> habits;
  PlanAccounts(options, now, &plan, &habits);

  // Hours for a demo; longer for many payments, so every second has at most one.
  const int64_t span = std::max(kMinSpanSeconds, 2 * options.transactions);
  const int64_t fraud = FraudCount(options);
  std::vector<Draft> drafts;
  drafts.reserve(static_cast<size_t>(options.transactions));
  PlanFraud(options, plan, habits, span, fraud, &drafts);
  PlanOrdinary(options, habits, span, options.transactions - fraud, &drafts);
  std::stable_sort(drafts.begin(), drafts.end(),
                   [](const Draft& a, const Draft& b) { return a.offset > b.offset; });

  std::vector<Timestamp> times;
  for (const Draft& d : drafts) {
    Timestamp t = now - d.offset;
    if (!times.empty() && t <= times.back()) t = times.back() + 1;
    times.push_back(t);
  }
  const Timestamp overshoot = times.empty() ? 0 : std::max<Timestamp>(0, times.back() - now);
  const uint64_t digest = OptionsDigest(options);
  for (size_t i = 0; i < drafts.size(); ++i) {
    Draft& d = drafts[i];
    SeedTransaction t;
    t.record.transaction_id = fmt::format("txn_s{}_{:08x}_{:05d}", options.seed, digest, i + 1);
    t.record.user_id = plan.accounts[d.account].user_id;
    t.record.amount = d.amount;
    t.record.merchant = std::move(d.merchant);
    t.record.location = std::move(d.location);
    t.record.created_at = times[i] - overshoot;
    t.pattern = d.pattern;
    if (t.fraud_like()) ++plan.fraud_like;
    plan.transactions.push_back(std::move(t));
  }
  return plan;
}

}  // namespace vigil
