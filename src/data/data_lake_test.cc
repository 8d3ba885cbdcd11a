#include "data/data_lake.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

class DataLakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "external");
    Write("customers.csv",
          "customer_id,registered_at,state,pincode\n"
          "C1,2024-01-01T10:00:00+05:30,Delhi,110001\n"
          "C2,2025-06-01,Bihar,800001\n");
    Write("products.csv",
          "product_id,category,price,seller_id\nP1,Fashion,999,S1\nP2,electronics,25000.50,S2\n");
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  StatusOr<DataLake> Load() { return LoadDataLake(dir_.string(), &catalog_); }
  static std::vector<std::string> Issues(const DataLake& lake) {
    std::vector<std::string> out;
    for (const LoadIssue& issue : lake.report.issues()) out.push_back(issue.ToString());
    return out;
  }

  std::filesystem::path dir_;
  Catalog catalog_;
};

constexpr char kOrderHeader[] =
    "order_id,customer_id,product_id,ordered_at,amount,payment_method,delivery_status,"
    "delivered_at\n";

TEST_F(DataLakeTest, TurnsRowsIntoTimeOrderedEventsWithOutcomes) {
  Write("orders.csv",
        std::string(kOrderHeader) +
            "O2,C2,P2,2025-07-02T10:00:00+05:30,25000,upi,rto,2025-07-06T10:00:00+05:30\n"
            "O1,C1,P1,2025-07-01T10:00:00+05:30,999,COD,delivered,2025-07-03T12:00:00Z\n");
  Write("returns.csv",
        "return_id,order_id,requested_at,reason,qc_result,is_abuse\n"
        "R1,O1,2025-07-05T09:00:00+05:30,\"Too small, wrong fit\",used,1\n");
  LoadOptions options;
  options.settle_horizon = 0;  // every outcome in the files counts as final here
  const DataLake lake = LoadDataLake(dir_.string(), &catalog_, options).value();
  EXPECT_EQ(lake.report.issue_count(), 0) << ::testing::PrintToString(Issues(lake));
  std::vector<EventType> types;
  for (const Event& e : lake.events) types.push_back(e.type);
  EXPECT_THAT(types,
              ::testing::ElementsAre(
                  EventType::kCustomerUpserted, EventType::kCustomerUpserted,
                  EventType::kProductUpserted, EventType::kProductUpserted, EventType::kOrderPlaced,
                  EventType::kOrderPlaced, EventType::kOrderDelivered, EventType::kReturnRequested,
                  EventType::kOrderRto, EventType::kReturnQcCompleted, EventType::kLabel));
  const Event& placed = lake.events[4];
  EXPECT_EQ(catalog_.Name(Entity::kOrder, placed.order), "O1");
  EXPECT_EQ(placed.payment, PaymentMethod::kCod);
  EXPECT_EQ(catalog_.Name(Entity::kCategory, placed.category), "fashion");
  EXPECT_EQ(catalog_.Name(Entity::kSeller, placed.seller), "S1");
  EXPECT_EQ(lake.events[7].reason, ReturnReason::kSizeFit);
  // QC and label are revealed qc_delay (4 days) after the request.
  EXPECT_EQ(lake.events[10].at - lake.events[7].at, 4 * kSecondsPerDay);
  EXPECT_EQ(lake.order_labels[catalog_.Find(Entity::kOrder, "O1")], 1);  // abusive return
  EXPECT_EQ(lake.order_labels[catalog_.Find(Entity::kOrder, "O2")], 1);  // RTO
  EXPECT_EQ(lake.return_labels[catalog_.Find(Entity::kReturn, "R1")], 1);
}

