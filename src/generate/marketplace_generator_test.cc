#include "generate/marketplace_generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/atomic_file.h"
#include "common/csv_reader.h"
#include "common/time.h"
#include "data/transaction_log.h"
#include "generate/india_geography.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;

std::string TestDir(const std::string& name) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  int Col(std::string_view name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

Table Load(const std::string& path) {
  Table table;
  auto reader = CsvReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return table;
  table.header = (*reader)->header();
  CsvRecord record;
  while (true) {
    auto more = (*reader)->Next(&record);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    EXPECT_EQ(record.error, "") << path << " line " << record.line;
    EXPECT_EQ(record.fields.size(), table.header.size()) << path << " line " << record.line;
    table.rows.push_back(record.fields);
  }
  return table;
}

Timestamp Ts(const std::string& text) {
  EXPECT_EQ(text.size(), 25u) << text;
  EXPECT_EQ(text.substr(19), "+05:30") << text;
  auto t = ParseTimestamp(text);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : 0;
}

bool IsId(const std::string& id, char prefix, size_t width) {
  if (id.size() < width + 1 || id[0] != prefix) return false;
  return id.find_first_not_of("0123456789", 1) == std::string::npos;
}

double Share(int64_t part, int64_t whole) { return whole == 0 ? 0.0 : double(part) / whole; }

// One marketplace shared by the tests that only read it: 5000 customers over
// 90 days from 2025-07-15 (through the Independence Day sale, Onam, the
// festive sale season and Navratri).
class GeneratedMarketplaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TestDir("vigil-generated"));
    GeneratorOptions options;
    options.out_dir = *dir_;
    options.customers = 5000;
    options.days = 90;
    options.start = "2025-07-15";
    options.seed = 42;
    auto summary = GenerateMarketplace(options);
    ASSERT_TRUE(summary.ok()) << summary.status();
    summary_ = new GeneratorSummary(*summary);
    customers_ = new Table(Load(*dir_ + "/customers.csv"));
    products_ = new Table(Load(*dir_ + "/products.csv"));
    orders_ = new Table(Load(*dir_ + "/orders.csv"));
    returns_ = new Table(Load(*dir_ + "/returns.csv"));
    festivals_ = new Table(Load(*dir_ + "/external/festivals.csv"));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete summary_;
    delete customers_;
    delete products_;
    delete orders_;
    delete returns_;
    delete festivals_;
  }

  // Category of each order, by order id.
  static absl::flat_hash_map<std::string, std::string> OrderCategories() {
    absl::flat_hash_map<std::string, std::string> category_of_product;
    for (const auto& p : products_->rows) category_of_product[p[0]] = p[products_->Col("category")];
    absl::flat_hash_map<std::string, std::string> result;
    for (const auto& o : orders_->rows) {
      result[o[0]] = category_of_product[o[orders_->Col("product_id")]];
    }
    return result;
  }
  static absl::flat_hash_map<std::string, const std::vector<std::string>*> OrdersById() {
    absl::flat_hash_map<std::string, const std::vector<std::string>*> result;
    for (const auto& o : orders_->rows) result[o[0]] = &o;
    return result;
  }

  static inline std::string* dir_;
  static inline GeneratorSummary* summary_;
  static inline Table* customers_;
  static inline Table* products_;
  static inline Table* orders_;
  static inline Table* returns_;
  static inline Table* festivals_;
  const Timestamp start_ = *ParseTimestamp("2025-07-15");
  const Timestamp end_ = start_ + 90 * kSecondsPerDay;
};

TEST_F(GeneratedMarketplaceTest, FilesHaveTheContractColumns) {
  EXPECT_THAT(customers_->header, ElementsAre("customer_id", "registered_at", "state", "pincode",
                                              "phone", "name", "city"));
  EXPECT_THAT(products_->header,
              ElementsAre("product_id", "category", "price", "brand", "seller_id"));
  EXPECT_THAT(orders_->header,
              ElementsAre("order_id", "customer_id", "product_id", "seller_id", "ordered_at",
                          "amount", "payment_method", "size", "quantity", "discount",
                          "delivery_pincode", "device_id", "delivery_status", "delivered_at"));
  EXPECT_THAT(returns_->header,
              ElementsAre("return_id", "order_id", "requested_at", "reason", "refund_amount",
                          "qc_result", "is_abuse", "qc_completed_at"));
  EXPECT_THAT(festivals_->header, ElementsAre("name", "start_date", "end_date", "kind", "basis"));
}

