#include "generate/order_simulator.h"

#include <algorithm>
#include <cmath>
#include <span>
#include <string_view>

#include "generate/india_geography.h"

namespace vigil {
namespace {

constexpr int64_t kCodLimitPaise = 50'000 * 100;
constexpr int64_t kEmiMinimumPaise = 10'000 * 100;
constexpr double kLastReturnDay = 29.9;  // the return window is 30 days from delivery

constexpr std::string_view kSizeReasons[] = {
    "Size too small", "Size too large", "Fit not as expected, too tight",
    "Fit not as expected, too loose", "Did not like the fit"};
constexpr std::string_view kDefectReasons[] = {"Damaged product",
                                               "Defective product",
                                               "Product not working",
                                               "Damaged product, box was torn",
                                               "Missing parts or accessories",
                                               "Item missing from the package"};
constexpr std::string_view kMindReasons[] = {"Changed my mind",
                                             "Not as described",
                                             "Quality not as expected",
                                             "Colour different from the picture, not as shown",
                                             "Found a better price elsewhere",
                                             "No longer needed",
                                             "Wrong item received"};
constexpr std::string_view kBracketReasons[] = {
    "Size too small", "Size too large", "Ordered multiple sizes, keeping the one that fits"};
// Abusers borrow the honest reasons; only some of theirs are their own.
constexpr std::string_view kWardrobeReasons[] = {"Did not like the fit", "Changed my mind",
                                                 "Quality not as expected", "Size too large",
                                                 "Colour different from the picture, not as shown"};
constexpr std::string_view kEmptyBoxReasons[] = {
    "Received empty box", "Item missing from the package", "Wrong item received",
    "Product not working", "Damaged product"};
constexpr std::string_view kSerialReasons[] = {
    "Changed my mind",  "No longer needed",        "Found a better price elsewhere",
    "Not as described", "Quality not as expected", "Did not like the fit"};

// Odds of pass, fail, empty, used, mismatch.
using QcOdds = double[5];
constexpr QcOdds kGenuineQc = {0.88, 0.08, 0.005, 0.025, 0.01};
constexpr QcOdds kBracketQc = {0.95, 0.05, 0.0, 0.0, 0.0};
constexpr QcOdds kWardrobeQc = {0.33, 0.07, 0.0, 0.60, 0.0};
constexpr QcOdds kEmptyBoxQc = {0.14, 0.08, 0.45, 0.0, 0.33};
constexpr QcOdds kSerialQc = {0.55, 0.25, 0.0, 0.20, 0.0};

constexpr double kClothingSizeOdds[] = {0.05, 0.20, 0.30, 0.25, 0.15, 0.05};
constexpr double kShoeSizeOdds[] = {0.05, 0.12, 0.22, 0.25, 0.20, 0.11, 0.05};

// COD parcels honest customers still fail to take (not home, no cash,
// changed their mind at the door), by city tier.
constexpr double kHonestCodRto[] = {0.0, 0.026, 0.04, 0.06};
constexpr double kPrepaidRto = 0.008;

double CategoryTaste(Behaviour b, Category c) {
  switch (b) {
    case Behaviour::kBracketer:
      return c == Category::kFashion      ? 2.5
             : c == Category::kFootwear   ? 2.0
             : c == Category::kEthnicWear ? 1.5
                                          : 1.0;
    case Behaviour::kWardrober:
      return c == Category::kEthnicWear    ? 2.0
             : c == Category::kFashion     ? 1.5
             : c == Category::kElectronics ? 1.3
                                           : 1.0;
    case Behaviour::kEmptyBoxFraud:
      return c == Category::kMobiles || c == Category::kElectronics ? 2.0 : 1.0;
    case Behaviour::kRing:
      return c == Category::kMobiles ? 3.0 : c == Category::kElectronics ? 2.0 : 1.0;
    case Behaviour::kLoyal:
      return c == Category::kGrocery                           ? 2.0
             : c == Category::kBooks || c == Category::kBeauty ? 1.5
                                                               : 1.0;
    case Behaviour::kSerialReturner:
      return c == Category::kFashion                                  ? 2.5
             : c == Category::kFootwear || c == Category::kEthnicWear ? 2.0
             : c == Category::kGrocery                                ? 0.3
                                                                      : 1.0;
    default:
      return 1.0;
  }
}

// Cash-on-delivery impulse buys are refused more often than planned ones.
double ImpulseFactor(Category c) {
  switch (c) {
    case Category::kFashion:
    case Category::kEthnicWear:
    case Category::kFootwear:
      return 1.3;
    case Category::kGrocery:
    case Category::kBooks:
      return 0.6;
    default:
      return 1.0;
  }
}

// How often, relative to an ordinary customer, someone returns for genuine reasons.
double GenuineReturnFactor(Behaviour b) {
  switch (b) {
    case Behaviour::kLoyal:
      return 0.35;
    case Behaviour::kBracketer:
      return 1.2;
    case Behaviour::kRing:
      return 0.5;
    default:
      return 1.0;
  }
}

int Quantity(Category c, Rng& rng) {
  switch (c) {
    case Category::kGrocery:
    case Category::kBeauty:
      return rng.Chance(0.3) ? static_cast<int>(rng.Between(2, 3)) : 1;
    case Category::kBooks:
    case Category::kFashion:
      return rng.Chance(0.06) ? 2 : 1;
    default:
      return 1;
  }
}

Timestamp IstMidnight(Timestamp t) {
  const int64_t local = t + kIstOffsetSeconds;
  return t - (local % kSecondsPerDay + kSecondsPerDay) % kSecondsPerDay;
}

// Some delivery areas are hard to serve (remote, poor addresses): a fixed
// factor per pincode, log-normal with mean 1.
double PincodeRtoFactor(uint32_t pincode, uint64_t salt) {
  Rng rng(pincode ^ salt, 0x9172);
  return std::exp(0.6 * rng.Normal() - 0.18);
}

// The customer's own size, the same on every order.
int UsualSize(uint32_t customer, SizeKind kind, uint64_t salt) {
  Rng rng(customer ^ salt, 0x512e);
  return kind == SizeKind::kShoe ? static_cast<int>(rng.Pick(kShoeSizeOdds))
                                 : static_cast<int>(rng.Pick(kClothingSizeOdds));
}

}  // namespace

OrderSimulator::OrderSimulator(const ProductCatalog& catalog, const CustomerPopulation& population,
                               const DemandCurve& demand, Rng rng)
    : catalog_(catalog),
      population_(population),
      demand_(demand),
      end_(demand.start() + demand.days() * kSecondsPerDay),
      rng_(rng),
      salt_(rng_.Next()) {
  for (int b = 0; b < kBehaviourCount; ++b) {
    for (int c = 0; c < kCategoryCount; ++c) {
      category_weights_[b][c] = InfoOf(static_cast<Category>(c)).order_share *
                                CategoryTaste(static_cast<Behaviour>(b), static_cast<Category>(c));
    }
  }
}

void OrderSimulator::Checkout(uint32_t number, Timestamp at, std::vector<SimulatedOrder>* out) {
  out->clear();
  const Customer& c = population_[number];
  const int day = demand_.DayOf(at);
  const Plan plan = ChoosePlan(c, day);
  const int32_t product_index = ChooseProduct(c, plan);
  const Product& product = catalog_.products()[product_index];

  OrderRecord base;
  base.customer = number;
  base.product = product_index;
  base.seller = product.seller;
  base.ordered_at = at;
  base.quantity = plan == Plan::kNone ? Quantity(product.category, rng_) : 1;
  const int64_t gross = product.price_paise * base.quantity;
  base.discount_paise = Discount(gross, day);
  base.amount_paise = gross - base.discount_paise;
  base.payment = ChoosePayment(c, base.amount_paise);
  base.delivery_pincode =
      c.office_pincode != 0 && rng_.Chance(0.3) ? c.office_pincode : c.home_pincode;
  base.device = c.second_device != 0 && rng_.Chance(0.25) ? c.second_device : c.device;

  AddItems(base, c, plan, InfoOf(product.category).sizes, out);
  Fulfil(c, out);
  ChooseReturns(c, plan, product, out);
}

void OrderSimulator::AddItems(const OrderRecord& base, const Customer& c, Plan plan,
                              SizeKind size_kind, std::vector<SimulatedOrder>* out) {
  const std::span<const std::string_view> labels = SizeLabels(size_kind);
  if (labels.empty()) {
    out->push_back({base, false, {}});
    return;
  }
  // A bracketing checkout: the usual size first (the one kept), then its
  // neighbours. Anyone may occasionally be unsure of a size.
  const double bracket_odds = c.behaviour == Behaviour::kBracketer ? 0.55 : 0.015;
  const int items =
      plan == Plan::kNone && rng_.Chance(bracket_odds) ? (rng_.Chance(0.7) ? 2 : 3) : 1;
  int usual = UsualSize(static_cast<uint32_t>(base.customer), size_kind, salt_);
  if (items == 1 && rng_.Chance(0.15)) usual += rng_.Chance(0.5) ? 1 : -1;
  const int last = static_cast<int>(labels.size()) - 1;
  const int candidates[] = {usual, usual + 1, usual - 1, usual + 2, usual - 2};
  for (int size : candidates) {
    if (static_cast<int>(out->size()) == items) break;
    if (size < 0 || size > last) continue;
    out->push_back({base, false, {}});
    out->back().order.size = labels[size];
  }
}

OrderSimulator::Plan OrderSimulator::ChoosePlan(const Customer& c, int day) {
  switch (c.behaviour) {
    case Behaviour::kWardrober:
      return demand_.occasion_near(day) && rng_.Chance(0.85) ? Plan::kWardrobe : Plan::kNone;
    case Behaviour::kEmptyBoxFraud:
      return rng_.Chance(0.6) ? Plan::kEmptyBox : Plan::kNone;
    case Behaviour::kRing:
      return rng_.Chance(0.3) ? Plan::kEmptyBox : Plan::kNone;
    case Behaviour::kSerialReturner:
      return Plan::kSerialReturn;
    default:
      return Plan::kNone;
  }
}

int32_t OrderSimulator::ChooseProduct(const Customer& c, Plan plan) {
  if (plan == Plan::kWardrobe) {
    static constexpr double kOdds[] = {0.52, 0.40, 0.08};
    static constexpr Category kOccasion[] = {Category::kEthnicWear, Category::kFashion,
                                             Category::kElectronics};
    return catalog_.PickPricey(kOccasion[rng_.Pick(kOdds)], rng_);
  }
  if (plan == Plan::kEmptyBox) {
    return catalog_.PickPricey(rng_.Chance(0.55) ? Category::kMobiles : Category::kElectronics,
                               rng_);
  }
  double weights[kCategoryCount];
  std::copy(std::begin(category_weights_[static_cast<int>(c.behaviour)]),
            std::end(category_weights_[static_cast<int>(c.behaviour)]), weights);
  weights[static_cast<int>(c.favourite)] *= 2.5;
  return catalog_.Pick(static_cast<Category>(rng_.Pick(weights)), rng_);
}

PaymentMethod OrderSimulator::ChoosePayment(const Customer& c, int64_t amount_paise) {
  if (amount_paise <= kCodLimitPaise && rng_.Chance(c.cod_share)) return PaymentMethod::kCod;
  if (amount_paise >= kEmiMinimumPaise && rng_.Chance(0.3)) return PaymentMethod::kEmi;
  if (rng_.Chance(0.75)) return c.prepaid_method;
  static constexpr double kOdds[] = {0.55, 0.2, 0.1, 0.15};
  static constexpr PaymentMethod kMethods[] = {PaymentMethod::kUpi, PaymentMethod::kCard,
                                               PaymentMethod::kNetbanking, PaymentMethod::kWallet};
  return kMethods[rng_.Pick(kOdds)];
}

int64_t OrderSimulator::Discount(int64_t gross_paise, int day) {
  double share = 0;
  if (demand_.in_sale(day)) {
    share = rng_.Uniform(0.10, 0.40);
  } else if (rng_.Chance(0.4)) {
    share = rng_.Uniform(0.03, 0.12);
  }
  return std::llround(static_cast<double>(gross_paise) * share / 100.0) * 100;
}

double OrderSimulator::RtoChance(const Customer& c, const OrderRecord& o) const {
  const bool refuses = c.refusal_rate > 0;
  if (o.payment != PaymentMethod::kCod) return refuses ? 3 * kPrepaidRto : kPrepaidRto;
  if (refuses) return c.refusal_rate;
  // Honest parcels go back most with new accounts, impulse buys (fashion,
  // late at night, dearer items) and hard-to-serve addresses.
  double p = kHonestCodRto[Cities()[c.city].tier] * c.missed_cod_factor *
             PincodeRtoFactor(o.delivery_pincode, salt_);
  if (o.ordered_at - c.registered_at < 30 * kSecondsPerDay) p *= 2.0;
  if (o.amount_paise > 3000 * 100) p *= 1.5;
  if (LocalHour(o.ordered_at) < 5) p *= 1.6;
  p *= ImpulseFactor(catalog_.products()[o.product].category);
  return std::min(p, 0.6);
}

void OrderSimulator::Fulfil(const Customer& c, std::vector<SimulatedOrder>* orders) {
  const OrderRecord& first = orders->front().order;
  DeliveryStatus status = DeliveryStatus::kCancelled;
  Timestamp outcome = 0;
  if (!rng_.Chance(c.behaviour == Behaviour::kCodRefuser ? 0.06 : 0.03)) {
    const int tier = Cities()[c.city].tier;
    const int64_t days = tier == 1   ? rng_.Between(1, 3)
                         : tier == 2 ? rng_.Between(2, 5)
                                     : rng_.Between(3, 7);
    const Timestamp attempt = IstMidnight(first.ordered_at) + days * kSecondsPerDay +
                              9 * kSecondsPerHour +
                              static_cast<int64_t>(rng_.Below(11 * kSecondsPerHour));
    if (rng_.Chance(RtoChance(c, first))) {
      // Refused at the door, or given up after failed attempts.
      status = DeliveryStatus::kRto;
      outcome = attempt + (rng_.Chance(0.5) ? 0 : rng_.Between(1, 3) * kSecondsPerDay);
    } else {
      status = DeliveryStatus::kDelivered;
      outcome = attempt;
    }
    if (outcome >= end_) {
      status = DeliveryStatus::kPending;
      outcome = 0;
    }
  }
  for (SimulatedOrder& o : *orders) {
    o.order.status = status;
    o.order.outcome_at = outcome;
  }
}

void OrderSimulator::ChooseReturns(const Customer& c, Plan plan, const Product& product,
                                   std::vector<SimulatedOrder>* orders) {
  if (orders->front().order.status != DeliveryStatus::kDelivered) return;
  for (size_t i = 1; i < orders->size(); ++i) {
    PlanReturn(&(*orders)[i], rng_.Uniform(1.0, 6.0), kBracketReasons, kBracketQc, false);
  }
  SimulatedOrder& kept = orders->front();
  if (plan == Plan::kWardrobe && rng_.Chance(0.9)) {
    // After the occasion, mostly near the end of the window.
    const double offset =
        rng_.Chance(0.75) ? rng_.Uniform(21.0, kLastReturnDay) : rng_.Uniform(10.0, 21.0);
    return PlanReturn(&kept, offset, kWardrobeReasons, kWardrobeQc, true);
  }
  if (plan == Plan::kEmptyBox && rng_.Chance(0.8)) {
    // Within hours or a day or two of delivery, while the story is fresh.
    const double offset = rng_.Chance(0.8) ? rng_.Uniform(0.04, 2.2) : rng_.Uniform(2.2, 6.0);
    return PlanReturn(&kept, offset, kEmptyBoxReasons, kEmptyBoxQc, true);
  }
  // Serial returners send back what is easy to send back: clothes and
  // shoes far more than groceries.
  const double returnable = std::min(1.0, InfoOf(product.category).return_rate / 0.12);
  if (plan == Plan::kSerialReturn && rng_.Chance(0.9 * returnable)) {
    return PlanReturn(&kept, rng_.Uniform(1.0, 15.0), kSerialReasons, kSerialQc, true);
  }
  GenuineReturn(c, product, &kept);
}

void OrderSimulator::GenuineReturn(const Customer& c, const Product& product, SimulatedOrder* o) {
  const CategoryInfo& info = InfoOf(product.category);
  const bool poor = catalog_.poor_seller(product.seller);
  const double rate = info.return_rate * GenuineReturnFactor(c.behaviour) * (poor ? 1.8 : 1.0);
  if (!rng_.Chance(rate)) return;
  if (rng_.Chance(std::min(1.0, info.defect_share * (poor ? 1.4 : 1.0)))) {
    return PlanReturn(o, 0.1 + rng_.Exponential(1.5), kDefectReasons, kGenuineQc, false);
  }
  // Most people decide within days; some take their time.
  const double offset =
      rng_.Chance(0.12) ? rng_.Uniform(5.0, kLastReturnDay) : 0.3 + rng_.Exponential(4.0);
  if (info.sizes != SizeKind::kNone && rng_.Chance(0.6)) {
    return PlanReturn(o, offset, kSizeReasons, kGenuineQc, false);
  }
  PlanReturn(o, offset, kMindReasons, kGenuineQc, false);
}

void OrderSimulator::PlanReturn(SimulatedOrder* o, double offset_days,
                                std::span<const std::string_view> reasons, const double* qc_odds,
                                bool abuse) {
  const Timestamp requested =
      o->order.outcome_at + kSecondsPerMinute +
      static_cast<int64_t>(std::min(offset_days, kLastReturnDay) * kSecondsPerDay);
  if (requested >= end_) return;  // not asked for yet when the period ends
  o->returned = true;
  ReturnRecord& r = o->ret;
  r.requested_at = requested;
  r.reason = reasons[rng_.Below(reasons.size())];
  r.refund_paise = o->order.amount_paise;
  r.abuse = abuse;
  // Pickup, then the QC desk.
  r.qc_at = requested + rng_.Between(1, 4) * kSecondsPerDay +
            static_cast<int64_t>(rng_.Below(10 * kSecondsPerHour));
  r.qc = QcResult::kNone;
  static constexpr QcResult kResults[] = {QcResult::kPass, QcResult::kFail, QcResult::kEmpty,
                                          QcResult::kUsed, QcResult::kMismatch};
  const QcResult result = kResults[rng_.Pick(std::span<const double>(qc_odds, 5))];
  if (r.qc_at < end_) {
    r.qc = result;
  } else {
    r.qc_at = 0;
  }
}

}  // namespace vigil