TEST_F(DataLakeTest, ReportsEachBadOrderRowWithFileAndLineAndKeepsTheRest) {
  Write("orders.csv",
        std::string(kOrderHeader) +
            "O1,C1,P1,2025-07-01T10:00:00+05:30,999,cod,delivered,\n"             // 2 ok
            "O2,C1,P1,2025-07-01T10:00:00+05:30,999,bitcoin,delivered,\n"         // 3
            "O3,C1,P1,not-a-time,999,cod,delivered,\n"                            // 4
            "O4,C1,P1,2025-07-01T10:00:00+05:30,-5,cod,delivered,\n"              // 5
            "O5,C1,P1,2025-07-01T10:00:00+05:30,99999999999,cod,delivered,\n"     // 6
            "O6,C9,P1,2025-07-01T10:00:00+05:30,999,cod,delivered,\n"             // 7
            "O7,C1,P9,2025-07-01T10:00:00+05:30,999,cod,delivered,\n"             // 8
            "O1,C1,P1,2025-07-01T10:00:00+05:30,999,cod,delivered,\n"             // 9
            "O8,C1,\"P1\"x,2025-07-01T10:00:00+05:30,999,cod,delivered,\n"        // 10
            "O9,C1,P1,2025-07-01T10:00:00+05:30,999\n"                            // 11
            "O10,C1,P1,2025-07-01T10:00:00+05:30,999,cod,lost,\n"                 // 12
            "O11,C1,P1,2025-07-05T10:00:00+05:30,999,cod,delivered,2025-07-01\n"  // 13
            "O12,C2,P2,2025-07-02T10:00:00Z,100,upi,,\n");                        // 14 ok
  const DataLake lake = Load().value();
  EXPECT_THAT(
      Issues(lake),
      ::testing::ElementsAre(HasSubstr("orders.csv:3: unknown payment_method 'bitcoin'"),
                             HasSubstr("orders.csv:4: ordered_at: bad timestamp 'not-a-time'"),
                             HasSubstr("orders.csv:5: amount -5 is negative"),
                             HasSubstr("orders.csv:6: amount 99999999999 is absurd"),
                             HasSubstr("orders.csv:7: unknown customer_id C9"),
                             HasSubstr("orders.csv:8: unknown product_id P9"),
                             HasSubstr("orders.csv:9: duplicate order_id O1"),
                             HasSubstr("orders.csv:10: malformed CSV"),
                             HasSubstr("orders.csv:11: expected 8 fields as in the header, got 5"),
                             HasSubstr("orders.csv:12: unknown delivery_status 'lost'"),
                             HasSubstr("orders.csv:13: delivered_at is before ordered_at")));
  const FileSummary& orders = lake.report.files().back();
  EXPECT_EQ(orders.rows, 13);
  EXPECT_EQ(orders.accepted, 2);
  EXPECT_EQ(orders.rejected, 11);
  EXPECT_EQ(lake.order_labels[catalog_.Find(Entity::kOrder, "O12")], kLabelUnknown);  // pending
}

TEST_F(DataLakeTest, ReportsBadReturnRows) {
  Write("orders.csv",
        std::string(kOrderHeader) + "O1,C1,P1,2025-07-01T10:00:00+05:30,999,cod,delivered,\n");
  Write("returns.csv",
        "return_id,order_id,requested_at,reason,qc_result,is_abuse,qc_completed_at\n"
        "R1,O9,2025-07-05,size,pass,0,\n"
        "R2,O1,2025-06-05,size,pass,0,\n"
        "R3,O1,2025-07-05,size,shredded,0,\n"
        "R4,O1,2025-07-05,size,pass,maybe,\n"
        "R6,O1,2025-07-05,size,pass,0,2025-07-01\n"
        "R5,O1,2025-07-05,size,pass,0,\n"
        "R5,O1,2025-07-06,size,pass,0,\n");
  const DataLake lake = Load().value();
  EXPECT_THAT(Issues(lake), ::testing::ElementsAre(
                                HasSubstr("returns.csv:2: unknown order_id 'O9'"),
                                HasSubstr("returns.csv:3: requested_at is before the order"),
                                HasSubstr("returns.csv:4: unknown qc_result 'shredded'"),
                                HasSubstr("returns.csv:5: is_abuse 'maybe' is not 0 or 1"),
                                HasSubstr("returns.csv:6: qc_completed_at is before requested_at"),
                                HasSubstr("returns.csv:8: duplicate return_id R5")));
  EXPECT_TRUE(lake.has_returns);
}

