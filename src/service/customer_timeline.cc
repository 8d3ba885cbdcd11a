#include "service/customer_timeline.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "fmt/format.h"

namespace vigil {
namespace {

using nlohmann::json;

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kDelivered:
      return "delivered";
    case OrderStatus::kRto:
      return "rto";
    case OrderStatus::kCancelled:
      return "cancelled";
    case OrderStatus::kPlaced:
      break;
  }
  return "placed";
}

// One entry and the time it sorts by (its own, or its subject's when the
// entry's time is unknown).
struct Entry {
  Timestamp sort_at = 0;
  size_t seq = 0;  // ties: the later found first (an order's outcome after the order)
  json body;
};

class TimelineBuilder {
 public:
  TimelineBuilder(Store& store, const RiskService& service, std::string customer_id, int64_t limit)
      : store_(store), service_(service), customer_id_(std::move(customer_id)), limit_(limit) {}

  StatusOr<json> Build() {
    RETURN_IF_ERROR(AddDecisions());
    RETURN_IF_ERROR(AddOrdersAndReturns());
    RETURN_IF_ERROR(AddPayments());
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.sort_at, a.seq) > std::tie(b.sort_at, b.seq);
    });
    const bool truncated = static_cast<int64_t>(entries_.size()) > limit_;
    if (truncated) entries_.resize(static_cast<size_t>(limit_));
    json list = json::array();
    for (Entry& e : entries_) list.push_back(std::move(e.body));
    return json{{"customer_id", customer_id_},
                {"entries", std::move(list)},
                {"limit", limit_},
                {"truncated", truncated}};
  }

 private:
  void Add(Timestamp at, std::string_view type, const std::string& subject, json details = {}) {
    json body = {{"at", FormatTimestamp(at)}, {"type", type}, {"subject_id", subject}};
    if (details.is_object()) body.update(details);
    entries_.push_back({at, entries_.size(), std::move(body)});
  }
  // An outcome the feature state knows without its time: sorts at `sort_at`.
  void AddUntimed(Timestamp sort_at, std::string_view type, const std::string& subject,
                  json details) {
    json body = {{"at", nullptr}, {"type", type}, {"subject_id", subject}};
    body.update(details);
    body["source"] = "feature_state";
    entries_.push_back({sort_at, entries_.size(), std::move(body)});
  }

  static json DecisionDetails(const DecisionSummary& d) {
    return {{"decision_id", d.decision_id}, {"kind", d.kind},
            {"risk_score", d.risk_score},   {"risk_level", d.risk_level},
            {"action", d.action},           {"model_version", d.model_version}};
  }

  // The decisions about the customer's orders the feature state keeps (the
  // newest `limit_` of the last 90 days) and about their returns, each found
  // through an index, and every analyst label on them.
  Status AddDecisions() {
    std::vector<LiveReturn> no_returns;
    service_.LiveActivity(customer_id_, {}, {}, static_cast<size_t>(limit_), &live_orders_,
                          &no_returns);
    std::vector<std::string> order_ids;
    for (const LiveOrder& o : live_orders_) order_ids.push_back(o.order_id);
    ASSIGN_OR_RETURN(const std::vector<DecisionSummary> decisions,
                     store_.DecisionsAboutOrders(order_ids));
    for (const DecisionSummary& d : decisions) {
      // Scored again (a replayed id) keeps the first decision.
      auto& decisions = d.kind == "return" ? return_decisions_ : order_decisions_;
      decisions.emplace(d.subject_id, d);
      if (!d.label.has_value()) continue;
      ASSIGN_OR_RETURN(const std::vector<DecisionLabelRecord> labels,
                       store_.DecisionLabels(d.decision_id));
      for (const DecisionLabelRecord& l : labels) {
        Add(l.at, "label", l.subject_id,
            {{"kind", l.kind},
             {"decision_id", l.decision_id},
             {"label", l.label},
             {"note", l.note},
             {"by", {{"key_id", l.by_key_id}, {"name", l.by_name}}}});
      }
    }
    return absl::OkStatus();
  }

  // The event with the default id "<type>:<subject>", as JSON, or nullopt.
  StatusOr<std::optional<std::pair<Timestamp, json>>> DefaultEvent(std::string_view type,
                                                                   const std::string& subject) {
    ASSIGN_OR_RETURN(const std::optional<EventRecord> event,
                     store_.FindEvent(fmt::format("{}:{}", type, subject)));
    if (!event.has_value()) return std::optional<std::pair<Timestamp, json>>();
    json payload = json::parse(event->payload, nullptr, /*allow_exceptions=*/false);
    if (!payload.is_object()) payload = json::object();
    return std::optional(std::make_pair(event->at, std::move(payload)));
  }

  // A `label` event sent through /v1/events for the order or return.
  Status AddLabelEvent(const std::string& subject, std::string_view kind) {
    ASSIGN_OR_RETURN(auto label, DefaultEvent("label", subject));
    if (!label.has_value()) return absl::OkStatus();
    const json& value = label->second["label"];
    const bool positive = value.is_number() && value.get<double>() == 1;
    Add(label->first, "label", subject,
        {{"kind", kind},
         {"label", positive ? "abuse" : "genuine"},
         {"by", nullptr},
         {"source", "event"}});
    return absl::OkStatus();
  }

  // The live orders AddDecisions read (every decided order is among them),
  // and the state of the decided returns.
  Status AddOrdersAndReturns() {
    std::vector<std::string> return_ids;
    for (const auto& [id, d] : return_decisions_) return_ids.push_back(id);
    std::vector<LiveOrder> no_more_orders;
    std::vector<LiveReturn> live_returns;
    service_.LiveActivity(customer_id_, {}, return_ids, /*limit=*/0, &no_more_orders,
                          &live_returns);
    // Returns first: they say which orders have a return on record.
    std::map<std::string, const LiveReturn*> live_returns_by_id;
    for (const LiveReturn& r : live_returns) live_returns_by_id[r.return_id] = &r;
    for (const std::string& id : return_ids) {
      auto live = live_returns_by_id.find(id);
      RETURN_IF_ERROR(AddReturn(id, live == live_returns_by_id.end() ? nullptr : live->second));
    }
    std::map<std::string, const LiveOrder*> live_by_id;  // in id order, as before
    for (const LiveOrder& o : live_orders_) live_by_id[o.order_id] = &o;
    for (const auto& [id, live] : live_by_id) RETURN_IF_ERROR(AddOrder(id, live));
    return absl::OkStatus();
  }

  Status AddOrder(const std::string& id, const LiveOrder* live) {
    auto decision = order_decisions_.find(id);
    const DecisionSummary* d = decision == order_decisions_.end() ? nullptr : &decision->second;
    ASSIGN_OR_RETURN(auto placed, DefaultEvent("order.placed", id));
    const Timestamp placed_at = placed ? placed->first : live ? live->placed_at : d->at;
    json details = d != nullptr ? DecisionDetails(*d) : json{{"decision_id", nullptr}};
    if (placed) {
      for (const char* key : {"amount", "payment_method", "product_id"}) {
        if (placed->second.contains(key)) details[key] = placed->second[key];
      }
    }
    Add(placed_at, "order.placed", id, std::move(details));
    bool outcome_seen = false;
    for (std::string_view type : {"order.delivered", "order.rto", "order.cancelled"}) {
      ASSIGN_OR_RETURN(auto outcome, DefaultEvent(type, id));
      if (!outcome) continue;
      Add(outcome->first, type, id);
      outcome_seen = true;
    }
    // Sent with an event id of its own: the state knows the outcome, maybe not its time.
    if (!outcome_seen && live != nullptr && live->status != "placed") {
      const std::string type = "order." + live->status;
      if (live->status == "delivered" && live->delivered_at > 0) {
        Add(live->delivered_at, type, id, {{"source", "feature_state"}});
      } else {
        AddUntimed(placed_at, type, id, json::object());
      }
    }
    // Returned, but no scored return names it: the state knows, not which
    // return or when. It sorts just after the delivery (a return follows it)
    // when that is known.
    if (live != nullptr && live->returned && !orders_with_a_return_.contains(id)) {
      AddUntimed(live->delivered_at > 0 ? live->delivered_at : placed_at, "order.returned", id,
                 json::object());
    }
    return AddLabelEvent(id, "order");
  }

  Status AddReturn(const std::string& id, const LiveReturn* live) {
    const DecisionSummary& d = return_decisions_.at(id);
    ASSIGN_OR_RETURN(auto requested, DefaultEvent("return.requested", id));
    const Timestamp requested_at = requested ? requested->first : d.at;
    json details = DecisionDetails(d);
    if (requested) {
      for (const char* key : {"order_id", "reason", "refund_amount"}) {
        if (requested->second.contains(key)) details[key] = requested->second[key];
      }
    }
    if (details.contains("order_id") && details["order_id"].is_string()) {
      orders_with_a_return_.insert(details["order_id"].get<std::string>());
    } else if (live != nullptr && !live->order_id.empty()) {
      orders_with_a_return_.insert(live->order_id);
    }
    Add(requested_at, "return.requested", id, std::move(details));
    ASSIGN_OR_RETURN(auto qc, DefaultEvent("return.qc_completed", id));
    if (qc) {
      Add(qc->first, "return.qc_completed", id, {{"qc_result", qc->second.value("qc_result", "")}});
    } else if (live != nullptr && live->qc_failed) {
      AddUntimed(requested_at, "return.qc_completed", id,
                 {{"qc_result", nullptr}, {"qc_failed", true}});
    }
    return AddLabelEvent(id, "return");
  }

  // The payment flow's payments of the customer (a payment's user_id is the
  // customer id), analysts' labels on them, and the customer's SMS replies.
  Status AddPayments() {
    ASSIGN_OR_RETURN(const std::vector<TransactionRecord> payments,
                     store_.TransactionsOfUser(customer_id_, limit_));
    for (const TransactionRecord& t : payments) {
      Add(t.created_at, "payment", t.transaction_id,
          {{"amount", t.amount},
           {"currency", t.currency},
           {"merchant", t.merchant},
           {"status", t.status},
           {"risk_score", t.risk_score ? json(*t.risk_score) : json(nullptr)},
           {"label", t.label ? json(*t.label == 1 ? "fraud" : "genuine") : json(nullptr)}});
      if (!t.label.has_value()) continue;
      ASSIGN_OR_RETURN(const std::vector<TransactionTransition> history,
                       store_.TransactionHistory(t.transaction_id));
      for (const TransactionTransition& step : history) {
        if (step.label.empty()) continue;
        Add(step.at, "label", t.transaction_id,
            {{"kind", "transaction"},
             {"label", step.label},
             {"note", step.note},
             {"by", {{"key_id", step.by_key_id}, {"name", step.by_name}}}});
      }
    }
    ASSIGN_OR_RETURN(const std::optional<AccountRecord> account, store_.FindAccount(customer_id_));
    if (!account.has_value()) {
      // No account (any more): the replies that settled a payment are on it.
      for (const TransactionRecord& t : payments) {
        if (t.user_response_at == 0) continue;
        Add(t.user_response_at, "sms.reply", t.transaction_id,
            {{"text", t.user_response},
             {"transaction_id", t.transaction_id},
             {"settled_status", t.status}});
      }
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(const std::vector<InboundSmsRecord> replies,
                     store_.InboundSmsFrom(account->phone, limit_));
    for (const InboundSmsRecord& sms : replies) {
      json details = {{"text", sms.body},
                      {"outcome", sms.outcome},
                      {"transaction_id", nullptr},
                      {"settled_status", nullptr}};
      for (const TransactionRecord& t : payments) {
        if (t.user_response_at == sms.received_at && t.user_response == sms.body) {
          details["transaction_id"] = t.transaction_id;
          details["settled_status"] = t.status;
        }
      }
      Add(sms.received_at, "sms.reply", sms.message_sid, std::move(details));
    }
    return absl::OkStatus();
  }

  Store& store_;
  const RiskService& service_;
  const std::string customer_id_;
  const int64_t limit_;
  std::vector<LiveOrder> live_orders_;  // the customer's newest, from the feature state
  std::map<std::string, DecisionSummary> order_decisions_, return_decisions_;
  std::set<std::string> orders_with_a_return_;  // named by a return entry
  std::vector<Entry> entries_;
};

}  // namespace

