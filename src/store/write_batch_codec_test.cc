#include "store/write_batch_codec.h"

#include <gtest/gtest.h>

#include "store/store_records_for_test.h"

namespace vigil {
namespace {

WriteBatch SampleBatch() {
  WriteBatch batch;
  batch.events.push_back({"order.placed:O1", "order.placed", 1'717'000'000, "{\"a\":1}"});
  batch.events.push_back({"e2", "label", -5, std::string("bin\0ary", 7)});
  DecisionRecord d = TestDecision("dec_1", "O1", 1'717'000'001);
  d.risk_score = 0.8125;
  d.features = {1.5f, -2.0f, 0.0f};
  d.contributions = {0.25, -0.125, 3.0, 0.5};
  batch.decisions.push_back(d);
  return batch;
}

TEST(WriteBatchCodecTest, ABatchReadsBackFieldForField) {
  const WriteBatch batch = SampleBatch();
  std::string bytes;
  EncodeWriteBatch(batch, &bytes);
  StatusOr<WriteBatch> decoded = DecodeWriteBatch(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->events.size(), 2u);
  EXPECT_EQ(decoded->events[0].event_id, "order.placed:O1");
  EXPECT_EQ(decoded->events[0].type, "order.placed");
  EXPECT_EQ(decoded->events[0].at, 1'717'000'000);
  EXPECT_EQ(decoded->events[1].at, -5);
  EXPECT_EQ(decoded->events[1].payload, std::string("bin\0ary", 7));
  ASSERT_EQ(decoded->decisions.size(), 1u);
  EXPECT_EQ(decoded->decisions[0], batch.decisions[0]);
}

TEST(WriteBatchCodecTest, AnEmptyBatchReadsBackEmpty) {
  std::string bytes;
  EncodeWriteBatch({}, &bytes);
  StatusOr<WriteBatch> decoded = DecodeWriteBatch(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(decoded->events.empty());
  EXPECT_TRUE(decoded->decisions.empty());
}

TEST(WriteBatchCodecTest, EveryCutShortEncodingIsDataLossNotACrash) {
  std::string bytes;
  EncodeWriteBatch(SampleBatch(), &bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    StatusOr<WriteBatch> decoded = DecodeWriteBatch(std::string_view(bytes).substr(0, size));
    ASSERT_FALSE(decoded.ok()) << size;
    EXPECT_TRUE(absl::IsDataLoss(decoded.status())) << decoded.status();
  }
  StatusOr<WriteBatch> longer = DecodeWriteBatch(bytes + "x");
  EXPECT_TRUE(absl::IsDataLoss(longer.status())) << longer.status();
}

TEST(WriteBatchCodecTest, AHugeCountIsRefusedBeforeAnyAllocation) {
  std::string bytes(1, '\x01');
  bytes += std::string("\xff\xff\xff\xff", 4);  // 4 billion events in 0 bytes
  StatusOr<WriteBatch> decoded = DecodeWriteBatch(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("event count"), std::string::npos) << decoded.status();
}

TEST(WriteBatchCodecTest, AnotherVersionIsNamed) {
  std::string bytes;
  EncodeWriteBatch(SampleBatch(), &bytes);
  bytes[0] = 9;
  StatusOr<WriteBatch> decoded = DecodeWriteBatch(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("version 9"), std::string::npos) << decoded.status();
}

}  // namespace
}  // namespace vigil