TEST_F(DataLakeTest, ReadsBomCrlfAndRenamedColumns) {
  Write("orders.csv",
        "\xEF\xBB\xBFORDER,customer_id,product_id,ordered_at,amount,payment_method\r\n"
        "O1,C1,P1,2025-07-01 10:00:00,999,upi\r\n");
  LoadOptions options;
  options.column_names["order_id"] = "ORDER";
  const DataLake lake = LoadDataLake(dir_.string(), &catalog_, options).value();
  EXPECT_EQ(lake.report.issue_count(), 0) << ::testing::PrintToString(Issues(lake));
  EXPECT_EQ(catalog_.Find(Entity::kOrder, "O1"), 0u);
  // A zoneless time is read as India time.
  EXPECT_EQ(lake.first_order_at, ParseTimestamp("2025-07-01T04:30:00Z").value());
}

TEST_F(DataLakeTest, FailsWhenNothingUsableRemains) {
  Write("orders.csv", std::string(kOrderHeader) + "O1,C1,P1,never,999,cod,delivered,\n");
  const auto lake = Load();
  EXPECT_EQ(lake.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(lake.status().message(), HasSubstr("no usable order rows"));
}

TEST_F(DataLakeTest, NamesMissingRequiredColumns) {
  Write("orders.csv", "order_id,customer_id\nO1,C1\n");
  const auto lake = Load();
  EXPECT_THAT(lake.status().message(),
              HasSubstr("orders.csv:1: missing required column(s) product_id, ordered_at, amount, "
                        "payment_method"));
}

TEST_F(DataLakeTest, AcceptsOrdersWithoutCatalogueFiles) {
  std::filesystem::remove(dir_ / "customers.csv");
  std::filesystem::remove(dir_ / "products.csv");
  Write("orders.csv", std::string(kOrderHeader) + "O1,C7,P7,2025-07-01,10,upi,delivered,\n");
  const DataLake lake = Load().value();
  EXPECT_EQ(lake.report.issue_count(), 0);
  EXPECT_EQ(lake.events.size(), 2u);  // placed + delivered (at an assumed time)
  EXPECT_EQ(lake.events[1].at - lake.events[0].at, LoadOptions{}.assumed_delivery_delay);
}

TEST_F(DataLakeTest, MissingDirectoryIsNotFound) {
  EXPECT_EQ(LoadDataLake("/nonexistent/dir", &catalog_).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

TEST_F(DataLakeTest, RecentOrdersHaveNoLabelUntilTheyCanNoLongerComeBack) {
  Write("orders.csv", std::string(kOrderHeader) +
                          "O1,C1,P1,2025-07-01T10:00:00Z,999,upi,delivered,2025-07-03T10:00:00Z\n"
                          "O2,C1,P1,2025-07-02T10:00:00Z,999,cod,rto,2025-07-05T10:00:00Z\n"
                          "O3,C1,P1,2025-08-20T10:00:00Z,999,upi,delivered,2025-08-22T10:00:00Z\n"
                          "O4,C1,P1,2025-08-25T10:00:00Z,999,cod,rto,2025-08-28T10:00:00Z\n"
                          "O5,C1,P1,2025-09-10T10:00:00Z,999,upi,delivered,2025-09-12T10:00:00Z\n");
  const DataLake lake = Load().value();
  auto label = [&](const char* id) { return lake.order_labels[catalog_.Find(Entity::kOrder, id)]; };
  EXPECT_EQ(lake.data_end, ParseTimestamp("2025-09-12T10:00:00Z").value());
  EXPECT_EQ(label("O1"), 0);  // placed over 41 days before the end: settled
  EXPECT_EQ(label("O2"), 1);
  // Placed within 41 days of the end: good and bad outcomes alike are not final.
  EXPECT_EQ(label("O3"), kLabelUnknown);
  EXPECT_EQ(label("O4"), kLabelUnknown);
  EXPECT_EQ(label("O5"), kLabelUnknown);
}

}  // namespace
}  // namespace vigil
