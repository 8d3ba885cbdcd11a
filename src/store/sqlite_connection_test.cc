#include "store/sqlite_connection.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "absl/synchronization/notification.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

class SqliteConnectionTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteConnection> Open(int busy_timeout_ms) {
    auto c = SqliteConnection::Open(dir_.path() + "/c.db", {busy_timeout_ms, false});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *std::move(c) : nullptr;
  }

  ScopedTempDir dir_;
};

TEST_F(SqliteConnectionTest, AWriterWaitsForAnotherConnectionsTransactionAndThenWrites) {
  std::unique_ptr<SqliteConnection> holder = Open(5000);
  std::unique_ptr<SqliteConnection> waiter = Open(5000);
  ASSERT_TRUE(holder->Exec("CREATE TABLE t (n INTEGER)").ok());
  ASSERT_TRUE(holder->Exec("BEGIN IMMEDIATE").ok());
  absl::Notification waiting;
  std::thread release([&] {
    waiting.WaitForNotification();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    ASSERT_TRUE(holder->Exec("INSERT INTO t VALUES (1)").ok());
    ASSERT_TRUE(holder->Exec("COMMIT").ok());
  });
  waiting.Notify();
  const Status write = waiter->Exec("INSERT INTO t VALUES (2)");
  release.join();
  EXPECT_TRUE(write.ok()) << write;
  auto count = waiter->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*(*count)->Step());
  EXPECT_EQ((*count)->ColumnInt(0), 2);
}

TEST_F(SqliteConnectionTest, AWriterGivesUpOnceTheBusyTimeoutHasPassed) {
  std::unique_ptr<SqliteConnection> holder = Open(5000);
  std::unique_ptr<SqliteConnection> waiter = Open(50);
  ASSERT_TRUE(holder->Exec("CREATE TABLE t (n INTEGER)").ok());
  ASSERT_TRUE(holder->Exec("BEGIN IMMEDIATE").ok());
  const auto start = std::chrono::steady_clock::now();
  const Status write = waiter->Exec("INSERT INTO t VALUES (2)");
  EXPECT_EQ(write.code(), absl::StatusCode::kUnavailable) << write;
  // It did wait (the handler polls; it does not give up at the first try).
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(50));
  ASSERT_TRUE(holder->Exec("COMMIT").ok());
}

TEST_F(SqliteConnectionTest, DeletesClearOnlyWhatTheyWriteAnyway) {
  std::unique_ptr<SqliteConnection> c = Open(5000);
  auto mode = c->Prepare("PRAGMA secure_delete");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*(*mode)->Step());
  EXPECT_EQ((*mode)->ColumnInt(0), 2);  // FAST, not Debian's default 1 (every freed page)
}

}  // namespace
}  // namespace vigil