void RiskService::LiveActivity(std::string_view customer_id,
                               const std::vector<std::string>& order_ids,
                               const std::vector<std::string>& return_ids, size_t limit,
                               std::vector<LiveOrder>* orders,
                               std::vector<LiveReturn>* returns) const {
  absl::MutexLock lock(&engine_mu_);
  const Catalog& catalog = engine_.catalog();
  std::set<uint32_t> seen;
  auto add_order = [&](uint32_t id, bool returned) ABSL_EXCLUSIVE_LOCKS_REQUIRED(engine_mu_) {
    const OrderState* o = engine_.FindOrder(id);
    if (o == nullptr || !o->known() || !seen.insert(id).second) return;
    orders->push_back(
        {.order_id = catalog.Name(Entity::kOrder, id),
         .placed_at = FromCompact(o->placed_at),
         .status = std::string(OrderStatusName(o->status)),
         .delivered_at = o->delivered_at == kCompactNever ? 0 : FromCompact(o->delivered_at),
         .returned = returned});
  };
  const uint32_t customer = catalog.Find(Entity::kCustomer, customer_id);
  if (const CustomerState* c = customer == kNoId ? nullptr : engine_.FindCustomer(customer)) {
    const size_t n = c->recent_orders.size();
    for (size_t i = n; i > 0 && n - i < limit; --i) {
      add_order(c->recent_orders[i - 1].order, c->recent_orders[i - 1].returned);
    }
  }
  for (const std::string& id : order_ids) {
    const uint32_t order = catalog.Find(Entity::kOrder, id);
    if (order != kNoId) add_order(order, /*returned=*/false);  // older: not known
  }
  for (const std::string& id : return_ids) {
    const uint32_t r = catalog.Find(Entity::kReturn, id);
    const ReturnState* state = r == kNoId ? nullptr : engine_.FindReturn(r);
    if (state == nullptr || !state->known) continue;
    returns->push_back(
        {.return_id = id,
         .order_id = state->order == kNoId ? "" : catalog.Name(Entity::kOrder, state->order),
         .requested_at = FromCompact(state->requested_at),
         .qc_failed = state->qc_failed,
         .labelled_abuse = state->labelled_abuse});
  }
}

StatusOr<json> CustomerTimeline(Store& store, const RiskService& service,
                                const std::string& customer_id, int64_t limit) {
  return TimelineBuilder(store, service, customer_id, limit).Build();
}

}  // namespace vigil
