#include "service/event_json.h"

#include <gtest/gtest.h>

#include "common/field_error.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr Timestamp kNow = 1'790'000'000;

json Order() {
  return {{"order_id", "ORD1"},      {"customer_id", "C1"},
          {"product_id", "P1"},      {"amount", 1299.5},
          {"payment_method", "COD"}, {"delivery_pincode", "560001"},
          {"device_id", "D1"},       {"ordered_at", "2026-10-20T10:30:00+05:30"}};
}

std::string FieldOfError(const StatusOr<RawEvent>& r) {
  EXPECT_FALSE(r.ok());
  return FieldOf(r.status()).value_or("<none>");
}

TEST(DecodeOrder, ReadsEveryOrderColumn) {
  auto e = DecodeOrder(Order(), kNow);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->type, EventType::kOrderPlaced);
  EXPECT_EQ(e->order_id, "ORD1");
  EXPECT_EQ(e->customer_id, "C1");
  EXPECT_EQ(e->payment, PaymentMethod::kCod);
  EXPECT_FLOAT_EQ(e->amount, 1299.5f);
  EXPECT_EQ(e->pincode, "560001");
  EXPECT_EQ(e->at, *ParseTimestamp("2026-10-20T05:00:00Z"));
  EXPECT_FLOAT_EQ(e->quantity, 1.0f);
}

TEST(DecodeOrder, MissingTimeMeansNow) {
  json order = Order();
  order.erase("ordered_at");
  EXPECT_EQ(DecodeOrder(order, kNow)->at, kNow);
}

TEST(DecodeOrder, NamesTheFieldThatIsWrong) {
  json missing = Order();
  missing.erase("customer_id");
  EXPECT_EQ(FieldOfError(DecodeOrder(missing, kNow)), "customer_id");

  json mistyped = Order();
  mistyped["amount"] = "a lot";
  EXPECT_EQ(FieldOfError(DecodeOrder(mistyped, kNow)), "amount");

  json negative = Order();
  negative["amount"] = -5;
  EXPECT_EQ(FieldOfError(DecodeOrder(negative, kNow)), "amount");

  json method = Order();
  method["payment_method"] = "barter";
  EXPECT_EQ(FieldOfError(DecodeOrder(method, kNow)), "payment_method");

  json pincode = Order();
  pincode["delivery_pincode"] = "5600";
  EXPECT_EQ(FieldOfError(DecodeOrder(pincode, kNow)), "delivery_pincode");

  json time = Order();
  time["ordered_at"] = "yesterday";
  EXPECT_EQ(FieldOfError(DecodeOrder(time, kNow)), "ordered_at");

  json id = Order();
  id["order_id"] = 42;
  EXPECT_EQ(FieldOfError(DecodeOrder(id, kNow)), "order_id");
}

TEST(DecodeOrder, AcceptsANumericPincode) {
  json order = Order();
  order["delivery_pincode"] = 110001;
  EXPECT_EQ(DecodeOrder(order, kNow)->pincode, "110001");
}

TEST(DecodeEvent, DefaultsTheEventIdToTypeAndSubject) {
  auto e = DecodeEvent({{"type", "order.rto"}, {"order_id", "ORD9"}}, kNow);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->event_id, "order.rto:ORD9");
  EXPECT_EQ(e->event.at, kNow);
}

TEST(DecodeEvent, UnknownTypeNamesTheTypeField) {
  auto e = DecodeEvent({{"type", "order.teleported"}, {"order_id", "ORD9"}}, kNow);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(FieldOf(e.status()), "type");
}

TEST(DecodeEvent, LabelMustBeZeroOrOne) {
  auto e = DecodeEvent({{"type", "label"}, {"return_id", "R1"}, {"label", 2}}, kNow);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(FieldOf(e.status()), "label");
}

TEST(EncodeEvent, RoundTripsEveryType) {
  std::vector<json> events = {
      {{"type", "customer.upserted"},
       {"customer_id", "C1"},
       {"registered_at", "2024-01-02"},
       {"pincode", "400001"}},
      {{"type", "product.upserted"},
       {"product_id", "P1"},
       {"category", "Fashion"},
       {"price", 999},
       {"seller_id", "S1"}},
      Order(),
      {{"type", "order.delivered"}, {"order_id", "ORD1"}, {"at", "2026-10-22T10:00:00Z"}},
      {{"type", "return.requested"},
       {"return_id", "R1"},
       {"order_id", "ORD1"},
       {"reason", "Size too small"},
       {"refund_amount", 999}},
      {{"type", "return.qc_completed"}, {"return_id", "R1"}, {"qc_result", "empty"}},
      {{"type", "label"}, {"target", "return"}, {"return_id", "R1"}, {"label", 1}},
  };
  events[2]["type"] = "order.placed";
  events[2]["event_id"] = "custom-id";
  for (const json& original : events) {
    auto first = DecodeEvent(original, kNow);
    ASSERT_TRUE(first.ok()) << original.dump() << ": " << first.status();
    const std::string encoded = EncodeEvent(first->event_id, first->event);
    auto second = DecodeEvent(json::parse(encoded), kNow + 100);
    ASSERT_TRUE(second.ok()) << encoded << ": " << second.status();
    EXPECT_EQ(EncodeEvent(second->event_id, second->event), encoded);
    EXPECT_EQ(second->event.at, first->event.at) << encoded;
    EXPECT_EQ(second->event.reason, first->event.reason) << encoded;
  }
}

}  // namespace
}  // namespace vigil
