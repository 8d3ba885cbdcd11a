#include "features/feature_engine.h"

#include <cmath>
#include <set>

#include "fmt/format.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

const Timestamp kT0 = ParseTimestamp("2025-09-01T12:00:00+05:30").value();

float Get(const std::vector<float>& v, DecisionKind kind, std::string_view name) {
  const int i = FeatureIndex(kind, name);
  EXPECT_GE(i, 0) << name;
  return i < 0 ? NAN : v[i];
}

class FeatureEngineTest : public ::testing::Test {
 protected:
  uint32_t Id(Entity e, const std::string& name) { return engine_.catalog().Intern(e, name); }

  void Customer(const std::string& id, Timestamp registered, const std::string& pincode = "") {
    Event e{.at = kBeginningOfTime, .type = EventType::kCustomerUpserted};
    e.customer = Id(Entity::kCustomer, id);
    e.registered_at = registered;
    e.pincode = Id(Entity::kPincode, pincode);
    engine_.Apply(e);
  }
  void Product(const std::string& id, const std::string& category) {
    Event e{.at = kBeginningOfTime, .type = EventType::kProductUpserted};
    e.product = Id(Entity::kProduct, id);
    e.category = Id(Entity::kCategory, category);
    e.amount = 1000;
    engine_.Apply(e);
  }
  Event OrderEvent(const std::string& order, const std::string& customer, Timestamp at,
                   PaymentMethod payment = PaymentMethod::kUpi, const std::string& product = "P1",
                   const std::string& device = "", const std::string& size = "",
                   const std::string& pincode = "110001") {
    Event e{.at = at, .type = EventType::kOrderPlaced, .payment = payment};
    e.order = Id(Entity::kOrder, order);
    e.customer = Id(Entity::kCustomer, customer);
    e.product = Id(Entity::kProduct, product);
    e.device = Id(Entity::kDevice, device);
    e.size = Id(Entity::kSize, size);
    e.pincode = Id(Entity::kPincode, pincode);
    e.amount = 1000;
    return e;
  }
  std::vector<float> Place(const Event& e) {
    std::vector<float> features;
    EXPECT_EQ(engine_.Process(e, &features), DecisionKind::kOrder);
    return features;
  }
  void Outcome(const std::string& order, EventType type, Timestamp at) {
    Event e{.at = at, .type = type};
    e.order = Id(Entity::kOrder, order);
    engine_.Apply(e);
  }
  Event ReturnEvent(const std::string& ret, const std::string& order, Timestamp at) {
    Event e{.at = at, .type = EventType::kReturnRequested, .reason = ReturnReason::kSizeFit};
    e.ret = Id(Entity::kReturn, ret);
    e.order = Id(Entity::kOrder, order);
    e.amount = 1000;
    return e;
  }
  std::vector<float> Return(const Event& e) {
    std::vector<float> features;
    EXPECT_EQ(engine_.Process(e, &features), DecisionKind::kReturn);
    return features;
  }
  void Qc(const std::string& ret, QcResult qc, Timestamp at) {
    Event e{.at = at, .type = EventType::kReturnQcCompleted, .qc = qc};
    e.ret = Id(Entity::kReturn, ret);
    engine_.Apply(e);
  }
  void Label(const std::string& ret, bool abuse, Timestamp at) {
    Event e{.at = at, .type = EventType::kLabel, .label = abuse};
    e.ret = Id(Entity::kReturn, ret);
    engine_.Apply(e);
  }
  std::vector<float> Peek(const Event& e) {
    std::vector<float> features(kOrderVectorSize);
    engine_.OrderFeatures(e, features);
    return features;
  }

  FeatureEngine engine_;
  static constexpr DecisionKind O = DecisionKind::kOrder;
  static constexpr DecisionKind R = DecisionKind::kReturn;
};

TEST_F(FeatureEngineTest, OrderVectorIsBuiltBeforeItsOwnEventIsApplied) {
  Customer("C1", kT0 - 400 * kDay);
  const auto first = Place(OrderEvent("O1", "C1", kT0));
  EXPECT_EQ(Get(first, O, "customer_lifetime_orders"), 0);
  EXPECT_TRUE(std::isnan(Get(first, O, "customer_avg_order_amount")));
  EXPECT_FLOAT_EQ(Get(first, O, "customer_account_age_days"), 400);
  const auto second = Place(OrderEvent("O2", "C1", kT0 + kDay));
  EXPECT_EQ(Get(second, O, "customer_lifetime_orders"), 1);
  EXPECT_FLOAT_EQ(Get(second, O, "customer_days_since_last_order"), 1);
  EXPECT_FLOAT_EQ(Get(second, O, "customer_avg_order_amount"), 1000);
}

