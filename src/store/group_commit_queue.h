// GroupCommitQueue<T>: the hand-off between threads that submit writes and
// the single writer thread that commits them. Producers Push items with
// their size in bytes; the writer takes everything queued (bounded by a
// count and a byte cap) as one group, to be committed in one transaction.
// Items come out in Push order. A place in that order can also be reserved
// now and filled (or cancelled) later: the writer takes nothing past an
// unfilled place, so whatever is pushed after a Reserve commits after the
// item that fills it. Every reservation must be filled or cancelled, or the
// writer waits forever. Close lets the writer drain what is queued (waiting
// for reserved places to be filled) and then see an empty group.
//
// Thread-safety: all methods may be called from any thread.
#ifndef VIGIL_STORE_GROUP_COMMIT_QUEUE_H_
#define VIGIL_STORE_GROUP_COMMIT_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
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
    RETURN_IF_ERROR(CheckRoom());
    items_.push_back(Entry{std::move(item), bytes, /*settled=*/true});
    return absl::OkStatus();
  }

  // Takes the next place in the order for an item to come; the ticket goes
  // to Fill or Cancel exactly once. Fails as Push does.
  [[nodiscard]] StatusOr<uint64_t> Reserve() {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(CheckRoom());
    items_.push_back(Entry{std::nullopt, 0, /*settled=*/false});
    return front_ticket_ + items_.size() - 1;
  }

  // Puts `item` in the reserved place. Accepted after Close too: the place
  // was taken before.
  void Fill(uint64_t ticket, T&& item, size_t bytes) {
    absl::MutexLock lock(&mu_);
    Entry& entry = items_[ticket - front_ticket_];
    entry = Entry{std::move(item), bytes, /*settled=*/true};
  }

  // Gives the reserved place up; the writer skips it.
  void Cancel(uint64_t ticket) {
    absl::MutexLock lock(&mu_);
    items_[ticket - front_ticket_].settled = true;
  }

  // Blocks until the oldest place is settled (an item or a cancelled
  // reservation) or the queue is closed and empty, then removes and returns
  // the oldest items up to the first unsettled place: at most `max_items`,
  // and no more once their bytes reach `max_bytes`. Empty only when closed
  // and drained.
  std::vector<T> TakeGroup(size_t max_items, size_t max_bytes) {
    absl::MutexLock lock(&mu_);
    std::vector<T> group;
    while (group.empty()) {
      mu_.Await(absl::Condition(this, &GroupCommitQueue::HasWorkOrClosed));
      if (items_.empty()) return group;  // closed and drained
      size_t bytes = 0;
      while (!items_.empty() && items_.front().settled && group.size() < max_items &&
             (group.empty() || bytes < max_bytes)) {
        Entry& front = items_.front();
        if (front.item.has_value()) {
          bytes += front.bytes;
          group.push_back(std::move(*front.item));
        }
        items_.pop_front();
        ++front_ticket_;
      }
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
  // A pushed item, a reserved place (not settled), or a cancelled one
  // (settled without an item).
  struct Entry {
    std::optional<T> item;
    size_t bytes = 0;
    bool settled = false;
  };

  Status CheckRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (closed_) return absl::FailedPreconditionError("the store is closed");
    if (items_.size() >= max_items_) {
      return absl::ResourceExhaustedError(
          fmt::format("the store's write queue is full ({} waiting)", items_.size()));
    }
    return absl::OkStatus();
  }

  bool HasWorkOrClosed() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (!items_.empty() && items_.front().settled) || (closed_ && items_.empty());
  }

  const size_t max_items_;
  mutable absl::Mutex mu_;
  std::deque<Entry> items_ ABSL_GUARDED_BY(mu_);
  uint64_t front_ticket_ ABSL_GUARDED_BY(mu_) = 0;  // the ticket of items_.front()
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace vigil

#endif  // VIGIL_STORE_GROUP_COMMIT_QUEUE_H_
