#include "data/event_history.h"

#include <algorithm>

namespace vigil {
namespace {

// At one instant, facts are applied in this order: what exists, what is
// placed, what happened to it, what is asked about it, what was found.
int TypeRank(EventType type) {
  switch (type) {
    case EventType::kCustomerUpserted:
    case EventType::kProductUpserted:
      return 0;
    case EventType::kOrderPlaced:
      return 1;
    case EventType::kOrderDelivered:
    case EventType::kOrderRto:
    case EventType::kOrderCancelled:
      return 2;
    case EventType::kReturnRequested:
      return 3;
    case EventType::kReturnQcCompleted:
      return 4;
    case EventType::kLabel:
      return 5;
  }
  return 6;
}

// What the stream says about one order, by the end of it.
struct OrderOutcome {
  Timestamp placed_at = 0;
  bool placed = false;
  int8_t delivery = kLabelUnknown;  // 1 RTO, 0 delivered or cancelled
  int8_t verdict = kLabelUnknown;   // the latest label on the order itself
};

template <typename T>
T& Grow(std::vector<T>& v, uint32_t id, T fill = T()) {
  if (id >= v.size()) v.resize(static_cast<size_t>(id) + 1, fill);
  return v[id];
}

class LabelCollector {
 public:
  explicit LabelCollector(DataLake* lake) : lake_(*lake) {}

  void Add(const Event& e) {
    switch (e.type) {
      case EventType::kOrderPlaced:
        return AddOrder(e);
      case EventType::kOrderDelivered:
      case EventType::kOrderCancelled:
      case EventType::kOrderRto:
        return AddOutcome(e);
      case EventType::kReturnRequested:
        return AddReturn(e);
      case EventType::kLabel:
        return AddLabel(e);
      default:
        return;
    }
  }

  void Finish(Timestamp settle_horizon) {
    lake_.return_labels.resize(std::max(lake_.return_labels.size(), return_order_.size()),
                               kLabelUnknown);
    std::vector<bool> abusive_return(orders_.size(), false);
    for (size_t ret = 0; ret < return_order_.size(); ++ret) {
      const uint32_t order = return_order_[ret];
      if (order < orders_.size() && lake_.return_labels[ret] == 1) abusive_return[order] = true;
    }
    lake_.order_labels.assign(orders_.size(), kLabelUnknown);
    for (size_t order = 0; order < orders_.size(); ++order) {
      const OrderOutcome& facts = orders_[order];
      int8_t& label = lake_.order_labels[order];
      if (facts.verdict != kLabelUnknown) {
        label = facts.verdict;
        continue;
      }
      if (!facts.placed || facts.placed_at + settle_horizon > lake_.data_end) continue;
      label = abusive_return[order] ? 1 : facts.delivery;
    }
  }

 private:
  void AddOrder(const Event& e) {
    if (e.order == kNoId) return;
    OrderOutcome& facts = Grow(orders_, e.order);
    if (facts.placed) return;
    facts.placed = true;
    facts.placed_at = e.at;
    if (!lake_.has_orders) lake_.first_order_at = e.at;
    lake_.last_order_at = std::max(lake_.last_order_at, e.at);
    lake_.has_orders = true;
    lake_.data_end = std::max(lake_.data_end, e.at);
  }

  void AddOutcome(const Event& e) {
    if (e.order == kNoId) return;
    Grow(orders_, e.order).delivery = e.type == EventType::kOrderRto ? 1 : 0;
    lake_.data_end = std::max(lake_.data_end, e.at);
  }

  void AddReturn(const Event& e) {
    if (e.ret == kNoId) return;
    Grow(return_order_, e.ret, kNoId) = e.order;
    lake_.has_returns = true;
    lake_.data_end = std::max(lake_.data_end, e.at);
  }

  void AddLabel(const Event& e) {
    const int8_t label = e.label != 0 ? 1 : 0;
    if (e.label_target == LabelTarget::kReturn && e.ret != kNoId) {
      Grow(lake_.return_labels, e.ret, kLabelUnknown) = label;
    } else if (e.label_target == LabelTarget::kOrder && e.order != kNoId) {
      Grow(orders_, e.order).verdict = label;
    }
  }

  DataLake& lake_;
  std::vector<OrderOutcome> orders_;
  std::vector<uint32_t> return_order_;
};

}  // namespace

void SortInTimeOrder(std::vector<Event>* events) {
  std::stable_sort(events->begin(), events->end(), [](const Event& a, const Event& b) {
    if (a.at != b.at) return a.at < b.at;
    return TypeRank(a.type) < TypeRank(b.type);
  });
}

DataLake DataLakeFromEvents(std::vector<Event> events, FestivalCalendar festivals,
                            const LoadOptions& options) {
  DataLake lake;
  lake.festivals = std::move(festivals);
  SortInTimeOrder(&events);
  LabelCollector labels(&lake);
  for (const Event& e : events) labels.Add(e);
  labels.Finish(options.settle_horizon);
  lake.events = std::move(events);
  return lake;
}

}  // namespace vigil