TEST_F(FeatureEngineTest, CountsOrdersInSlidingWindows) {
  for (int days_ago : {100, 60, 20, 8, 3}) {
    Place(OrderEvent(fmt::format("O{}", days_ago), "C1", kT0 - days_ago * kDay));
  }
  const auto v = Place(OrderEvent("Onow", "C1", kT0));
  EXPECT_EQ(Get(v, O, "customer_orders_7d"), 1);
  EXPECT_EQ(Get(v, O, "customer_orders_30d"), 3);
  EXPECT_EQ(Get(v, O, "customer_orders_90d"), 4);
  EXPECT_EQ(Get(v, O, "customer_lifetime_orders"), 5);
  // Exactly 7 days ago is outside the 7-day window: (t - 7d, t].
  const auto edge = Peek(OrderEvent("Olater", "C1", kT0 - 3 * kDay + 7 * kDay));
  EXPECT_EQ(Get(edge, O, "customer_orders_7d"), 1);  // only Onow
}

TEST_F(FeatureEngineTest, ReturnRatesCountOnlyReturnsAlreadyRequested) {
  for (int i = 0; i < 6; ++i) {
    const std::string id = fmt::format("O{}", i);
    Place(OrderEvent(id, "C1", kT0 + i * kDay));
    Outcome(id, EventType::kOrderDelivered, kT0 + i * kDay + 2 * kDay);
  }
  for (int i = 0; i < 4; ++i) {
    Return(ReturnEvent(fmt::format("R{}", i), fmt::format("O{}", i), kT0 + 10 * kDay + i));
  }
  const auto v = Peek(OrderEvent("Onext", "C1", kT0 + 11 * kDay));
  EXPECT_EQ(Get(v, O, "customer_recent_orders_returned"), 4);
  EXPECT_EQ(Get(v, O, "customer_recent_orders_counted"), 6);
  EXPECT_FLOAT_EQ(Get(v, O, "customer_return_rate_90d"), 4.0f / 6);
  EXPECT_FLOAT_EQ(Get(v, O, "customer_lifetime_return_rate"), 4.0f / 6);
  EXPECT_EQ(Get(v, O, "customer_returns_7d"), 4);
}

TEST_F(FeatureEngineTest, LaterLabelIsInvisibleToEarlierRows) {
  Place(OrderEvent("O1", "C1", kT0));
  Outcome("O1", EventType::kOrderDelivered, kT0 + 2 * kDay);
  Return(ReturnEvent("R1", "O1", kT0 + 3 * kDay));
  // Between the request and the QC verdict, the abuse is not yet known.
  const auto before = Place(OrderEvent("O2", "C1", kT0 + 5 * kDay));
  EXPECT_EQ(Get(before, O, "customer_confirmed_abuse_count"), 0);
  EXPECT_EQ(Get(before, O, "customer_qc_fail_count"), 0);
  EXPECT_EQ(Get(before, O, "customer_lifetime_returns"), 1);
  Qc("R1", QcResult::kEmpty, kT0 + 7 * kDay);
  Label("R1", true, kT0 + 7 * kDay);
  const auto after = Place(OrderEvent("O3", "C1", kT0 + 8 * kDay));
  EXPECT_EQ(Get(after, O, "customer_confirmed_abuse_count"), 1);
  EXPECT_EQ(Get(after, O, "customer_qc_fail_count"), 1);
  // A reviewer clearing the case takes the abuse back.
  Label("R1", false, kT0 + 9 * kDay);
  EXPECT_EQ(Get(Peek(OrderEvent("O4", "C1", kT0 + 10 * kDay)), O, "customer_confirmed_abuse_count"),
            0);
}

TEST_F(FeatureEngineTest, AnAnalystsVerdictOnAnOrderCountsAsAbuseUntilCleared) {
  Place(OrderEvent("O1", "C1", kT0));
  Outcome("O1", EventType::kOrderRto, kT0 + 5 * kDay);
  auto verdict = [&](bool abuse, Timestamp at) {
    Event e{
        .at = at, .type = EventType::kLabel, .label_target = LabelTarget::kOrder, .label = abuse};
    e.order = Id(Entity::kOrder, "O1");
    engine_.Apply(e);
  };
  auto abuse_count = [&](Timestamp at) {
    return Get(Peek(OrderEvent("Onext", "C1", at)), O, "customer_confirmed_abuse_count");
  };
  EXPECT_EQ(abuse_count(kT0 + 6 * kDay), 0);
  verdict(true, kT0 + 6 * kDay);
  EXPECT_EQ(abuse_count(kT0 + 7 * kDay), 1);
  verdict(true, kT0 + 7 * kDay);  // said twice, counted once
  EXPECT_EQ(abuse_count(kT0 + 8 * kDay), 1);
  verdict(false, kT0 + 8 * kDay);  // cleared on review
  EXPECT_EQ(abuse_count(kT0 + 9 * kDay), 0);
  // A verdict on an order the state never saw changes nothing.
  Event unknown{.at = kT0 + 9 * kDay,
                .type = EventType::kLabel,
                .label_target = LabelTarget::kOrder,
                .label = 1};
  unknown.order = Id(Entity::kOrder, "O-unknown");
  engine_.Apply(unknown);
  EXPECT_EQ(abuse_count(kT0 + 10 * kDay), 0);
}