TEST_F(GeneratedMarketplaceTest, SummaryCountsTheRowsWritten) {
  EXPECT_EQ(summary_->customers, 5000);
  EXPECT_EQ(summary_->customers, static_cast<int64_t>(customers_->rows.size()));
  EXPECT_EQ(summary_->products, static_cast<int64_t>(products_->rows.size()));
  EXPECT_EQ(summary_->orders, static_cast<int64_t>(orders_->rows.size()));
  EXPECT_EQ(summary_->returns, static_cast<int64_t>(returns_->rows.size()));
  int64_t abusive = 0, rto = 0;
  for (const auto& r : returns_->rows) abusive += r[returns_->Col("is_abuse")] == "1";
  for (const auto& o : orders_->rows) rto += o[orders_->Col("delivery_status")] == "rto";
  EXPECT_EQ(summary_->abusive_returns, abusive);
  EXPECT_EQ(summary_->rto_orders, rto);
}

TEST_F(GeneratedMarketplaceTest, IdsAreWellFormedSequentialAndResolve) {
  absl::flat_hash_map<std::string, std::string> seller_of_product;
  for (size_t i = 0; i < products_->rows.size(); ++i) {
    const auto& p = products_->rows[i];
    ASSERT_EQ(p[0], fmt::format("P{:05d}", i + 1));
    ASSERT_TRUE(IsId(p[products_->Col("seller_id")], 'S', 4)) << p[4];
    seller_of_product[p[0]] = p[products_->Col("seller_id")];
  }
  std::set<std::string> customers;
  for (size_t i = 0; i < customers_->rows.size(); ++i) {
    ASSERT_EQ(customers_->rows[i][0], fmt::format("C{:07d}", i + 1));
    customers.insert(customers_->rows[i][0]);
  }
  for (size_t i = 0; i < orders_->rows.size(); ++i) {
    const auto& o = orders_->rows[i];
    ASSERT_EQ(o[0], fmt::format("O{:08d}", i + 1));
    ASSERT_TRUE(customers.count(o[orders_->Col("customer_id")])) << o[0];
    ASSERT_EQ(seller_of_product.at(o[orders_->Col("product_id")]), o[orders_->Col("seller_id")]);
    ASSERT_TRUE(IsId(o[orders_->Col("device_id")], 'D', 8)) << o[0];
  }
  const auto orders = OrdersById();
  std::set<std::string> returned_orders;
  for (size_t i = 0; i < returns_->rows.size(); ++i) {
    const auto& r = returns_->rows[i];
    ASSERT_EQ(r[0], fmt::format("R{:07d}", i + 1));
    ASSERT_TRUE(orders.contains(r[1])) << r[0];
    ASSERT_TRUE(returned_orders.insert(r[1]).second) << "two returns for " << r[1];
  }
}

