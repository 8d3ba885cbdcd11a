// GroupCommitQueue<T>: the hand-off between threads that submit writes and
// the single writer thread that commits them. Producers Push items with
// their size in bytes; the writer takes everything queued (bounded by a
// count and a byte cap) as one group, to be committed in one transaction.
// Items come out in Push order. Close lets the writer drain what is queued
// and then see an empty group.
//
// Thread-safety: all methods may be called from any thread.
#ifndef VIGIL_STORE_GROUP_COMMIT_QUEUE_H_
#define VIGIL_STORE_GROUP_COMMIT_QUEUE_H_

#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "fmt/format.h"

namespace vigil {

template <typename T>
class GroupCommitQueue {
 public:
  // `max_items`: Push fails with ResourceExhausted beyond this many waiting.
  explicit GroupCommitQueue(size_t max_items) : max_items_(max_items) {}

  // Appends `item` and wakes the writer. On failure `item` is left
  // untouched: FailedPrecondition after Close, ResourceExhausted when full.
  [[nodiscard]] Status Push(T&& item, size_t bytes) {
    absl::MutexLock lock(&mu_);
    if (closed_) return absl::FailedPreconditionError("the store is closed");
    if (items_.size() >= max_items_) {
      return absl::ResourceExhaustedError(
          fmt::format("the store's write queue is full ({} waiting)", items_.size()));
    }
    items_.emplace_back(std::move(item), bytes);
    return absl::OkStatus();
  }

  // Blocks until an item is queued or the queue is closed, then removes and
  // returns the oldest items: at least one, at most `max_items`, and no more
  // once their bytes reach `max_bytes`. Empty only when closed and drained.
  std::vector<T> TakeGroup(size_t max_items, size_t max_bytes) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &GroupCommitQueue::HasWorkOrClosed));
    std::vector<T> group;
    size_t bytes = 0;
    while (!items_.empty() && group.size() < max_items && (group.empty() || bytes < max_bytes)) {
      bytes += items_.front().second;
      group.push_back(std::move(items_.front().first));
      items_.pop_front();
    }
    return group;
  }

  // Refuses further Pushes; queued items stay for TakeGroup. Idempotent.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  size_t depth() const {
    absl::MutexLock lock(&mu_);
    return items_.size();
  }

 private:
  bool HasWorkOrClosed() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return closed_ || !items_.empty();
  }

  const size_t max_items_;
  mutable absl::Mutex mu_;
  std::deque<std::pair<T, size_t>> items_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace vigil

#endif  // VIGIL_STORE_GROUP_COMMIT_QUEUE_H_
