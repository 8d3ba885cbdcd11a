#include "generate/marketplace_generator.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <queue>
#include <system_error>
#include <vector>

#include "common/progress.h"
#include "common/time.h"
#include "fmt/format.h"
#include "generate/csv_file_writer.h"
#include "generate/customer_population.h"
#include "generate/demand_curve.h"
#include "generate/festival_schedule.h"
#include "generate/india_geography.h"
#include "generate/order_schedule.h"
#include "generate/order_simulator.h"
#include "generate/payment_simulator.h"
#include "generate/product_catalog.h"
#include "generate/random.h"

namespace vigil {
namespace {

constexpr int64_t kMaxCustomers = 50'000'000;
constexpr int kMaxDays = 3660;
constexpr int64_t kFestivalMarginDays = 30;

// Independent random streams, so that changing one part of the generator
// does not reshuffle the others.
enum Stream : uint64_t {
  kCatalogStream = 1,
  kPopulationStream,
  kScheduleStream,
  kOrderStream,
  kNameStream,
  kPaymentStream
};

struct Period {
  Timestamp start;
  Timestamp end;
};

StatusOr<Period> CheckOptions(const GeneratorOptions& o) {
  if (o.out_dir.empty()) return absl::InvalidArgumentError("out_dir is empty: say where to write");
  if (o.customers <= 0 || o.customers > kMaxCustomers) {
    return absl::InvalidArgumentError(
        fmt::format("customers must be between 1 and {}, got {}", kMaxCustomers, o.customers));
  }
  if (o.days <= 0 || o.days > kMaxDays) {
    return absl::InvalidArgumentError(
        fmt::format("days must be between 1 and {}, got {}", kMaxDays, o.days));
  }
  StatusOr<Timestamp> start = ParseTimestamp(o.start, kIstOffsetSeconds);
  if (o.start.size() != 10 || !start.ok()) {
    return absl::InvalidArgumentError(
        fmt::format("start '{}' is not a date like 2025-07-15 (YYYY-MM-DD)", o.start));
  }
  if (o.start < "2000-01-01" || o.start > "2099-12-31") {
    return absl::InvalidArgumentError(
        fmt::format("start '{}' is outside the years 2000-2099", o.start));
  }
  return Period{*start, *start + o.days * kSecondsPerDay};
}

Status CreateOutputDirectories(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(std::filesystem::path(dir) / "external", error);
  if (error) {
    return absl::InvalidArgumentError(
        fmt::format("cannot create output directory '{}': {}", dir, error.message()));
  }
  return absl::OkStatus();
}

std::string PathIn(const std::string& dir, std::string_view name) {
  return (std::filesystem::path(dir) / name).string();
}

int64_t ProductCount(int64_t customers) {
  return std::clamp<int64_t>(customers / 20, 500, 200'000);
}
int64_t SellerCount(int64_t products) { return std::clamp<int64_t>(products / 25, 20, 20'000); }

Status WriteProducts(const std::string& dir, const ProductCatalog& catalog) {
  ASSIGN_OR_RETURN(auto out, CsvFileWriter::Create(PathIn(dir, "products.csv"),
                                                   "product_id,category,price,brand,seller_id"));
  int64_t number = 0;
  for (const Product& p : catalog.products()) {
    const CategoryInfo& info = InfoOf(p.category);
    CsvBuffer& row = out->row();
    AppendId(row, 'P', ++number, 5);
    row.push_back(',');
    AppendCsvField(row, info.name);
    row.push_back(',');
    AppendRupees(row, p.price_paise);
    row.push_back(',');
    AppendCsvField(row, info.brands[p.brand]);
    row.push_back(',');
    AppendId(row, 'S', p.seller + 1, 4);
    out->EndRow();
  }
  return out->Commit();
}

// Distinct, valid Indian mobile numbers: 10 digits starting with 6-9. The
// multiplier is coprime with 4e9, so the map from customer number is a bijection.
int64_t PhoneNumber(int64_t customer, uint64_t seed) {
  constexpr uint64_t kSpan = 4'000'000'000ULL;
  const uint64_t offset = (seed * 0x9e3779b97f4a7c15ULL) % kSpan;
  return 6'000'000'000LL + static_cast<int64_t>((customer * 2654435761ULL + offset) % kSpan);
}

Status WriteCustomers(const std::string& dir, const CustomerPopulation& population, uint64_t seed,
                      ProgressBar& progress) {
  ASSIGN_OR_RETURN(
      auto out, CsvFileWriter::Create(PathIn(dir, "customers.csv"),
                                      "customer_id,registered_at,state,pincode,phone,name,city"));
  Rng names(seed, kNameStream);
  std::string name;
  for (int64_t i = 0; i < population.size(); ++i) {
    const Customer& c = population[i];
    const City& city = Cities()[c.city];
    PickName(city, names, &name);
    fmt::format_to(std::back_inserter(out->row()), "C{:07d},", i + 1);
    AppendIstTimestamp(out->row(), c.registered_at);
    fmt::format_to(std::back_inserter(out->row()), ",{},{},+91{},", city.state, c.home_pincode,
                   PhoneNumber(i, seed));
    AppendCsvField(out->row(), name);
    out->row().push_back(',');
    AppendCsvField(out->row(), city.name);
    out->EndRow();
    if ((i & 0xfff) == 0) progress.Update(i);
  }
  return out->Commit();
}

// Writes orders as they are simulated (in time order) and holds each return
// until no later order can produce an earlier one, so returns.csv is in
// requested_at order too.
class LedgerWriter {
 public:
  LedgerWriter(std::unique_ptr<CsvFileWriter> orders, std::unique_ptr<CsvFileWriter> returns)
      : orders_(std::move(orders)), returns_(std::move(returns)) {}

  void Add(const SimulatedOrder& o) {
    WriteOrder(++order_count_, o.order);
    if (o.order.status == DeliveryStatus::kRto) ++rto_count_;
    if (o.returned) pending_.push({o.ret, order_count_});
  }

  // Every order still to come is placed after `now`, and so are its returns.
  void ReleaseReturnsUpTo(Timestamp now) {
    while (!pending_.empty() && pending_.top().ret.requested_at <= now) {
      WriteReturn(pending_.top());
      pending_.pop();
    }
  }

  Status Commit() {
    ReleaseReturnsUpTo(std::numeric_limits<Timestamp>::max());
    RETURN_IF_ERROR(orders_->Commit());
    return returns_->Commit();
  }

  int64_t orders() const { return order_count_; }
  int64_t returns() const { return return_count_; }
  int64_t abusive_returns() const { return abusive_count_; }
  int64_t rto_orders() const { return rto_count_; }

 private:
  struct Queued {
    ReturnRecord ret;
    int64_t order_number;
    bool operator>(const Queued& o) const {
      return ret.requested_at != o.ret.requested_at ? ret.requested_at > o.ret.requested_at
                                                    : order_number > o.order_number;
    }
  };

  void WriteOrder(int64_t number, const OrderRecord& o) {
    CsvBuffer& row = orders_->row();
    AppendId(row, 'O', number, 8);
    row.push_back(',');
    AppendId(row, 'C', o.customer + 1, 7);
    row.push_back(',');
    AppendId(row, 'P', o.product + 1, 5);
    row.push_back(',');
    AppendId(row, 'S', o.seller + 1, 4);
    row.push_back(',');
    AppendIstTimestamp(row, o.ordered_at);
    row.push_back(',');
    AppendRupees(row, o.amount_paise);
    fmt::format_to(std::back_inserter(row), ",{},{},{},", PaymentMethodName(o.payment), o.size,
                   o.quantity);
    AppendRupees(row, o.discount_paise);
    fmt::format_to(std::back_inserter(row), ",{},", o.delivery_pincode);
    AppendId(row, 'D', o.device, 8);
    row.push_back(',');
    AppendCsvField(row, DeliveryStatusName(o.status));
    row.push_back(',');
    if (o.outcome_at != 0) AppendIstTimestamp(row, o.outcome_at);
    orders_->EndRow();
  }

  void WriteReturn(const Queued& q) {
    const ReturnRecord& r = q.ret;
    CsvBuffer& row = returns_->row();
    AppendId(row, 'R', ++return_count_, 7);
    row.push_back(',');
    AppendId(row, 'O', q.order_number, 8);
    row.push_back(',');
    AppendIstTimestamp(row, r.requested_at);
    row.push_back(',');
    AppendCsvField(row, r.reason);
    row.push_back(',');
    AppendRupees(row, r.refund_paise);
    fmt::format_to(std::back_inserter(row), ",{},{},", QcResultName(r.qc), r.abuse ? 1 : 0);
    if (r.qc_at != 0) AppendIstTimestamp(row, r.qc_at);
    returns_->EndRow();
    if (r.abuse) ++abusive_count_;
  }

  std::unique_ptr<CsvFileWriter> orders_;
  std::unique_ptr<CsvFileWriter> returns_;
  std::priority_queue<Queued, std::vector<Queued>, std::greater<Queued>> pending_;
  int64_t order_count_ = 0;
  int64_t return_count_ = 0;
  int64_t abusive_count_ = 0;
  int64_t rto_count_ = 0;
};

StatusOr<LedgerWriter> OpenLedger(const std::string& dir) {
  ASSIGN_OR_RETURN(auto orders,
                   CsvFileWriter::Create(
                       PathIn(dir, "orders.csv"),
                       "order_id,customer_id,product_id,seller_id,ordered_at,amount,payment_method,"
                       "size,quantity,discount,delivery_pincode,device_id,delivery_status,"
                       "delivered_at"));
  ASSIGN_OR_RETURN(auto returns, CsvFileWriter::Create(PathIn(dir, "returns.csv"),
                                                       "return_id,order_id,requested_at,reason,"
                                                       "refund_amount,qc_result,is_abuse,"
                                                       "qc_completed_at"));
  return LedgerWriter(std::move(orders), std::move(returns));
}

Status WriteFestivals(const std::string& dir, const FestivalSchedule& calendar,
                      const Period& period) {
  ASSIGN_OR_RETURN(auto out, CsvFileWriter::Create(PathIn(dir, "external/festivals.csv"),
                                                   "name,start_date,end_date,kind,basis"));
  const int64_t first_day = (period.start + kIstOffsetSeconds) / kSecondsPerDay;
  const int64_t last_day = (period.end - 1 + kIstOffsetSeconds) / kSecondsPerDay;
  for (const ScheduledFestival& w :
       calendar.Overlapping(first_day - kFestivalMarginDays, last_day + kFestivalMarginDays)) {
    CsvBuffer& row = out->row();
    AppendCsvField(row, w.name);
    fmt::format_to(std::back_inserter(row), ",{},{},{},", FormatDate(w.first_day * kSecondsPerDay),
                   FormatDate(w.last_day * kSecondsPerDay), FestivalKindName(w.kind));
    AppendCsvField(row, w.basis);
    out->EndRow();
  }
  return out->Commit();
}

// transactions.csv, in the format `vigil train --kind transaction` reads.
// Genuine payments have no labeled_at: their label is known after the
// trainer's --label-delay-days.
Status WriteTransactions(const std::string& dir, const SimulatedPayments& simulated,
                         Timestamp start, ProgressBar& progress, int64_t progress_base) {
  ASSIGN_OR_RETURN(
      auto out,
      CsvFileWriter::Create(
          PathIn(dir, "transactions.csv"),
          "transaction_id,user_id,created_at,amount,merchant,location,is_fraud,labeled_at"));
  const std::vector<Payment>& payments = simulated.payments;
  for (size_t i = 0; i < payments.size(); ++i) {
    const Payment& p = payments[i];
    const Timestamp at = start + p.second;
    CsvBuffer& row = out->row();
    AppendId(row, 'T', static_cast<int64_t>(i) + 1, 9);
    row.push_back(',');
    AppendId(row, 'C', p.customer + 1, 7);
    row.push_back(',');
    AppendIstTimestamp(row, at);
    row.push_back(',');
    AppendRupees(row, p.amount_paise);
    row.push_back(',');
    AppendCsvField(row, simulated.merchants[p.merchant].name);
    row.push_back(',');
    AppendCsvField(row, Cities()[p.city].name);
    if (p.fraud == FraudScenario::kNone) {
      row.append(std::string_view(",0,"));
    } else {
      row.append(std::string_view(",1,"));
      AppendIstTimestamp(row, at + p.reported_after);
    }
    out->EndRow();
    if ((i & 0xfff) == 0) progress.Update(progress_base + static_cast<int64_t>(i));
  }
  return out->Commit();
}

}  // namespace

StatusOr<GeneratorSummary> GenerateMarketplace(const GeneratorOptions& options) {
  ASSIGN_OR_RETURN(const Period period, CheckOptions(options));
  RETURN_IF_ERROR(CreateOutputDirectories(options.out_dir));
  ASSIGN_OR_RETURN(const FestivalSchedule calendar, FestivalSchedule::Embedded());
  const DemandCurve demand(calendar, period.start, options.days);
  const std::string& dir = options.out_dir;

  Rng catalog_rng(options.seed, kCatalogStream);
  const int64_t products = ProductCount(options.customers);
  const ProductCatalog catalog =
      ProductCatalog::Generate(products, SellerCount(products), catalog_rng);
  Rng population_rng(options.seed, kPopulationStream);
  const CustomerPopulation population =
      CustomerPopulation::Generate(options.customers, period.start, period.end, population_rng);
  Rng schedule_rng(options.seed, kScheduleStream);
  const std::vector<CheckoutSlot> slots = ScheduleCheckouts(population, demand, schedule_rng);
  Rng payment_rng(options.seed, kPaymentStream);
  const SimulatedPayments payments = SimulatePayments(population, demand, payment_rng);

  const int64_t ledger_end = population.size() + static_cast<int64_t>(slots.size());
  ProgressBar progress("Generating marketplace",
                       ledger_end + static_cast<int64_t>(payments.payments.size()));
  RETURN_IF_ERROR(WriteProducts(dir, catalog));
  RETURN_IF_ERROR(WriteCustomers(dir, population, options.seed, progress));

  ASSIGN_OR_RETURN(LedgerWriter ledger, OpenLedger(dir));
  OrderSimulator simulator(catalog, population, demand, Rng(options.seed, kOrderStream));
  std::vector<SimulatedOrder> checkout;
  for (size_t i = 0; i < slots.size(); ++i) {
    ledger.ReleaseReturnsUpTo(slots[i].at);
    simulator.Checkout(slots[i].customer, slots[i].at, &checkout);
    for (const SimulatedOrder& o : checkout) ledger.Add(o);
    if ((i & 0xfff) == 0) progress.Update(population.size() + static_cast<int64_t>(i));
  }
  RETURN_IF_ERROR(ledger.Commit());
  RETURN_IF_ERROR(WriteFestivals(dir, calendar, period));
  RETURN_IF_ERROR(WriteTransactions(dir, payments, period.start, progress, ledger_end));
  progress.Finish();
  int64_t calendar_last_day = 0;
  for (const ScheduledFestival& w : calendar.windows()) {
    calendar_last_day = std::max(calendar_last_day, w.last_day);
  }
  const int64_t period_last_day = (period.end - 1 + kIstOffsetSeconds) / kSecondsPerDay;
  return GeneratorSummary{
      .customers = population.size(),
      .products = products,
      .orders = ledger.orders(),
      .returns = ledger.returns(),
      .abusive_returns = ledger.abusive_returns(),
      .rto_orders = ledger.rto_orders(),
      .transactions = static_cast<int64_t>(payments.payments.size()),
      .fraud_transactions = payments.frauds,
      .days_past_calendar = std::max<int64_t>(0, period_last_day - calendar_last_day),
      .calendar_last_day = FormatDate(calendar_last_day * kSecondsPerDay)};
}

}  // namespace vigil