TEST_F(GeneratedMarketplaceTest, EventsHappenInAPossibleOrder) {
  absl::flat_hash_map<std::string, Timestamp> registered;
  Timestamp previous = 0;
  for (const auto& c : customers_->rows) {
    registered[c[0]] = Ts(c[customers_->Col("registered_at")]);
    ASSERT_GE(registered[c[0]], previous) << "customers are in registration order";
    ASSERT_LT(registered[c[0]], end_);
    ASSERT_GT(registered[c[0]], start_ - 4 * 366 * kSecondsPerDay);
    previous = registered[c[0]];
  }
  previous = 0;
  for (const auto& o : orders_->rows) {
    const Timestamp ordered = Ts(o[orders_->Col("ordered_at")]);
    ASSERT_GE(ordered, previous) << o[0] << ": orders are in time order";
    ASSERT_GE(ordered, start_);
    ASSERT_LT(ordered, end_);
    ASSERT_GT(ordered, registered[o[orders_->Col("customer_id")]]) << o[0];
    const std::string& status = o[orders_->Col("delivery_status")];
    const std::string& outcome = o[orders_->Col("delivered_at")];
    if (status == "cancelled" || status == "pending") {
      ASSERT_EQ(outcome, "") << o[0];
    } else {
      const Timestamp at = Ts(outcome);
      ASSERT_GE(at, ordered + 9 * kSecondsPerHour) << o[0];  // next morning at the earliest
      ASSERT_LT(at, ordered + (status == "rto" ? 11 : 8) * kSecondsPerDay) << o[0];
      ASSERT_LT(at, end_) << o[0];
    }
    previous = ordered;
  }
  const auto orders = OrdersById();
  previous = 0;
  for (const auto& r : returns_->rows) {
    const auto& o = *orders.at(r[1]);
    ASSERT_EQ(o[orders_->Col("delivery_status")], "delivered") << r[0];
    const Timestamp delivered = Ts(o[orders_->Col("delivered_at")]);
    const Timestamp requested = Ts(r[returns_->Col("requested_at")]);
    ASSERT_GE(requested, previous) << r[0] << ": returns are in time order";
    ASSERT_GT(requested, delivered) << r[0];
    ASSERT_LE(requested, delivered + 30 * kSecondsPerDay) << r[0];
    ASSERT_LT(requested, end_) << r[0];
    const std::string& qc = r[returns_->Col("qc_result")];
    const std::string& qc_at = r[returns_->Col("qc_completed_at")];
    ASSERT_EQ(qc.empty(), qc_at.empty()) << r[0];
    if (!qc.empty()) {
      ASSERT_GT(Ts(qc_at), requested) << r[0];
      ASSERT_LT(Ts(qc_at), end_) << r[0];
    }
    previous = requested;
  }
}

TEST_F(GeneratedMarketplaceTest, ValuesAreInTheirDomains) {
  for (const auto& c : customers_->rows) {
    const std::string& phone = c[customers_->Col("phone")];
    ASSERT_EQ(phone.size(), 13u);
    ASSERT_EQ(phone.substr(0, 3), "+91");
    ASSERT_GE(phone[3], '6');
    ASSERT_EQ(c[customers_->Col("pincode")].size(), 6u);
    ASSERT_NE(c[customers_->Col("state")], "");
    ASSERT_NE(c[customers_->Col("name")], "");
  }
  const std::set<std::string> methods = {"cod", "upi", "card", "netbanking", "wallet", "emi"};
  const std::set<std::string> statuses = {"delivered", "rto", "cancelled", "pending"};
  absl::flat_hash_map<std::string, double> price;
  for (const auto& p : products_->rows) price[p[0]] = std::stod(p[products_->Col("price")]);
  const auto categories = OrderCategories();
  for (const auto& o : orders_->rows) {
    ASSERT_TRUE(methods.count(o[orders_->Col("payment_method")])) << o[0];
    ASSERT_TRUE(statuses.count(o[orders_->Col("delivery_status")])) << o[0];
    ASSERT_EQ(o[orders_->Col("delivery_pincode")].size(), 6u);
    const double amount = std::stod(o[orders_->Col("amount")]);
    const double discount = std::stod(o[orders_->Col("discount")]);
    const int quantity = std::stoi(o[orders_->Col("quantity")]);
    ASSERT_NEAR(amount + discount, price[o[orders_->Col("product_id")]] * quantity, 0.005) << o[0];
    ASSERT_GT(amount, 0) << o[0];
    const std::string& category = categories.at(o[0]);
    const bool sized = category == "fashion" || category == "ethnic_wear" || category == "footwear";
    ASSERT_EQ(o[orders_->Col("size")].empty(), !sized) << o[0];
  }
  const std::set<std::string> qc = {"pass", "fail", "empty", "used", "mismatch", ""};
  bool quoted_reason = false;
  for (const auto& r : returns_->rows) {
    ASSERT_TRUE(qc.count(r[returns_->Col("qc_result")])) << r[0];
    ASSERT_TRUE(r[returns_->Col("is_abuse")] == "0" || r[returns_->Col("is_abuse")] == "1");
    ASSERT_NE(r[returns_->Col("reason")], "");
    quoted_reason |= r[returns_->Col("reason")].find(',') != std::string::npos;
  }
  EXPECT_TRUE(quoted_reason) << "some reasons hold commas and must survive quoting";
}