TEST_F(FeatureEngineTest, TracksRtoAndCashOnDeliveryShare) {
  Place(OrderEvent("O1", "C1", kT0, PaymentMethod::kCod));
  Place(OrderEvent("O2", "C1", kT0 + kDay, PaymentMethod::kCod));
  Place(OrderEvent("O3", "C1", kT0 + 2 * kDay, PaymentMethod::kUpi));
  Outcome("O1", EventType::kOrderRto, kT0 + 5 * kDay);
  Outcome("O2", EventType::kOrderDelivered, kT0 + 5 * kDay);
  Outcome("O3", EventType::kOrderCancelled, kT0 + 5 * kDay);
  Outcome("O1", EventType::kOrderDelivered, kT0 + 6 * kDay);  // the first outcome stands
  const auto v = Peek(OrderEvent("O4", "C1", kT0 + 6 * kDay, PaymentMethod::kCod));
  EXPECT_EQ(Get(v, O, "customer_rto_count"), 1);
  EXPECT_FLOAT_EQ(Get(v, O, "customer_rto_rate"), 0.5f);
  EXPECT_EQ(Get(v, O, "customer_cancel_count"), 1);
  EXPECT_FLOAT_EQ(Get(v, O, "customer_cod_share_90d"), 2.0f / 3);
  EXPECT_EQ(Get(v, O, "order_is_cod"), 1);
  EXPECT_EQ(Get(v, O, "order_payment_method"), 0);
}

TEST_F(FeatureEngineTest, SeesSharedDevicesAndNewPincodes) {
  Customer("C1", kT0 - 10 * kDay, "110001");
  Place(OrderEvent("O1", "C2", kT0, PaymentMethod::kCod, "P1", "D1"));
  Place(OrderEvent("O2", "C3", kT0, PaymentMethod::kCod, "P1", "D1"));
  Outcome("O2", EventType::kOrderRto, kT0 + kDay);
  const auto v =
      Place(OrderEvent("O3", "C1", kT0 + 2 * kDay, PaymentMethod::kCod, "P1", "D1", "", "400001"));
  EXPECT_EQ(Get(v, O, "device_other_customers"), 2);
  EXPECT_EQ(Get(v, O, "device_rto_count"), 1);
  EXPECT_EQ(Get(v, O, "order_new_delivery_pincode"), 1);
  EXPECT_EQ(Get(v, O, "order_away_from_home_pincode"), 1);
  const auto again =
      Peek(OrderEvent("O4", "C1", kT0 + 3 * kDay, PaymentMethod::kCod, "P1", "D9", "", "400001"));
  EXPECT_EQ(Get(again, O, "order_new_delivery_pincode"), 0);
  EXPECT_EQ(Get(again, O, "customer_distinct_devices_90d"), 1);
  EXPECT_EQ(Get(again, O, "device_other_customers"), 0);
}

TEST_F(FeatureEngineTest, ProductAndCategoryRatesShrinkTowardsTheMarketplace) {
  Product("P1", "fashion");
  Product("P2", "fashion");
  Product("P3", "books");
  for (int i = 0; i < 20; ++i) {
    const std::string id = fmt::format("O{}", i);
    Place(OrderEvent(id, fmt::format("C{}", i), kT0, PaymentMethod::kUpi, i < 10 ? "P1" : "P3"));
    Outcome(id, EventType::kOrderDelivered, kT0 + kDay);
    if (i < 5) Return(ReturnEvent(fmt::format("R{}", i), id, kT0 + 2 * kDay));
  }
  const auto v = Peek(OrderEvent("Ox", "Cx", kT0 + 3 * kDay, PaymentMethod::kUpi, "P2"));
  // Marketplace: 5 returns / (20 delivered + 1) as the prior.
  const float prior = 5.0f / 21;
  EXPECT_FLOAT_EQ(Get(v, O, "product_return_rate"), prior);  // P2 has no history
  EXPECT_FLOAT_EQ(Get(v, O, "category_return_rate"), (5 + 10 * prior) / (10 + 10));
  const auto books = Peek(OrderEvent("Oy", "Cy", kT0 + 3 * kDay, PaymentMethod::kUpi, "P3"));
  EXPECT_FLOAT_EQ(Get(books, O, "product_return_rate"), (0 + 10 * prior) / (10 + 10));
}

