// NarrationCache: a bounded LRU map from a narration cache key (see
// NarrationCacheKey) to the text an LLM wrote for it. Thread-safe: every
// method takes the one mutex.
#ifndef VIGIL_NARRATE_NARRATION_CACHE_H_
#define VIGIL_NARRATE_NARRATION_CACHE_H_

#include <list>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace vigil {

class NarrationCache {
 public:
  // Holds at most `capacity` entries; 0 holds none.
  explicit NarrationCache(size_t capacity) : capacity_(capacity) {}
  NarrationCache(const NarrationCache&) = delete;
  NarrationCache& operator=(const NarrationCache&) = delete;

  // The text, marking the entry most recently used.
  std::optional<std::string> Get(const std::string& key) ABSL_LOCKS_EXCLUDED(mutex_);
  // Inserts or replaces; evicts the least recently used entry when full.
  void Put(const std::string& key, std::string text) ABSL_LOCKS_EXCLUDED(mutex_);
  size_t size() const ABSL_LOCKS_EXCLUDED(mutex_);
  size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<std::string, std::string>;  // key, text

  const size_t capacity_;
  mutable absl::Mutex mutex_;
  std::list<Entry> entries_ ABSL_GUARDED_BY(mutex_);  // most recently used first
  absl::flat_hash_map<std::string, std::list<Entry>::iterator> index_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace vigil

#endif  // VIGIL_NARRATE_NARRATION_CACHE_H_