// The sanity summary of the marketplace: proportions an Indian marketplace shows.
TEST_F(GeneratedMarketplaceTest, ProportionsLookLikeAnIndianMarketplace) {
  int64_t cod = 0, cod_done = 0, cod_rto = 0, prepaid_done = 0, prepaid_rto = 0;
  std::map<std::string, int64_t> delivered, returned;
  const auto categories = OrderCategories();
  for (const auto& o : orders_->rows) {
    const bool is_cod = o[orders_->Col("payment_method")] == "cod";
    const std::string& status = o[orders_->Col("delivery_status")];
    cod += is_cod;
    if (status == "delivered" || status == "rto") {
      (is_cod ? cod_done : prepaid_done)++;
      if (status == "rto") (is_cod ? cod_rto : prepaid_rto)++;
    }
    if (status == "delivered") ++delivered[categories.at(o[0])];
  }
  int64_t abusive = 0;
  for (const auto& r : returns_->rows) {
    ++returned[categories.at(r[1])];
    abusive += r[returns_->Col("is_abuse")] == "1";
  }
  const int64_t orders = static_cast<int64_t>(orders_->rows.size());
  auto return_rate = [&](const std::string& c) { return Share(returned[c], delivered[c]); };

  EXPECT_THAT(Share(cod, orders), ::testing::AllOf(::testing::Ge(0.40), ::testing::Le(0.60)));
  EXPECT_THAT(Share(cod_rto, cod_done), ::testing::AllOf(::testing::Ge(0.12), ::testing::Le(0.30)));
  EXPECT_LT(Share(prepaid_rto, prepaid_done), 0.02);
  EXPECT_THAT(return_rate("fashion"), ::testing::AllOf(::testing::Ge(0.24), ::testing::Le(0.34)));
  EXPECT_THAT(return_rate("footwear"), ::testing::AllOf(::testing::Ge(0.15), ::testing::Le(0.28)));
  EXPECT_THAT(return_rate("electronics"),
              ::testing::AllOf(::testing::Ge(0.06), ::testing::Le(0.14)));
  EXPECT_THAT(return_rate("mobiles"), ::testing::AllOf(::testing::Ge(0.05), ::testing::Le(0.14)));
  EXPECT_LT(return_rate("books"), 0.05);
  EXPECT_LT(return_rate("grocery"), 0.04);
  EXPECT_THAT(Share(abusive, static_cast<int64_t>(returns_->rows.size())),
              ::testing::AllOf(::testing::Ge(0.15), ::testing::Le(0.45)));
  EXPECT_THAT(Share(orders, 5000), ::testing::AllOf(::testing::Ge(2.0), ::testing::Le(5.0)));
}

TEST_F(GeneratedMarketplaceTest, OrdersSurgeInTheFestiveSale) {
  std::map<std::string, int64_t> per_day;
  for (const auto& o : orders_->rows) ++per_day[o[orders_->Col("ordered_at")].substr(0, 10)];
  // Tuesdays to Thursdays of late July against the festive sale opening week.
  const double ordinary = (per_day["2025-07-22"] + per_day["2025-07-23"] + per_day["2025-07-24"] +
                           per_day["2025-07-29"] + per_day["2025-07-30"] + per_day["2025-07-31"]) /
                          6.0;
  const double festive =
      (per_day["2025-09-22"] + per_day["2025-09-23"] + per_day["2025-09-24"]) / 3.0;
  const double independence_sale = (per_day["2025-08-05"] + per_day["2025-08-06"]) / 2.0;
  EXPECT_GT(festive, 2.2 * ordinary);
  EXPECT_LT(festive, 3.5 * ordinary);
  EXPECT_GT(independence_sale, 1.5 * ordinary);
}

