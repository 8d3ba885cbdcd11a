#include "narrate/narration_cache.h"

namespace vigil {

std::optional<std::string> NarrationCache::Get(const std::string& key) {
  absl::MutexLock lock(&mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->second;
}

void NarrationCache::Put(const std::string& key, std::string text) {
  if (capacity_ == 0) return;
  absl::MutexLock lock(&mutex_);
  const auto found = index_.find(key);
  if (found != index_.end()) {
    found->second->second = std::move(text);
    entries_.splice(entries_.begin(), entries_, found->second);
    return;
  }
  if (entries_.size() == capacity_) {
    index_.erase(entries_.back().first);
    entries_.pop_back();
  }
  entries_.emplace_front(key, std::move(text));
  index_[key] = entries_.begin();
}

size_t NarrationCache::size() const {
  absl::MutexLock lock(&mutex_);
  return entries_.size();
}

}  // namespace vigil
