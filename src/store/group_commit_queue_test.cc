#include "store/group_commit_queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(GroupCommitQueueTest, TakesEverythingQueuedInPushOrder) {
  GroupCommitQueue<int> queue(100);
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(queue.Push(int{i}, 10).ok());
  EXPECT_EQ(queue.depth(), 5u);
  EXPECT_THAT(queue.TakeGroup(100, 1000), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(queue.depth(), 0u);
}

TEST(GroupCommitQueueTest, GroupsStopAtTheCountAndByteCaps) {
  GroupCommitQueue<int> queue(100);
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(queue.Push(int{i}, 10).ok());
  EXPECT_THAT(queue.TakeGroup(2, 1000), ElementsAre(1, 2));
  EXPECT_THAT(queue.TakeGroup(100, 25), ElementsAre(3, 4, 5));  // 30 bytes >= 25
  EXPECT_THAT(queue.TakeGroup(100, 1), ElementsAre(6));         // always at least one
}

TEST(GroupCommitQueueTest, PushFailsWhenFullAndLeavesTheItem) {
  GroupCommitQueue<std::string> queue(1);
  ASSERT_TRUE(queue.Push(std::string("a"), 1).ok());
  std::string b = "b";
  EXPECT_EQ(queue.Push(std::move(b), 1),
            absl::ResourceExhaustedError("the store's write queue is full (1 waiting)"));
  EXPECT_EQ(b, "b");
}

TEST(GroupCommitQueueTest, CloseRefusesPushesButDrainsWhatIsQueued) {
  GroupCommitQueue<int> queue(10);
  ASSERT_TRUE(queue.Push(7, 1).ok());
  queue.Close();
  EXPECT_EQ(queue.Push(8, 1), absl::FailedPreconditionError("the store is closed"));
  EXPECT_THAT(queue.TakeGroup(10, 10), ElementsAre(7));
  EXPECT_THAT(queue.TakeGroup(10, 10), IsEmpty());
}

TEST(GroupCommitQueueTest, TakeGroupWaitsForAPush) {
  GroupCommitQueue<int> queue(10);
  std::vector<int> taken;
  std::thread writer([&] { taken = queue.TakeGroup(10, 10); });
  ASSERT_TRUE(queue.Push(42, 1).ok());
  writer.join();
  EXPECT_THAT(taken, ElementsAre(42));
}

TEST(GroupCommitQueueTest, AReservedPlaceKeepsItsOrderAndHoldsBackWhatFollows) {
  GroupCommitQueue<int> queue(10);
  ASSERT_TRUE(queue.Push(1, 1).ok());
  const uint64_t ticket = *queue.Reserve();
  ASSERT_TRUE(queue.Push(3, 1).ok());
  // Only what precedes the unfilled place can go.
  EXPECT_THAT(queue.TakeGroup(10, 10), ElementsAre(1));
  std::vector<int> taken;
  std::thread writer([&] { taken = queue.TakeGroup(10, 10); });
  queue.Fill(ticket, 2, 1);
  writer.join();
  EXPECT_THAT(taken, ElementsAre(2, 3));
}

TEST(GroupCommitQueueTest, ACancelledPlaceIsSkipped) {
  GroupCommitQueue<int> queue(10);
  const uint64_t first = *queue.Reserve();
  const uint64_t second = *queue.Reserve();
  ASSERT_TRUE(queue.Push(3, 1).ok());
  queue.Cancel(first);
  queue.Fill(second, 2, 1);
  EXPECT_THAT(queue.TakeGroup(10, 10), ElementsAre(2, 3));
  EXPECT_EQ(queue.depth(), 0u);
}

TEST(GroupCommitQueueTest, ReservationsCountTowardsTheCapAndCloseWaitsForThemToBeFilled) {
  GroupCommitQueue<int> queue(2);
  const uint64_t ticket = *queue.Reserve();
  ASSERT_TRUE(queue.Push(2, 1).ok());
  EXPECT_TRUE(absl::IsResourceExhausted(queue.Reserve().status()));
  queue.Close();
  EXPECT_TRUE(absl::IsFailedPrecondition(queue.Reserve().status()));
  std::vector<int> first;
  std::thread writer([&] { first = queue.TakeGroup(10, 10); });
  queue.Fill(ticket, 1, 1);  // a place taken before Close is still filled
  writer.join();
  EXPECT_THAT(first, ElementsAre(1, 2));
  EXPECT_THAT(queue.TakeGroup(10, 10), IsEmpty());
}

TEST(GroupCommitQueueTest, TicketsStayValidAsTheFrontMoves) {
  GroupCommitQueue<int> queue(100);
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(queue.Push(int{round * 10}, 1).ok());
    const uint64_t a = *queue.Reserve();
    const uint64_t b = *queue.Reserve();
    queue.Fill(b, round * 10 + 2, 1);
    queue.Fill(a, round * 10 + 1, 1);
    EXPECT_THAT(queue.TakeGroup(100, 100), ElementsAre(round * 10, round * 10 + 1, round * 10 + 2));
  }
}

}  // namespace
}  // namespace vigil