TEST_F(GeneratedMarketplaceTest, AbusiveReturnsLeaveTracesAtTheReturn) {
  const auto orders = OrdersById();
  const auto categories = OrderCategories();
  int64_t empty_box = 0, empty_box_fast_gadget = 0, used = 0, used_late = 0, honest = 0,
          honest_late = 0, bracket = 0;
  for (const auto& r : returns_->rows) {
    const auto& o = *orders.at(r[1]);
    const double days =
        double(Ts(r[returns_->Col("requested_at")]) - Ts(o[orders_->Col("delivered_at")])) /
        kSecondsPerDay;
    const std::string& qc = r[returns_->Col("qc_result")];
    const bool abuse = r[returns_->Col("is_abuse")] == "1";
    const std::string& category = categories.at(r[1]);
    if (abuse && (qc == "empty" || qc == "mismatch")) {
      ++empty_box;
      empty_box_fast_gadget += days <= 6 && (category == "mobiles" || category == "electronics");
    }
    if (abuse && qc == "used") {
      ++used;
      used_late += days >= 20;
    }
    if (!abuse) {
      ++honest;
      honest_late += days >= 20;
    }
    if (r[returns_->Col("reason")] == "Ordered multiple sizes, keeping the one that fits") {
      ++bracket;
      EXPECT_FALSE(abuse) << r[0] << ": bracketing is tolerated";
    }
  }
  // Empty boxes and switched items: phones and gadgets, within days of delivery.
  ASSERT_GT(empty_box, 20);
  EXPECT_GT(Share(empty_box_fast_gadget, empty_box), 0.8);
  // Worn and returned: wardrobers come back near the end of the window,
  // honest customers rarely do.
  ASSERT_GT(used, 50);
  EXPECT_GT(Share(used_late, used), 0.3);
  EXPECT_LT(Share(honest_late, honest), 0.05);
  EXPECT_GT(bracket, 20);
}

TEST_F(GeneratedMarketplaceTest, RingsOfNewAccountsShareDevicesAndAPincode) {
  absl::flat_hash_map<std::string, std::set<std::string>> accounts_on_device;
  absl::flat_hash_map<std::string, std::set<std::string>> pincodes_of_device;
  for (const auto& o : orders_->rows) {
    accounts_on_device[o[orders_->Col("device_id")]].insert(o[orders_->Col("customer_id")]);
    pincodes_of_device[o[orders_->Col("device_id")]].insert(o[orders_->Col("delivery_pincode")]);
  }
  absl::flat_hash_map<std::string, Timestamp> registered;
  for (const auto& c : customers_->rows) registered[c[0]] = Ts(c[1]);
  int rings = 0, households = 0;
  for (const auto& [device, accounts] : accounts_on_device) {
    if (accounts.size() < 2) continue;
    bool all_new = true;
    for (const std::string& account : accounts) all_new &= registered[account] >= start_;
    if (accounts.size() >= 3 && all_new) {
      ++rings;
      EXPECT_EQ(pincodes_of_device[device].size(), 1u) << device;
    } else if (!all_new) {
      ++households;  // honest families sharing a phone: the confounder
    }
  }
  EXPECT_GE(rings, 5);
  EXPECT_GE(households, 5);
}

TEST_F(GeneratedMarketplaceTest, FestivalsFileIsTheSliceAroundThePeriod) {
  std::set<std::string> names;
  for (const auto& f : festivals_->rows) {
    names.insert(f[0]);
    EXPECT_GE(f[2], "2025-06-15") << f[0];
    EXPECT_LE(f[1], "2025-11-12") << f[0];
    EXPECT_TRUE(f[3] == "festival" || f[3] == "sale");
  }
  EXPECT_TRUE(names.count("Independence Day Sale"));
  EXPECT_TRUE(names.count("Navratri"));
  EXPECT_TRUE(names.count("Diwali"));  // in the margin after the period
  EXPECT_FALSE(names.count("Christmas"));
}

GeneratorOptions Small(const std::string& dir, uint64_t seed) {
  GeneratorOptions options;
  options.out_dir = dir;
  options.customers = 800;
  options.days = 40;
  options.start = "2025-09-01";
  options.seed = seed;
  return options;
}

