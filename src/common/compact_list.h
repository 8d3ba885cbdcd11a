// CompactList<T>: a growable array of trivially copyable T in 16 bytes
// (pointer, size, capacity), for the millions of tiny per-customer lists of
// the feature engine, where std::vector's 24 bytes and growth policy add up.
// Move-only; not thread-safe.
#ifndef VIGIL_COMMON_COMPACT_LIST_H_
#define VIGIL_COMMON_COMPACT_LIST_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace vigil {

// `kFirstCapacity` is the size of the first allocation: pick the common
// length, so that most lists are allocated once.
template <typename T, uint32_t kFirstCapacity = 2>
class CompactList {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  CompactList() = default;
  ~CompactList() { std::free(data_); }
  CompactList(CompactList&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  CompactList& operator=(CompactList&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }
  CompactList(const CompactList& other) { *this = other; }
  CompactList& operator=(const CompactList& other) {
    if (this != &other) {
      clear();
      for (const T& item : other) push_back(item);
    }
    return *this;
  }

  void push_back(const T& item) {
    if (size_ == capacity_) Grow();
    data_[size_++] = item;
  }
  // Removes the first `n` items, keeping the order of the rest.
  void erase_front(uint32_t n) {
    if (n == 0) return;
    std::memmove(data_, data_ + n, (size_ - n) * sizeof(T));
    size_ -= n;
  }
  void clear() { size_ = 0; }

  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](uint32_t i) { return data_[i]; }
  const T& operator[](uint32_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  void Grow() {
    const uint32_t capacity = capacity_ == 0 ? kFirstCapacity : capacity_ * 2;
    T* grown = static_cast<T*>(std::realloc(data_, capacity * sizeof(T)));
    if (grown == nullptr) throw std::bad_alloc();
    data_ = grown;
    capacity_ = capacity;
  }

  T* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
};

}  // namespace vigil

#endif  // VIGIL_COMMON_COMPACT_LIST_H_
