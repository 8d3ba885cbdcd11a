// WorkerPool: a few owned threads working a bounded queue of jobs. A job that
// does not fit is refused at once, never waited for. At Stop (or destruction)
// the pool refuses new jobs, the threads finish their current job, jobs
// still queued run with `cancelled = true` (so they can answer without doing
// the work), and the threads are joined. Thread-safe.
#ifndef VIGIL_COMMON_WORKER_POOL_H_
#define VIGIL_COMMON_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace vigil {

class WorkerPool {
 public:
  using Job = std::function<void(bool cancelled)>;

  // `threads` >= 1, named `thread_name` (common/thread_name.h). A job is
  // accepted while fewer than `queue_capacity` plus the number of threads not
  // running a job are waiting (capacity 0: a job is accepted only when a
  // thread is free for it).
  WorkerPool(int threads, size_t queue_capacity, std::string_view thread_name);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false (and `job` untouched) when the queue is full or the
  // pool is stopping.
  [[nodiscard]] bool TrySubmit(Job& job) ABSL_LOCKS_EXCLUDED(mutex_);

  // Returns once every thread has finished. Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mutex_, join_mutex_);

 private:
  void Work() ABSL_LOCKS_EXCLUDED(mutex_);
  bool HasJobOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return !jobs_.empty() || stopping_;
  }

  const size_t queue_capacity_;
  const size_t thread_count_;
  absl::Mutex mutex_;
  std::deque<Job> jobs_ ABSL_GUARDED_BY(mutex_);
  int busy_ ABSL_GUARDED_BY(mutex_) = 0;  // threads running a job
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  absl::Mutex join_mutex_ ABSL_ACQUIRED_BEFORE(mutex_);  // one Stop joins at a time
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(join_mutex_);
};

}  // namespace vigil

#endif  // VIGIL_COMMON_WORKER_POOL_H_