TEST(GenerateMarketplaceTest, SameSeedWritesIdenticalFilesAndOtherSeedsDiffer) {
  const std::string a = TestDir("vigil-generate-a"), b = TestDir("vigil-generate-b"),
                    c = TestDir("vigil-generate-c");
  ASSERT_TRUE(GenerateMarketplace(Small(a, 7)).ok());
  ASSERT_TRUE(GenerateMarketplace(Small(b, 7)).ok());
  ASSERT_TRUE(GenerateMarketplace(Small(c, 8)).ok());
  for (const char* file :
       {"customers.csv", "products.csv", "orders.csv", "returns.csv", "external/festivals.csv"}) {
    const std::string text = ReadFileToString(a + "/" + file).value();
    EXPECT_GT(text.size(), 50u) << file;
    EXPECT_EQ(text, ReadFileToString(b + "/" + file).value()) << file;
  }
  EXPECT_NE(ReadFileToString(a + "/orders.csv").value(),
            ReadFileToString(c + "/orders.csv").value());
  EXPECT_NE(ReadFileToString(a + "/customers.csv").value(),
            ReadFileToString(c + "/customers.csv").value());
  EXPECT_FALSE(std::filesystem::exists(a + "/orders.csv.tmp"));
  for (const std::string& dir : {a, b, c}) std::filesystem::remove_all(dir);
}

TEST(GenerateMarketplaceTest, RejectsBadOptionsWithClearMessages) {
  const std::string dir = TestDir("vigil-generate-bad");
  auto message = [](GeneratorOptions options) {
    auto result = GenerateMarketplace(options);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(result.status().message());
  };
  GeneratorOptions o = Small(dir, 1);
  o.customers = 0;
  EXPECT_EQ(message(o), "customers must be between 1 and 50000000, got 0");
  o = Small(dir, 1);
  o.days = -3;
  EXPECT_EQ(message(o), "days must be between 1 and 3660, got -3");
  o = Small(dir, 1);
  o.start = "15/07/2025";
  EXPECT_EQ(message(o), "start '15/07/2025' is not a date like 2025-07-15 (YYYY-MM-DD)");
  o.start = "2025-02-30";
  EXPECT_EQ(message(o), "start '2025-02-30' is not a date like 2025-07-15 (YYYY-MM-DD)");
  o.start = "2025-07-15T10:00:00";
  EXPECT_EQ(message(o), "start '2025-07-15T10:00:00' is not a date like 2025-07-15 (YYYY-MM-DD)");
  o.start = "1999-12-31";
  EXPECT_EQ(message(o), "start '1999-12-31' is outside the years 2000-2099");
  o = Small("", 1);
  EXPECT_EQ(message(o), "out_dir is empty: say where to write");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/file") << "x";
  o = Small(dir + "/file/sub", 1);
  EXPECT_THAT(message(o),
              ::testing::StartsWith("cannot create output directory '" + dir + "/file/sub': "));
  std::filesystem::remove_all(dir);
}

TEST(GenerateMarketplaceTest, OneCustomerOneDayStillWritesEveryFile) {
  const std::string dir = TestDir("vigil-generate-tiny");
  GeneratorOptions o = Small(dir, 3);
  o.customers = 1;
  o.days = 1;
  auto summary = GenerateMarketplace(o);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->customers, 1);
  EXPECT_EQ(summary->products, 500);
  for (const char* file :
       {"customers.csv", "products.csv", "orders.csv", "returns.csv", "external/festivals.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + file)) << file;
  }
  std::filesystem::remove_all(dir);
}

TEST(GenerateMarketplaceTest, SaysHowManyDaysComeAfterTheFestivalCalendar) {
  const std::string dir = TestDir("vigil-generate-past-calendar");
  GeneratorOptions o = Small(dir, 4);
  o.customers = 50;
  auto inside = GenerateMarketplace(o);
  ASSERT_TRUE(inside.ok()) << inside.status();
  EXPECT_EQ(inside->days_past_calendar, 0);
  // The shipped calendar's last window is Christmas 2027 (24-25 December):
  // 2027-12-01 + 40 days ends on 2028-01-09, 15 days past it.
  o.start = "2027-12-01";
  auto past = GenerateMarketplace(o);
  ASSERT_TRUE(past.ok()) << past.status();
  EXPECT_EQ(past->calendar_last_day, "2027-12-25");
  EXPECT_EQ(past->days_past_calendar, 15);
  std::filesystem::remove_all(dir);
}

