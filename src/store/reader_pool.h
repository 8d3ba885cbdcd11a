// ReaderPool: a small pool of read-only SQLite connections to one database,
// opened on demand up to a maximum. In WAL mode readers never wait for the
// writer, and each read statement sees the state of one commit.
//
// Thread-safety: Acquire may be called from any thread; a Lease (and the
// connection it holds) belongs to the thread that acquired it.
#ifndef VIGIL_STORE_READER_POOL_H_
#define VIGIL_STORE_READER_POOL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "store/sqlite_connection.h"

namespace vigil {

class ReaderPool {
 public:
  // A connection on loan; returned to the pool when the lease is destroyed.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<SqliteConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    ~Lease();
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    SqliteConnection* operator->() const { return connection_.get(); }
    SqliteConnection& operator*() const { return *connection_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<SqliteConnection> connection_;
  };

  // `max_connections` >= 1. Opens nothing yet.
  ReaderPool(std::string path, SqliteConnectionOptions options, int max_connections);

  // An idle connection, a new one while fewer than the maximum are open, or
  // else waits for one to come back. Errors are those of opening.
  [[nodiscard]] StatusOr<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqliteConnection> connection);
  bool CanAcquire() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || open_ < max_connections_;
  }

  const std::string path_;
  const SqliteConnectionOptions options_;
  const int max_connections_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<SqliteConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle + leased
};

}  // namespace vigil

#endif  // VIGIL_STORE_READER_POOL_H_
