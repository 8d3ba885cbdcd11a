#include "common/worker_pool.h"

#include <string>

#include "common/thread_name.h"

namespace vigil {

WorkerPool::WorkerPool(int threads, size_t queue_capacity, std::string_view thread_name)
    : queue_capacity_(queue_capacity), thread_count_(static_cast<size_t>(threads)) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name = std::string(thread_name)] {
      NameThisThread(name);
      Work();
    });
  }
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Stop() {
  absl::MutexLock join(&join_mutex_);
  {
    absl::MutexLock lock(&mutex_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

bool WorkerPool::TrySubmit(Job& job) {
  absl::MutexLock lock(&mutex_);
  // Threads not running a job (idle, or not started yet) count as room.
  const size_t free_threads = thread_count_ - static_cast<size_t>(busy_);
  if (stopping_ || jobs_.size() >= queue_capacity_ + free_threads) return false;
  jobs_.push_back(std::move(job));
  return true;
}

void WorkerPool::Work() {
  for (;;) {
    Job job;
    bool cancelled = false;
    {
      absl::MutexLock lock(&mutex_);
      mutex_.Await(absl::Condition(this, &WorkerPool::HasJobOrStopping));
      if (jobs_.empty()) return;  // stopping, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
      cancelled = stopping_;
      ++busy_;
    }
    job(cancelled);
    absl::MutexLock lock(&mutex_);
    --busy_;
  }
}

}  // namespace vigil
