#include "store/reader_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/synchronization/notification.h"
#include "store/sqlite_schema.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

class ReaderPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() + "/vigil.db";
    auto writer = SqliteConnection::Open(path_, {});
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE(MigrateSqliteSchema(**writer).ok());
  }

  ScopedTempDir dir_;
  std::string path_;
};

TEST_F(ReaderPoolTest, OpensConnectionsOnDemandAndLendsTheIdleOnesAgain) {
  ReaderPool pool(path_, {}, 2);
  const SqliteConnection* first = nullptr;
  const SqliteConnection* second = nullptr;
  {
    auto a = pool.Acquire();
    auto b = pool.Acquire();
    ASSERT_TRUE(a.ok() && b.ok());
    first = &**a;
    second = &**b;
    EXPECT_NE(first, second);  // two leases at once: two connections
  }                            // b comes back, then a
  // The last one back is lent first; then the other: no third is opened.
  auto again = pool.Acquire();
  auto other = pool.Acquire();
  ASSERT_TRUE(again.ok() && other.ok());
  EXPECT_EQ(&**again, first);
  EXPECT_EQ(&**other, second);
}

TEST_F(ReaderPoolTest, AReaderBeyondTheMaximumWaitsForALeaseToComeBack) {
  ReaderPool pool(path_, {}, 1);
  std::optional<ReaderPool::Lease> held;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    held.emplace(*std::move(lease));
  }
  const SqliteConnection* lent = &**held;
  absl::Notification acquired;
  const SqliteConnection* second = nullptr;
  std::thread reader([&] {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    second = &**lease;
    acquired.Notify();
  });
  // Still waiting while the only connection is lent out.
  EXPECT_FALSE(acquired.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  held.reset();
  acquired.WaitForNotification();
  reader.join();
  EXPECT_EQ(second, lent);  // the same connection, not a new one
}

TEST_F(ReaderPoolTest, ReadersCannotWrite) {
  ReaderPool pool(path_, {}, 1);
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok());
  const Status write = (*lease)->Exec("DELETE FROM events");
  EXPECT_FALSE(write.ok());
  EXPECT_EQ(write.code(), absl::StatusCode::kPermissionDenied) << write;
}

TEST(ReaderPool, AConnectionThatFailsToOpenGivesItsPlaceBack) {
  // With one place, a leaked place would make the second Acquire wait forever.
  ReaderPool pool("/nonexistent/directory/vigil.db", {}, 1);
  EXPECT_FALSE(pool.Acquire().ok());
  EXPECT_FALSE(pool.Acquire().ok());
}

}  // namespace
}  // namespace vigil
