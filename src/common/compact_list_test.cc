#include "common/compact_list.h"

#include <vector>

#include "gtest/gtest.h"

namespace vigil {
namespace {

TEST(CompactList, IsSixteenBytes) { EXPECT_EQ(sizeof(CompactList<uint64_t>), 16u); }

TEST(CompactList, GrowsKeepsOrderAndErasesFront) {
  CompactList<int> list;
  for (int i = 0; i < 100; ++i) list.push_back(i);
  EXPECT_EQ(list.size(), 100u);
  list.erase_front(95);
  EXPECT_EQ(std::vector<int>(list.begin(), list.end()), (std::vector<int>{95, 96, 97, 98, 99}));
  EXPECT_EQ(list.back(), 99);
}

TEST(CompactList, MovesAndCopies) {
  CompactList<int> a;
  a.push_back(1);
  a.push_back(2);
  CompactList<int> copy = a;
  CompactList<int> moved = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(moved.size(), 2u);
  copy[0] = 7;
  EXPECT_EQ(moved[0], 1);
  EXPECT_EQ(copy[0], 7);
}

}  // namespace
}  // namespace vigil
