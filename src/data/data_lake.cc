#include "data/data_lake.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "common/ascii.h"
#include "common/progress.h"
#include "data/event_history.h"
#include "data/table_reader.h"
#include "fmt/format.h"

namespace vigil {
namespace {

// Parses a decimal amount; error text names the column.
StatusOr<double> ParseAmount(std::string_view text, std::string_view column, double max) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty()) return absl::InvalidArgumentError(fmt::format("{} is empty", column));
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return absl::InvalidArgumentError(fmt::format("{} '{}' is not a number", column, text));
  }
  if (value < 0) return absl::InvalidArgumentError(fmt::format("{} {} is negative", column, text));
  if (value > max) {
    return absl::InvalidArgumentError(
        fmt::format("{} {} is absurd (more than {:.0f})", column, text, max));
  }
  return value;
}

bool IsPincode(std::string_view s) {
  return s.size() == 6 && s[0] != '0' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Facts about an order that the returns file needs.
struct OrderForReturns {
  Timestamp placed_at = 0;
  uint32_t customer = kNoId;
  uint32_t product = kNoId;
  uint32_t seller = kNoId;
  uint32_t category = kNoId;
  uint32_t device = kNoId;
  uint32_t pincode = kNoId;
  float amount = 0;
  bool known = false;
};

class Loader {
 public:
  Loader(const std::string& dir, Catalog* catalog, const LoadOptions& options)
      : dir_(dir), catalog_(*catalog), options_(options) {}

  StatusOr<DataLake> Run();

 private:
  StatusOr<std::unique_ptr<TableReader>> Open(const std::string& name,
                                              const std::vector<std::string>& required,
                                              const std::vector<std::string>& optional) {
    return TableReader::Open(dir_, name, required, optional, options_.column_names, &lake_.report);
  }
  StatusOr<Timestamp> Time(TableReader& t, std::string_view column) {
    auto parsed = ParseTimestamp(t.Get(column), options_.default_offset_seconds);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(fmt::format("{}: {}", column, parsed.status().message()));
    }
    return parsed;
  }
  static bool FirstSighting(std::vector<bool>& seen, uint32_t id) {
    if (id >= seen.size()) seen.resize(id + 1, false);
    if (seen[id]) return false;
    seen[id] = true;
    return true;
  }

  Status ReadFestivals();
  Status ReadCustomers();
  Status ReadProducts();
  Status ReadOrders();
  Status ReadReturns();
  Status ReadOrderRow(TableReader& t);
  Status ReadReturnRow(TableReader& t);
  void AddOutcome(uint32_t order, const OrderForReturns& facts, DeliveryStatus status,
                  std::optional<Timestamp> outcome_at);
  void UnsettleRecentOrders();
  void SortEvents();

  std::string dir_;
  Catalog& catalog_;
  const LoadOptions& options_;
  DataLake lake_;
  bool have_customers_ = false;
  bool have_products_ = false;
  std::vector<bool> seen_customers_, seen_products_, seen_orders_, seen_returns_;
  std::vector<uint32_t> product_category_, product_seller_;
  std::vector<OrderForReturns> orders_;
};

// Reads every row of a table with progress, handing each to `row`; a row
// whose handler returns an error is reported and skipped.
template <typename RowFn>
Status ForEachRow(TableReader& table, RowFn row) {
  ProgressBar progress("reading " + table.name(), table.file_size());
  int64_t n = 0;
  while (true) {
    ASSIGN_OR_RETURN(const bool more, table.Next());
    if (!more) break;
    if (Status s = row(table); s.ok()) {
      table.Accept();
    } else {
      table.Reject(std::string(s.message()));
    }
    if ((++n & 0xFFFF) == 0) progress.Update(table.bytes_read());
  }
  return absl::OkStatus();
}

Status Loader::ReadFestivals() {
  const std::string path = (std::filesystem::path(dir_) / "external" / "festivals.csv").string();
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  ASSIGN_OR_RETURN(lake_.festivals, FestivalCalendar::Load(path, &lake_.report));
  return absl::OkStatus();
}

