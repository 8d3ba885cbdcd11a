#include "common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"

namespace vigil {
namespace {

TEST(WorkerPoolTest, RunsSubmittedJobs) {
  std::atomic<int> ran{0};
  absl::Notification all_done;
  {
    WorkerPool pool(2, 8, "test-pool");
    for (int i = 0; i < 4; ++i) {
      WorkerPool::Job job = [&](bool cancelled) {
        if (!cancelled && ran.fetch_add(1) + 1 == 4) all_done.Notify();
      };
      ASSERT_TRUE(pool.TrySubmit(job));
    }
    all_done.WaitForNotification();
  }
  EXPECT_EQ(ran.load(), 4);
}

TEST(WorkerPoolTest, RefusesWhenFullAndCancelsWhatIsQueuedAtShutdown) {
  absl::Notification release, started;
  std::atomic<int> cancelled_jobs{0};
  {
    WorkerPool pool(1, 1, "test-pool");
    WorkerPool::Job blocker = [&](bool) {
      started.Notify();
      release.WaitForNotification();
    };
    ASSERT_TRUE(pool.TrySubmit(blocker));
    started.WaitForNotification();  // the only thread is busy
    WorkerPool::Job queued = [&](bool cancelled) { cancelled_jobs += cancelled ? 1 : 0; };
    ASSERT_TRUE(pool.TrySubmit(queued));
    WorkerPool::Job refused = [](bool) {};
    EXPECT_FALSE(pool.TrySubmit(refused));
    EXPECT_TRUE(static_cast<bool>(refused));  // left to the caller
    // Shut down while `queued` waits: it runs cancelled once the blocker ends.
    std::thread releaser([&] { release.Notify(); });
    releaser.join();
  }
  EXPECT_LE(cancelled_jobs.load(), 1);
}

TEST(WorkerPoolTest, StopFinishesTheRunningJobAndRefusesNewOnes) {
  absl::Notification started, release;
  std::atomic<bool> finished{false};
  WorkerPool pool(1, 4, "test-pool");
  WorkerPool::Job running = [&](bool) {
    started.Notify();
    release.WaitForNotification();
    finished = true;
  };
  ASSERT_TRUE(pool.TrySubmit(running));
  started.WaitForNotification();
  std::thread stopper([&] { pool.Stop(); });
  release.Notify();
  stopper.join();
  EXPECT_TRUE(finished.load());
  WorkerPool::Job late = [](bool) {};
  EXPECT_FALSE(pool.TrySubmit(late));
  pool.Stop();  // again: nothing to do
}

}  // namespace
}  // namespace vigil
