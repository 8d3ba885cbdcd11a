#include "store/wal_batching_vfs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite_connection.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

class WalBatchingVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = SqliteConnection::Open(path_, {});
    ASSERT_TRUE(c.ok()) << c.status();
    writer_ = *std::move(c);
    ASSERT_TRUE(writer_->Exec("CREATE TABLE t (n INTEGER PRIMARY KEY, body BLOB)").ok());
  }

  // Inserts `rows` rows of 6 000 bytes (about a page each) in one commit.
  void Commit(int first, int rows) {
    ASSERT_TRUE(writer_->Exec("BEGIN").ok());
    for (int n = first; n < first + rows; ++n) {
      const Status insert =
          writer_->Exec("INSERT INTO t VALUES (" + std::to_string(n) + ", zeroblob(6000))");
      ASSERT_TRUE(insert.ok()) << insert;
    }
    ASSERT_TRUE(writer_->Exec("COMMIT").ok());
  }

  using PlainDb = std::unique_ptr<sqlite3, int (*)(sqlite3*)>;

  // Opened with SQLite's default VFS: sees only what reached the files.
  PlainDb OpenPlain() {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    return PlainDb(raw, sqlite3_close_v2);
  }

  static int64_t Count(sqlite3* db, const std::string& sql) {
    auto stmt = SqliteStatement::Prepare(db, sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status();
    if (!stmt.ok()) return -1;
    auto row = stmt->Step();
    EXPECT_TRUE(row.ok() && *row) << sql;
    return row.ok() && *row ? stmt->ColumnInt(0) : -1;
  }

  ScopedTempDir dir_;
  std::string path_ = dir_.path() + "/v.db";
  std::unique_ptr<SqliteConnection> writer_;
};

TEST_F(WalBatchingVfsTest, ACommitOfManyPagesReachesTheWalInOneWrite) {
  Commit(0, 1);  // the WAL's header is written and synced on its own once
  const WalBatchingCounts before = WalBatchingCountsNow();
  Commit(1, 12);
  const WalBatchingCounts after = WalBatchingCountsNow();
  // Two writes per frame from SQLite: at least the 12 new pages' frames.
  EXPECT_GE(after.wal_writes_requested - before.wal_writes_requested, 24);
  EXPECT_EQ(after.wal_writes_issued - before.wal_writes_issued, 1);
}

TEST_F(WalBatchingVfsTest, AnotherConnectionReadsEveryCommitWithoutTheCommitsSync) {
  // NORMAL: no sync at commit, so only the flush before the wal-index is
  // published puts the frames in the file before a reader can look for them.
  ASSERT_TRUE(writer_->Exec("PRAGMA synchronous = NORMAL").ok());
  PlainDb reader = OpenPlain();
  for (int commit = 0; commit < 40; ++commit) {
    Commit(commit * 3, 3);
    EXPECT_EQ(Count(reader.get(), "SELECT count(*) FROM t"), (commit + 1) * 3);
    EXPECT_EQ(Count(reader.get(), "SELECT sum(length(body)) FROM t WHERE body = zeroblob(6000)"),
              (commit + 1) * 3 * 6000);
  }
}

TEST_F(WalBatchingVfsTest, ADatabaseWrittenThroughItIsIntactForTheDefaultVfsAfterClose) {
  for (int commit = 0; commit < 20; ++commit) Commit(commit * 5, 5);
  writer_.reset();  // the last connection checkpoints and removes the WAL
  PlainDb plain = OpenPlain();
  auto check = SqliteStatement::Prepare(plain.get(), "PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  ASSERT_TRUE(check->Step().value_or(false));
  EXPECT_EQ(check->ColumnText(0), "ok");
  EXPECT_EQ(Count(plain.get(), "SELECT count(*) FROM t"), 100);
}

TEST_F(WalBatchingVfsTest, ATransactionLargerThanTheBufferIsWrittenInPiecesAndCommitted) {
  const WalBatchingCounts before = WalBatchingCountsNow();
  Commit(0, 400);  // ~3 MiB of frames
  const WalBatchingCounts after = WalBatchingCountsNow();
  // Written as it grew, 124 KiB a write: the unix VFS takes < 128 KiB.
  EXPECT_GE(after.wal_writes_issued - before.wal_writes_issued, 3 * 1024 / 124);
  PlainDb plain = OpenPlain();
  EXPECT_EQ(Count(plain.get(), "SELECT count(*) FROM t"), 400);
}

TEST_F(WalBatchingVfsTest, ATransactionRolledBackAfterSpillingLeavesTheCommittedRowsOnly) {
  Commit(0, 5);
  ASSERT_TRUE(writer_->Exec("BEGIN").ok());
  // ~2.4 MB: more than the page cache, so SQLite spills frames to the WAL.
  for (int n = 100; n < 500; ++n) {
    ASSERT_TRUE(
        writer_->Exec("INSERT INTO t VALUES (" + std::to_string(n) + ", zeroblob(6000))").ok());
  }
  ASSERT_TRUE(writer_->Exec("ROLLBACK").ok());
  Commit(5, 5);
  writer_.reset();
  PlainDb plain = OpenPlain();
  EXPECT_EQ(Count(plain.get(), "SELECT count(*) FROM t"), 10);
  EXPECT_EQ(Count(plain.get(),
                  "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"),
            1);
}

}  // namespace
}  // namespace vigil
