#include "features/training_rows.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "fmt/format.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

// A small random marketplace written as data-lake files.
class SmallMarketplace {
 public:
  explicit SmallMarketplace(const std::string& name, uint32_t seed = 7)
      : dir_(std::filesystem::path(::testing::TempDir()) / name), rng_(seed) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "external");
  }

  std::string Write(int customers, int orders, int flip_label_of_return = -1) {
    const Timestamp t0 = ParseTimestamp("2025-09-01").value();
    std::ofstream(dir_ / "external" / "festivals.csv")
        << "name,start_date,end_date,kind\nDiwali,2025-10-20,2025-10-22,festival\n"
           "Sale,2025-09-20,2025-09-30,sale\n";
    std::ofstream c(dir_ / "customers.csv");
    c << "customer_id,registered_at,pincode\n";
    for (int i = 0; i < customers; ++i) {
      c << fmt::format("C{},{},{}\n", i, FormatTimestamp(t0 - Uniform(1, 900) * kDay),
                       110000 + Uniform(1, 20));
    }
    std::ofstream p(dir_ / "products.csv");
    p << "product_id,category,price,seller_id\n";
    for (int i = 0; i < 40; ++i)
      p << fmt::format("P{},cat{},{},S{}\n", i, i % 5, 100 + i * 50, i % 7);
    std::ofstream o(dir_ / "orders.csv");
    o << "order_id,customer_id,product_id,ordered_at,amount,payment_method,size,device_id,"
         "delivery_pincode,delivery_status,delivered_at\n";
    std::ofstream r(dir_ / "returns.csv");
    r << "return_id,order_id,requested_at,reason,qc_result,is_abuse\n";
    const char* methods[] = {"cod", "upi", "card"};
    const char* statuses[] = {"delivered", "delivered", "delivered", "rto", "cancelled", "pending"};
    int returns = 0;
    for (int i = 0; i < orders; ++i) {
      const Timestamp at = t0 + Uniform(0, 90 * 24) * 3600;
      const std::string status = statuses[Uniform(0, 5)];
      const Timestamp delivered = at + Uniform(1, 7) * kDay;
      o << fmt::format("O{},C{},P{},{},{}.50,{},{},D{},{},{},{}\n", i, Uniform(0, customers - 1),
                       Uniform(0, 39), FormatTimestamp(at), Uniform(100, 5000),
                       methods[Uniform(0, 2)], "sml"[Uniform(0, 2)], Uniform(0, customers / 2),
                       110000 + Uniform(1, 20), status,
                       status == "delivered" || status == "rto" ? FormatTimestamp(delivered) : "");
      if (status == "delivered" && Uniform(0, 3) == 0) {
        int abuse = Uniform(0, 2) == 0;
        if (returns == flip_label_of_return) abuse = !abuse;
        r << fmt::format("R{},O{},{},\"Size, fit\",{},{}\n", returns++, i,
                         FormatTimestamp(delivered + Uniform(0, 29) * kDay + 5),
                         abuse ? "used" : "pass", abuse);
      }
    }
    return dir_.string();
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::filesystem::path dir_;
  std::mt19937 rng_;
};

bool BitIdentical(std::span<const float> a, std::span<const float> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size_bytes()) == 0;
}

TEST(TrainingRows, OnlineIngestionReproducesTrainingRowsBitForBit) {
  const std::string dir = SmallMarketplace("online_offline").Write(150, 3000);
  FeatureEngine offline;
  DataLake lake = LoadDataLake(dir, &offline.catalog()).value();
  offline.set_calendar(lake.festivals);
  const TrainingRows rows = BuildTrainingRows(lake, &offline, true, true);
  ASSERT_GT(rows.orders.rows(), 1000u);
  ASSERT_GT(rows.returns.rows(), 100u);

  // A fresh engine fed the same events one by one, by their string ids, as
  // the service would receive them.
  FeatureEngine online(lake.festivals);
  size_t order_row = 0, return_row = 0;
  std::vector<float> features;
  for (const Event& e : lake.events) {
    const RawEvent raw = ToRawEvent(e, offline.catalog());
    const auto kind = online.Ingest(raw, &features);
    if (kind == DecisionKind::kOrder && order_row < rows.orders.rows() &&
        rows.orders.ids[order_row] == raw.order_id) {
      ASSERT_TRUE(BitIdentical(features, {rows.orders.row(order_row), rows.orders.cols()}))
          << raw.order_id;
      ++order_row;
    } else if (kind == DecisionKind::kReturn && return_row < rows.returns.rows() &&
               rows.returns.ids[return_row] == raw.return_id) {
      ASSERT_TRUE(BitIdentical(features, {rows.returns.row(return_row), rows.returns.cols()}))
          << raw.return_id;
      ++return_row;
    }
  }
  EXPECT_EQ(order_row, rows.orders.rows());
  EXPECT_EQ(return_row, rows.returns.rows());
}

TEST(TrainingRows, FlippingALaterLabelChangesNoEarlierRow) {
  const std::string a = SmallMarketplace("label_a").Write(100, 2000);
  FeatureEngine engine_a;
  DataLake lake_a = LoadDataLake(a, &engine_a.catalog()).value();
  // Plant the change on a label revealed mid-period.
  const Timestamp mid = ParseTimestamp("2025-10-15").value();
  uint32_t ret = kNoId;
  Timestamp revealed = 0;
  for (const Event& e : lake_a.events) {
    if (e.type == EventType::kLabel && e.at > mid) {
      ret = e.ret;
      revealed = e.at;
      break;
    }
  }
  ASSERT_NE(ret, kNoId);
  const int planted = std::stoi(engine_a.catalog().Name(Entity::kReturn, ret).substr(1));
  const std::string b = SmallMarketplace("label_b").Write(100, 2000, planted);
  FeatureEngine engine_b;
  DataLake lake_b = LoadDataLake(b, &engine_b.catalog()).value();
  const TrainingRows rows_a = BuildTrainingRows(lake_a, &engine_a, true, true);
  const TrainingRows rows_b = BuildTrainingRows(lake_b, &engine_b, true, true);
  ASSERT_GT(revealed, 0);
  ASSERT_EQ(rows_a.orders.rows(), rows_b.orders.rows());
  size_t before = 0, changed_after = 0;
  for (size_t i = 0; i < rows_a.orders.rows(); ++i) {
    const bool same = BitIdentical({rows_a.orders.row(i), rows_a.orders.cols()},
                                   {rows_b.orders.row(i), rows_b.orders.cols()});
    if (rows_a.orders.times[i] <= revealed) {
      ASSERT_TRUE(same) << "row " << rows_a.orders.ids[i] << " saw a label from its future";
      ++before;
    } else {
      changed_after += !same;
    }
  }
  EXPECT_GT(before, 100u) << "label revealed at " << FormatTimestamp(revealed);
  EXPECT_GT(changed_after, 0u);  // the label does matter once it is known
}

}  // namespace
}  // namespace vigil
