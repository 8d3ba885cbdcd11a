#include "store/float_blob.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil {
namespace {

using ::testing::ElementsAre;

TEST(FloatBlobTest, RoundTripsFloatsBitForBitIncludingNan) {
  const std::vector<float> features = {0.1f, -0.0f, std::numeric_limits<float>::quiet_NaN(),
                                       std::numeric_limits<float>::denorm_min(), 3.4e38f};
  const std::string bytes = EncodeFloatBlob(std::span<const float>(features));
  ASSERT_EQ(bytes.size(), 20u);
  auto decoded = DecodeFloatBlob<float>(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->size(), features.size());
  for (size_t i = 0; i < features.size(); ++i) {
    EXPECT_EQ(std::bit_cast<uint32_t>((*decoded)[i]), std::bit_cast<uint32_t>(features[i])) << i;
  }
}

TEST(FloatBlobTest, DoublesAreLittleEndianEightByteValues) {
  const std::vector<double> values = {1.0, -2.5};
  const std::string bytes = EncodeFloatBlob(std::span<const double>(values));
  // 1.0 is 0x3FF0000000000000: its last byte on disk is 0x3F.
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[7]), 0x3F);
  EXPECT_EQ(static_cast<unsigned char>(bytes[6]), 0xF0);
  EXPECT_THAT(*DecodeFloatBlob<double>(bytes), ElementsAre(1.0, -2.5));
}

TEST(FloatBlobTest, EmptyBlobIsAnEmptyVectorAndABrokenLengthIsDataLoss) {
  EXPECT_TRUE(DecodeFloatBlob<double>("")->empty());
  auto broken = DecodeFloatBlob<float>(std::string(7, '\0'));
  EXPECT_TRUE(absl::IsDataLoss(broken.status())) << broken.status();
  EXPECT_THAT(std::string(broken.status().message()), ::testing::HasSubstr("7 bytes"));
}

}  // namespace
}  // namespace vigil
