#include "narrate/narration_cache.h"

#include <gtest/gtest.h>

namespace vigil {
namespace {

TEST(NarrationCacheTest, EvictsTheLeastRecentlyUsedEntry) {
  NarrationCache cache(2);
  cache.Put("a", "A");
  cache.Put("b", "B");
  EXPECT_EQ(cache.Get("a"), "A");  // a is now the most recent
  cache.Put("c", "C");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Get("b"), std::nullopt);
  EXPECT_EQ(cache.Get("a"), "A");
  EXPECT_EQ(cache.Get("c"), "C");
}

TEST(NarrationCacheTest, PutReplacesWithoutGrowing) {
  NarrationCache cache(2);
  cache.Put("a", "A");
  cache.Put("a", "A2");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("a"), "A2");
}

TEST(NarrationCacheTest, ZeroCapacityHoldsNothing) {
  NarrationCache cache(0);
  cache.Put("a", "A");
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Get("a"), std::nullopt);
}

}  // namespace
}  // namespace vigil