Status Loader::ReadCustomers() {
  auto table =
      Open("customers.csv", {"customer_id", "registered_at"}, {"state", "pincode", "phone"});
  if (absl::IsNotFound(table.status())) return absl::OkStatus();
  RETURN_IF_ERROR(table.status());
  have_customers_ = true;
  return ForEachRow(**table, [&](TableReader& t) -> Status {
    const std::string_view id = t.Get("customer_id");
    if (id.empty()) return absl::InvalidArgumentError("customer_id is empty");
    ASSIGN_OR_RETURN(const Timestamp registered, Time(t, "registered_at"));
    const std::string_view pincode = t.Get("pincode");
    if (!pincode.empty() && !IsPincode(pincode)) {
      return absl::InvalidArgumentError(fmt::format("pincode '{}' is not 6 digits", pincode));
    }
    const uint32_t customer = catalog_.Intern(Entity::kCustomer, id);
    if (!FirstSighting(seen_customers_, customer)) {
      return absl::InvalidArgumentError(fmt::format("duplicate customer_id {}", id));
    }
    Event e{.at = kBeginningOfTime, .type = EventType::kCustomerUpserted};
    e.customer = customer;
    e.pincode = catalog_.Intern(Entity::kPincode, pincode);
    e.registered_at = registered;
    lake_.events.push_back(e);
    return absl::OkStatus();
  });
}

Status Loader::ReadProducts() {
  auto table = Open("products.csv", {"product_id", "category", "price"}, {"brand", "seller_id"});
  if (absl::IsNotFound(table.status())) return absl::OkStatus();
  RETURN_IF_ERROR(table.status());
  have_products_ = true;
  return ForEachRow(**table, [&](TableReader& t) -> Status {
    const std::string_view id = t.Get("product_id");
    if (id.empty()) return absl::InvalidArgumentError("product_id is empty");
    ASSIGN_OR_RETURN(const double price, ParseAmount(t.Get("price"), "price", options_.max_amount));
    const uint32_t product = catalog_.Intern(Entity::kProduct, id);
    if (!FirstSighting(seen_products_, product)) {
      return absl::InvalidArgumentError(fmt::format("duplicate product_id {}", id));
    }
    Event e{.at = kBeginningOfTime, .type = EventType::kProductUpserted};
    e.product = product;
    e.category = catalog_.Intern(Entity::kCategory, AsciiLower(t.Get("category")));
    e.seller = catalog_.Intern(Entity::kSeller, t.Get("seller_id"));
    e.amount = static_cast<float>(price);
    if (product >= product_category_.size()) {
      product_category_.resize(product + 1, kNoId);
      product_seller_.resize(product + 1, kNoId);
    }
    product_category_[product] = e.category;
    product_seller_[product] = e.seller;
    lake_.events.push_back(e);
    return absl::OkStatus();
  });
}

void Loader::AddOutcome(uint32_t order, const OrderForReturns& facts, DeliveryStatus status,
                        std::optional<Timestamp> outcome_at) {
  Event e{.type = EventType::kOrderDelivered};
  e.order = order;
  e.customer = facts.customer;
  switch (status) {
    case DeliveryStatus::kPending:
      return;
    case DeliveryStatus::kDelivered:
      e.at = outcome_at.value_or(facts.placed_at + options_.assumed_delivery_delay);
      break;
    case DeliveryStatus::kRto:
      e.type = EventType::kOrderRto;
      e.at = outcome_at.value_or(facts.placed_at + options_.assumed_rto_delay);
      break;
    case DeliveryStatus::kCancelled:
      e.type = EventType::kOrderCancelled;
      e.at = outcome_at.value_or(facts.placed_at + options_.assumed_cancel_delay);
      break;
  }
  lake_.events.push_back(e);
}

