#include "store/sqlite_handles.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/store_records_for_test.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

class SqliteHandlesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open(dir_.path() + "/t.db");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, x REAL, b BLOB)").ok());
  }

  ScopedTempDir dir_;
  SqliteDb db_;
};

TEST_F(SqliteHandlesTest, BindsAndReadsEveryType) {
  auto insert = SqliteStatement::Prepare(db_.get(), "INSERT INTO t VALUES (?, ?, ?, ?)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindAll("key", int64_t{-5}, 2.5, SqlBlob{std::string("a\0b", 3)}).ok());
  ASSERT_TRUE(insert->Run().ok());
  insert->Reset();
  ASSERT_TRUE(insert->BindAll("null", 1, 0.0, std::optional<int64_t>()).ok());
  ASSERT_TRUE(insert->Run().ok());

  auto select = SqliteStatement::Prepare(db_.get(), "SELECT k, n, x, b FROM t ORDER BY k");
  ASSERT_TRUE(select.ok());
  ASSERT_TRUE(*select->Step());
  EXPECT_EQ(select->ColumnText(0), "key");
  EXPECT_EQ(select->ColumnInt(1), -5);
  EXPECT_EQ(select->ColumnDouble(2), 2.5);
  EXPECT_EQ(select->ColumnText(3), std::string("a\0b", 3));
  ASSERT_TRUE(*select->Step());
  EXPECT_TRUE(select->ColumnIsNull(3));
  EXPECT_EQ(select->ColumnText(3), "");
  EXPECT_FALSE(*select->Step());
}

TEST_F(SqliteHandlesTest, UniqueViolationIsAlreadyExists) {
  ASSERT_TRUE(db_.Exec("INSERT INTO t (k) VALUES ('a')").ok());
  const Status status = db_.Exec("INSERT INTO t (k) VALUES ('a')");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(), HasSubstr("UNIQUE constraint failed: t.k"));
}

TEST_F(SqliteHandlesTest, BadSqlNamesTheStatement) {
  const StatusOr<SqliteStatement> stmt = SqliteStatement::Prepare(db_.get(), "SELEC 1");
  EXPECT_EQ(stmt.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(stmt.status().message(), HasSubstr("prepare 'SELEC 1'"));
}

TEST(SqliteDbTest, OpenInAMissingDirectoryIsPermissionDenied) {
  const StatusOr<SqliteDb> db = SqliteDb::Open("/nonexistent-dir/vigil.db");
  EXPECT_EQ(db.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(db.status().message(), HasSubstr("open /nonexistent-dir/vigil.db"));
}

TEST(SqliteDbTest, MovedFromOwnerReleasesNothing) {
  ScopedTempDir dir;
  auto db = SqliteDb::Open(dir.path() + "/m.db");
  ASSERT_TRUE(db.ok());
  SqliteDb moved = *std::move(db);
  SqliteDb target;
  target = std::move(moved);
  EXPECT_EQ(moved.get(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(target.Exec("SELECT 1").ok());
}

}  // namespace
}  // namespace vigil
