#include "data/event_history.h"

#include "gtest/gtest.h"

namespace vigil {
namespace {

class EventHistoryTest : public ::testing::Test {
 protected:
  uint32_t Order(Timestamp at, uint32_t order) {
    events_.push_back({.at = at, .type = EventType::kOrderPlaced, .customer = 0, .order = order});
    return order;
  }
  void Outcome(Timestamp at, EventType type, uint32_t order) {
    events_.push_back({.at = at, .type = type, .order = order});
  }
  void Return(Timestamp at, uint32_t ret, uint32_t order) {
    events_.push_back({.at = at, .type = EventType::kReturnRequested, .order = order, .ret = ret});
  }
  void Label(Timestamp at, LabelTarget target, uint32_t id, uint8_t label) {
    Event e{.at = at, .type = EventType::kLabel, .label_target = target, .label = label};
    (target == LabelTarget::kOrder ? e.order : e.ret) = id;
    events_.push_back(e);
  }
  DataLake Build(Timestamp settle_horizon = 0) {
    LoadOptions options;
    options.settle_horizon = settle_horizon;
    return DataLakeFromEvents(events_, FestivalCalendar(), options);
  }

  std::vector<Event> events_;
};

TEST_F(EventHistoryTest, LabelsOrdersFromTheirOutcomesAndTheirReturnsLabels) {
  Order(0, 0);  // delivered: negative
  Outcome(3 * kDay, EventType::kOrderDelivered, 0);
  Order(kDay, 1);  // refused at the door: positive
  Outcome(5 * kDay, EventType::kOrderRto, 1);
  Order(2 * kDay, 2);  // delivered, then returned abusively: positive
  Outcome(4 * kDay, EventType::kOrderDelivered, 2);
  Return(6 * kDay, 0, 2);
  Label(9 * kDay, LabelTarget::kReturn, 0, 1);
  Order(2 * kDay, 3);  // delivered, return found abusive, then cleared on appeal
  Outcome(4 * kDay, EventType::kOrderDelivered, 3);
  Return(6 * kDay, 1, 3);
  Label(9 * kDay, LabelTarget::kReturn, 1, 1);
  Label(12 * kDay, LabelTarget::kReturn, 1, 0);
  Order(3 * kDay, 4);  // still in transit

  const DataLake lake = Build();
  EXPECT_EQ(lake.order_labels, (std::vector<int8_t>{0, 1, 1, 0, kLabelUnknown}));
  EXPECT_EQ(lake.return_labels, (std::vector<int8_t>{1, 0}));
  EXPECT_TRUE(lake.has_orders);
  EXPECT_TRUE(lake.has_returns);
  EXPECT_EQ(lake.first_order_at, 0);
  EXPECT_EQ(lake.last_order_at, 3 * kDay);
  EXPECT_EQ(lake.data_end, 6 * kDay);  // labels do not move the end of the data
}

TEST_F(EventHistoryTest, AnAnalystsVerdictOnAnOrderOverridesItsOutcome) {
  Order(0, 0);
  Outcome(5 * kDay, EventType::kOrderRto, 0);
  Label(6 * kDay, LabelTarget::kOrder, 0, 0);  // the courier's fault, not the buyer's
  Order(0, 1);
  Outcome(3 * kDay, EventType::kOrderDelivered, 1);
  Label(6 * kDay, LabelTarget::kOrder, 1, 1);

  EXPECT_EQ(Build().order_labels, (std::vector<int8_t>{0, 1}));
}

TEST_F(EventHistoryTest, RecentOrdersAreUnsettledUnlessAnAnalystLabelledThem) {
  Order(0, 0);
  Outcome(3 * kDay, EventType::kOrderDelivered, 0);
  Order(40 * kDay, 1);  // an RTO, but too recent for its final outcome
  Outcome(42 * kDay, EventType::kOrderRto, 1);
  Order(44 * kDay, 2);  // reviewed: final
  Label(45 * kDay, LabelTarget::kOrder, 2, 1);
  Order(50 * kDay, 3);

  EXPECT_EQ(Build(/*settle_horizon=*/41 * kDay).order_labels,
            (std::vector<int8_t>{0, kLabelUnknown, 1, kLabelUnknown}));
}

TEST_F(EventHistoryTest, OrdersEventsByTimeAndThenByWhatHappensFirstAtOneInstant) {
  Label(5 * kDay, LabelTarget::kReturn, 0, 1);
  Return(5 * kDay, 0, 0);
  Outcome(5 * kDay, EventType::kOrderDelivered, 0);
  Order(kDay, 0);
  events_.push_back({.at = 5 * kDay, .type = EventType::kCustomerUpserted, .customer = 0});

  const DataLake lake = Build();
  std::vector<EventType> types;
  for (const Event& e : lake.events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<EventType>{EventType::kOrderPlaced, EventType::kCustomerUpserted,
                                           EventType::kOrderDelivered, EventType::kReturnRequested,
                                           EventType::kLabel}));
}

}  // namespace
}  // namespace vigil