Status Loader::ReadOrderRow(TableReader& t) {
  const std::string_view id = t.Get("order_id");
  const std::string_view customer_id = t.Get("customer_id");
  const std::string_view product_id = t.Get("product_id");
  if (id.empty()) return absl::InvalidArgumentError("order_id is empty");
  if (customer_id.empty()) return absl::InvalidArgumentError("customer_id is empty");
  if (product_id.empty()) return absl::InvalidArgumentError("product_id is empty");
  ASSIGN_OR_RETURN(const Timestamp placed_at, Time(t, "ordered_at"));
  ASSIGN_OR_RETURN(const double amount,
                   ParseAmount(t.Get("amount"), "amount", options_.max_amount));
  const std::string method_text = AsciiLower(t.Get("payment_method"));
  const auto method = ParsePaymentMethod(method_text);
  if (!method) {
    return absl::InvalidArgumentError(
        fmt::format("unknown payment_method '{}' (want cod, upi, card, netbanking, wallet or emi)",
                    method_text));
  }
  const std::string status_text = AsciiLower(t.Get("delivery_status"));
  const auto status = ParseDeliveryStatus(status_text);
  if (!status) {
    return absl::InvalidArgumentError(fmt::format(
        "unknown delivery_status '{}' (want delivered, rto, cancelled or pending)", status_text));
  }
  std::optional<Timestamp> outcome_at;
  if (!t.Get("delivered_at").empty()) {
    ASSIGN_OR_RETURN(outcome_at, Time(t, "delivered_at"));
    if (*outcome_at < placed_at)
      return absl::InvalidArgumentError("delivered_at is before ordered_at");
  }
  double discount = 0, quantity = 1;
  if (!t.Get("discount").empty()) {
    ASSIGN_OR_RETURN(discount, ParseAmount(t.Get("discount"), "discount", options_.max_amount));
  }
  if (!t.Get("quantity").empty()) {
    ASSIGN_OR_RETURN(quantity, ParseAmount(t.Get("quantity"), "quantity", 10000));
    if (quantity < 1) return absl::InvalidArgumentError("quantity must be at least 1");
  }
  const std::string_view pincode = t.Get("delivery_pincode");
  if (!pincode.empty() && !IsPincode(pincode)) {
    return absl::InvalidArgumentError(
        fmt::format("delivery_pincode '{}' is not 6 digits", pincode));
  }
  const uint32_t customer = have_customers_ ? catalog_.Find(Entity::kCustomer, customer_id)
                                            : catalog_.Intern(Entity::kCustomer, customer_id);
  if (customer == kNoId) {
    return absl::InvalidArgumentError(fmt::format("unknown customer_id {}", customer_id));
  }
  const uint32_t product = have_products_ ? catalog_.Find(Entity::kProduct, product_id)
                                          : catalog_.Intern(Entity::kProduct, product_id);
  if (product == kNoId) {
    return absl::InvalidArgumentError(fmt::format("unknown product_id {}", product_id));
  }
  const uint32_t order = catalog_.Intern(Entity::kOrder, id);
  if (!FirstSighting(seen_orders_, order)) {
    return absl::InvalidArgumentError(fmt::format("duplicate order_id {}", id));
  }
  Event e{.at = placed_at, .type = EventType::kOrderPlaced, .payment = *method};
  e.order = order;
  e.customer = customer;
  e.product = product;
  const bool product_known = product < product_category_.size();
  e.category = product_known ? product_category_[product] : kNoId;
  e.seller = catalog_.Intern(Entity::kSeller, t.Get("seller_id"));
  if (e.seller == kNoId && product_known) e.seller = product_seller_[product];
  e.device = catalog_.Intern(Entity::kDevice, t.Get("device_id"));
  e.pincode = catalog_.Intern(Entity::kPincode, pincode);
  e.size = catalog_.Intern(Entity::kSize, AsciiLower(t.Get("size")));
  e.amount = static_cast<float>(amount);
  e.discount = static_cast<float>(discount);
  e.quantity = static_cast<float>(quantity);
  lake_.events.push_back(e);

  if (order >= orders_.size()) orders_.resize(order + 1);
  OrderForReturns& facts = orders_[order];
  facts = {placed_at, customer, product, e.seller, e.category, e.device, e.pincode, e.amount, true};
  lake_.data_end = std::max({lake_.data_end, placed_at, outcome_at.value_or(placed_at)});
  if (order >= lake_.order_labels.size()) lake_.order_labels.resize(order + 1, kLabelUnknown);
  lake_.order_labels[order] = *status == DeliveryStatus::kPending ? kLabelUnknown
                              : *status == DeliveryStatus::kRto   ? 1
                                                                  : 0;
  AddOutcome(order, facts, *status, outcome_at);
  if (!lake_.has_orders || placed_at < lake_.first_order_at) lake_.first_order_at = placed_at;
  if (!lake_.has_orders || placed_at > lake_.last_order_at) lake_.last_order_at = placed_at;
  lake_.has_orders = true;
  return absl::OkStatus();
}

Status Loader::ReadOrders() {
  ASSIGN_OR_RETURN(
      auto table,
      Open("orders.csv",
           {"order_id", "customer_id", "product_id", "ordered_at", "amount", "payment_method"},
           {"seller_id", "size", "quantity", "discount", "delivery_pincode", "device_id",
            "delivery_status", "delivered_at"}));
  return ForEachRow(*table, [&](TableReader& t) { return ReadOrderRow(t); });
}

