#include "data/event.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(Event, NamesRoundTrip) {
  for (auto type : {EventType::kOrderPlaced, EventType::kReturnQcCompleted, EventType::kLabel}) {
    EXPECT_EQ(ParseEventType(EventTypeName(type)), type);
  }
  EXPECT_EQ(EventTypeName(EventType::kOrderRto), "order.rto");
  EXPECT_FALSE(ParseEventType("order.exploded").has_value());
  EXPECT_EQ(ParsePaymentMethod("netbanking"), PaymentMethod::kNetbanking);
  EXPECT_FALSE(ParsePaymentMethod("bitcoin").has_value());
  EXPECT_EQ(ParseQcResult(""), QcResult::kNone);
  EXPECT_TRUE(QcFailed(QcResult::kEmpty));
  EXPECT_FALSE(QcFailed(QcResult::kPass));
}

TEST(Event, ClassifiesFreeTextReturnReasons) {
  EXPECT_EQ(ClassifyReturnReason("Size too small"), ReturnReason::kSizeFit);
  EXPECT_EQ(ClassifyReturnReason("Product DAMAGED in transit"), ReturnReason::kDefective);
  EXPECT_EQ(ClassifyReturnReason("Received a different item"), ReturnReason::kWrongItem);
  EXPECT_EQ(ClassifyReturnReason("Not as described, colour differs"),
            ReturnReason::kNotAsDescribed);
  EXPECT_EQ(ClassifyReturnReason("Changed my mind"), ReturnReason::kChangedMind);
  EXPECT_EQ(ClassifyReturnReason("???"), ReturnReason::kOther);
}

}  // namespace
}  // namespace vigil
