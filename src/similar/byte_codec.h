// ByteWriter and ByteReader: the binary encoding of the saved similar-case
// index (fixed-width integers and floats in the machine's byte order, which is
// little-endian wherever Vigil builds; strings prefixed with a 32-bit length),
// plus the CRC-32 that guards it. A reader never reads past its input: every
// Read* returns false once the input is exhausted or a length is impossible.
// Values; not thread-safe to share one instance.
#ifndef VIGIL_SIMILAR_BYTE_CODEC_H_
#define VIGIL_SIMILAR_BYTE_CODEC_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace vigil {

// CRC-32 (zlib's) of `bytes`.
uint32_t Crc32(std::string_view bytes);

class ByteWriter {
 public:
  template <typename T>
  void Write(T value) {
    static_assert(std::is_arithmetic_v<T>);
    char raw[sizeof(T)];
    std::memcpy(raw, &value, sizeof(T));
    bytes_.append(raw, sizeof(T));
  }
  void WriteString(std::string_view s) {
    Write(static_cast<uint32_t>(s.size()));
    bytes_.append(s);
  }
  void WriteRaw(std::string_view s) { bytes_.append(s); }

  const std::string& bytes() const { return bytes_; }
  std::string Take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : rest_(bytes) {}

  template <typename T>
  [[nodiscard]] bool Read(T* value) {
    static_assert(std::is_arithmetic_v<T>);
    if (rest_.size() < sizeof(T)) return false;
    std::memcpy(value, rest_.data(), sizeof(T));
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  [[nodiscard]] bool ReadString(std::string* s) {
    uint32_t size = 0;
    if (!Read(&size) || rest_.size() < size) return false;
    s->assign(rest_.data(), size);
    rest_.remove_prefix(size);
    return true;
  }
  [[nodiscard]] bool ReadRaw(size_t size, std::string_view* s) {
    if (rest_.size() < size) return false;
    *s = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }

  size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

}  // namespace vigil

#endif  // VIGIL_SIMILAR_BYTE_CODEC_H_