TEST_F(FeatureEngineTest, DetectsSizeBracketing) {
  Place(OrderEvent("O1", "C1", kT0, PaymentMethod::kUpi, "P1", "", "m"));
  Place(OrderEvent("O2", "C1", kT0 + 60, PaymentMethod::kUpi, "P1", "", "l"));
  const auto v = Place(OrderEvent("O3", "C1", kT0 + 120, PaymentMethod::kUpi, "P1", "", "m"));
  EXPECT_EQ(Get(v, O, "order_same_product_orders_7d"), 2);
  EXPECT_EQ(Get(v, O, "order_same_product_other_sizes_7d"), 1);
  for (const char* id : {"O1", "O2", "O3"}) {
    Outcome(id, EventType::kOrderDelivered, kT0 + 2 * kDay);
  }
  Return(ReturnEvent("R1", "O1", kT0 + 4 * kDay));
  const auto r = Return(ReturnEvent("R2", "O2", kT0 + 4 * kDay + 1));
  EXPECT_EQ(Get(r, R, "return_bracket_orders"), 2);
  EXPECT_EQ(Get(r, R, "return_bracket_kept"), 1);  // O3 kept, O1 returned
}

TEST_F(FeatureEngineTest, ReturnTimingWithinTheWindow) {
  Place(OrderEvent("O1", "C1", kT0));
  Outcome("O1", EventType::kOrderDelivered, kT0 + 3 * kDay);
  const auto r = Return(ReturnEvent("R1", "O1", kT0 + 3 * kDay + 27 * kDay));
  EXPECT_FLOAT_EQ(Get(r, R, "return_days_since_delivery"), 27);
  EXPECT_FLOAT_EQ(Get(r, R, "return_window_position"), 0.9f);
  EXPECT_FLOAT_EQ(Get(r, R, "return_days_since_order"), 30);
  EXPECT_EQ(Get(r, R, "return_reason"), static_cast<float>(ReturnReason::kSizeFit));
  EXPECT_FLOAT_EQ(Get(r, R, "return_refund_share"), 1);
  const auto v = Peek(OrderEvent("O2", "C1", kT0 + 31 * kDay));
  EXPECT_EQ(Get(v, O, "customer_late_return_count"), 1);
  EXPECT_EQ(Get(v, O, "customer_fast_return_count"), 0);
}

TEST_F(FeatureEngineTest, ReturnOfUnknownOrderIsAllMissing) {
  const auto r = Return(ReturnEvent("R1", "nope", kT0));
  for (float x : r) EXPECT_TRUE(std::isnan(x));
}

TEST_F(FeatureEngineTest, FestivalAndClockFeatures) {
  FestivalCalendar calendar;
  calendar.Add({"Diwali", kT0 + 10 * kDay, kT0 + 12 * kDay, false});
  calendar.Add({"Big sale", kT0 - kDay, kT0 + kDay, true});
  engine_.set_calendar(calendar);
  const auto v = Peek(OrderEvent("O1", "C1", kT0));  // 12:00 IST on Monday 1 Sep 2025
  EXPECT_EQ(Get(v, O, "order_in_sale_window"), 1);
  EXPECT_FLOAT_EQ(Get(v, O, "order_days_to_festival"), 10);
  EXPECT_EQ(Get(v, O, "order_hour"), 12);
  EXPECT_EQ(Get(v, O, "order_weekday"), 0);
}

TEST_F(FeatureEngineTest, ReplayedOrderIsIgnored) {
  const Event e = OrderEvent("O1", "C1", kT0);
  Place(e);
  Place(e);
  EXPECT_EQ(engine_.FindCustomer(Id(Entity::kCustomer, "C1"))->orders, 1u);
}

TEST(FeatureRegistry, NamesAreUniqueAndDescribed) {
  for (DecisionKind kind : {DecisionKind::kOrder, DecisionKind::kReturn}) {
    const auto names = FeatureNames(kind);
    std::set<std::string> unique(names.begin(), names.end());
    EXPECT_EQ(unique.size(), names.size());
    for (const FeatureSpec& spec : FeatureSpecs(kind)) {
      EXPECT_FALSE(spec.description.empty()) << spec.name;
      EXPECT_FALSE(spec.unit.empty()) << spec.name;
    }
  }
  EXPECT_EQ(FeatureIndex(DecisionKind::kOrder, "customer_account_age_days"), 0);
  EXPECT_EQ(FeatureIndex(DecisionKind::kOrder, "return_reason"), -1);
}

}  // namespace
}  // namespace vigil
