#include "store/reader_pool.h"

#include <algorithm>
#include <utility>

namespace vigil {

ReaderPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Release(std::move(connection_));
}

ReaderPool::ReaderPool(std::string path, SqliteConnectionOptions options, int max_connections)
    : path_(std::move(path)),
      options_{options.busy_timeout_ms, /*read_only=*/true},
      max_connections_(std::max(1, max_connections)) {}

StatusOr<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &ReaderPool::CanAcquire));
    if (!idle_.empty()) {
      std::unique_ptr<SqliteConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_;  // reserve the slot; open outside the lock
  }
  StatusOr<std::unique_ptr<SqliteConnection>> opened = SqliteConnection::Open(path_, options_);
  if (!opened.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return opened.status();
  }
  return Lease(this, *std::move(opened));
}

void ReaderPool::Release(std::unique_ptr<SqliteConnection> connection) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(connection));
}

}  // namespace vigil