Status Loader::ReadReturnRow(TableReader& t) {
  const std::string_view id = t.Get("return_id");
  const std::string_view order_id = t.Get("order_id");
  if (id.empty()) return absl::InvalidArgumentError("return_id is empty");
  const uint32_t order = catalog_.Find(Entity::kOrder, order_id);
  if (order == kNoId || order >= orders_.size() || !orders_[order].known) {
    return absl::InvalidArgumentError(fmt::format("unknown order_id '{}'", order_id));
  }
  const OrderForReturns& facts = orders_[order];
  ASSIGN_OR_RETURN(const Timestamp requested_at, Time(t, "requested_at"));
  if (requested_at < facts.placed_at) {
    return absl::InvalidArgumentError("requested_at is before the order was placed");
  }
  double refund = facts.amount;
  if (!t.Get("refund_amount").empty()) {
    ASSIGN_OR_RETURN(refund,
                     ParseAmount(t.Get("refund_amount"), "refund_amount", options_.max_amount));
  }
  const std::string qc_text = AsciiLower(t.Get("qc_result"));
  const auto qc = ParseQcResult(qc_text);
  if (!qc) {
    return absl::InvalidArgumentError(
        fmt::format("unknown qc_result '{}' (want pass, fail, empty, used or mismatch)", qc_text));
  }
  const std::string_view abuse = t.Get("is_abuse");
  if (!abuse.empty() && abuse != "0" && abuse != "1") {
    return absl::InvalidArgumentError(fmt::format("is_abuse '{}' is not 0 or 1", abuse));
  }
  const uint32_t ret = catalog_.Intern(Entity::kReturn, id);
  if (!FirstSighting(seen_returns_, ret)) {
    return absl::InvalidArgumentError(fmt::format("duplicate return_id {}", id));
  }
  lake_.data_end = std::max(lake_.data_end, requested_at);
  Event e{.at = requested_at, .type = EventType::kReturnRequested};
  e.reason = ClassifyReturnReason(t.Get("reason"));
  e.ret = ret;
  e.order = order;
  e.customer = facts.customer;
  e.product = facts.product;
  e.amount = static_cast<float>(refund);
  lake_.events.push_back(e);
  // When QC (and so the abuse label) became known: the file may say.
  Timestamp found_at = requested_at + options_.qc_delay;
  if (!t.Get("qc_completed_at").empty()) {
    ASSIGN_OR_RETURN(found_at, Time(t, "qc_completed_at"));
    if (found_at < requested_at) {
      return absl::InvalidArgumentError("qc_completed_at is before requested_at");
    }
  }
  if (*qc != QcResult::kNone) {
    Event q = e;
    q.type = EventType::kReturnQcCompleted;
    q.at = found_at;
    q.qc = *qc;
    lake_.events.push_back(q);
  }
  if (ret >= lake_.return_labels.size()) lake_.return_labels.resize(ret + 1, kLabelUnknown);
  if (!abuse.empty()) {
    Event l = e;
    l.type = EventType::kLabel;
    l.label_target = LabelTarget::kReturn;
    l.at = found_at;
    l.label = abuse == "1";
    lake_.events.push_back(l);
    lake_.return_labels[ret] = l.label;
    if (l.label) lake_.order_labels[order] = 1;
  }
  lake_.has_returns = true;
  return absl::OkStatus();
}

Status Loader::ReadReturns() {
  auto table = Open("returns.csv", {"return_id", "order_id", "requested_at", "reason"},
                    {"refund_amount", "qc_result", "is_abuse", "qc_completed_at"});
  if (absl::IsNotFound(table.status())) return absl::OkStatus();
  RETURN_IF_ERROR(table.status());
  return ForEachRow(**table, [&](TableReader& t) { return ReadReturnRow(t); });
}

// An order's label is final only once its settle horizon has passed by the
// end of the data.
void Loader::UnsettleRecentOrders() {
  for (size_t order = 0; order < orders_.size(); ++order) {
    const OrderForReturns& facts = orders_[order];
    if (facts.known && facts.placed_at + options_.settle_horizon > lake_.data_end) {
      lake_.order_labels[order] = kLabelUnknown;
    }
  }
}

void Loader::SortEvents() { SortInTimeOrder(&lake_.events); }

StatusOr<DataLake> Loader::Run() {
  if (!std::filesystem::is_directory(dir_)) {
    return absl::NotFoundError(fmt::format("{}: no such data directory", dir_));
  }
  RETURN_IF_ERROR(ReadFestivals());
  RETURN_IF_ERROR(ReadCustomers());
  RETURN_IF_ERROR(ReadProducts());
  RETURN_IF_ERROR(ReadOrders());
  RETURN_IF_ERROR(ReadReturns());
  if (!lake_.has_orders) {
    return absl::InvalidArgumentError(
        fmt::format("{}/orders.csv: no usable order rows (see the issues above)", dir_));
  }
  lake_.order_labels.resize(catalog_.table(Entity::kOrder).size(), kLabelUnknown);
  UnsettleRecentOrders();
  lake_.return_labels.resize(catalog_.table(Entity::kReturn).size(), kLabelUnknown);
  SortEvents();
  return std::move(lake_);
}

}  // namespace

StatusOr<DataLake> LoadDataLake(const std::string& dir, Catalog* catalog,
                                const LoadOptions& options) {
  Loader loader(dir, catalog, options);
  return loader.Run();
}

}  // namespace vigil