// The file `vigil generate` writes: the same for a seed, read by
// LoadTransactions without a rejected row.
class GeneratedTransactionsTest : public ::testing::Test {
 protected:
  static GeneratorSummary Generate(const std::string& dir, uint64_t seed) {
    GeneratorOptions options{.out_dir = dir, .customers = 3000, .days = 90, .seed = seed};
    auto summary = GenerateMarketplace(options);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : GeneratorSummary{};
  }
};

TEST_F(GeneratedTransactionsTest, SameSeedSameFileOtherSeedOtherFile) {
  const std::string a = TestDir("vigil-payments-a"), b = TestDir("vigil-payments-b"),
                    c = TestDir("vigil-payments-c");
  Generate(a, 7);
  Generate(b, 7);
  Generate(c, 8);
  const std::string first = ReadFileToString(a + "/transactions.csv").value();
  EXPECT_GT(first.size(), 100'000u);
  EXPECT_EQ(first, ReadFileToString(b + "/transactions.csv").value());
  EXPECT_NE(first, ReadFileToString(c + "/transactions.csv").value());
  for (const std::string& dir : {a, b, c}) std::filesystem::remove_all(dir);
}

TEST_F(GeneratedTransactionsTest, LoadTransactionsReadsEveryRow) {
  const std::string dir = TestDir("vigil-payments-load");
  const GeneratorSummary summary = Generate(dir, 42);
  Catalog catalog;
  auto log = LoadTransactions(dir, &catalog);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->report.rejected_rows(), 0);
  ASSERT_EQ(static_cast<int64_t>(log->transactions.size()), summary.transactions);
  EXPECT_TRUE(log->has_labels);
  const std::string header = ReadFileToString(dir + "/transactions.csv").value().substr(0, 90);
  EXPECT_THAT(header, ::testing::StartsWith("transaction_id,user_id,created_at,amount,merchant,"
                                            "location,is_fraud,labeled_at\n"));

  int64_t frauds = 0;
  const Timestamp start = *ParseTimestamp("2025-07-15");
  for (const Transaction& t : log->transactions) {
    ASSERT_NE(t.label, kLabelUnknown);
    ASSERT_GE(t.at, start);
    ASSERT_LT(t.at, start + 90 * kSecondsPerDay);
    // Genuine payments leave labeled_at to the default delay of 7 days;
    // frauds are reported 2 to 14 days later.
    const Timestamp delay = t.label_known_at - t.at;
    if (t.label == 1) {
      ++frauds;
      ASSERT_GE(delay, 2 * kSecondsPerDay);
      ASSERT_LE(delay, 14 * kSecondsPerDay);
    } else {
      ASSERT_EQ(delay, 7 * kSecondsPerDay);
    }
    ASSERT_GT(t.amount, 0);
    ASSERT_NE(t.merchant, kNoId);
    ASSERT_NE(t.location, kNoId);
  }
  EXPECT_EQ(frauds, summary.fraud_transactions);
  // user_id is the marketplace's customer_id; location a city it delivers to.
  std::set<std::string> cities;
  for (const City& city : Cities()) cities.emplace(city.name);
  for (uint32_t id = 0; id < catalog.table(Entity::kCustomer).size(); ++id) {
    const std::string name(catalog.Name(Entity::kCustomer, id));
    ASSERT_EQ(name.size(), 8u) << name;
    ASSERT_EQ(name[0], 'C') << name;
    ASSERT_LE(std::stoi(name.substr(1)), 3000) << name;
  }
  for (uint32_t id = 0; id < catalog.table(Entity::kLocation).size(); ++id) {
    ASSERT_TRUE(cities.contains(std::string(catalog.Name(Entity::kLocation, id))));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil
