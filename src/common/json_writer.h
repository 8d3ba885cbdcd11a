// JsonWriter: JSON text written straight into a string, for the documents
// built on every scored request (the score answer, the audit record, the
// event). A DOM (nlohmann::json) cost an allocation per key and string;
// RapidJSON's Writer, the streaming writer we used first, does arithmetic on
// a null pointer in its stack (Debian's 1.1.0; clang's UBSan stops on it).
//
// Strings are escaped as RFC 8259 requires, and bytes that are not valid
// UTF-8 become U+FFFD, so the output always parses. Numbers are written in
// their shortest round-trip form; NaN and infinities as null. The caller
// keeps the structure balanced (Key inside objects, values in order); the
// writer only adds the commas.
//
// Thread-safety: none; one writer per document.
#ifndef VIGIL_COMMON_JSON_WRITER_H_
#define VIGIL_COMMON_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class JsonWriter {
 public:
  JsonWriter() { out_.reserve(1024); }

  void StartObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void StartArray() { Open('['); }
  void EndArray() { Close(']'); }

  void Key(std::string_view name);
  void String(std::string_view value);
  void Number(double value);  // shortest round-trip form; null when not finite
  void Float(float value);    // the float's shortest form: 0.1f as 0.1
  void Int(int64_t value);
  void Bool(bool value);
  void Null();
  // A value that is JSON text already, written as it is.
  void Raw(std::string_view json);

  // Key then value, the common pairs.
  void Field(std::string_view name, std::string_view value) {
    Key(name);
    String(value);
  }
  void NumberField(std::string_view name, double value) {
    Key(name);
    Number(value);
  }

  const std::string& text() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);
  void AppendEscaped(std::string_view s);

  std::string out_;
  // Per open object or array: whether a member has been written yet.
  std::vector<bool> has_members_;
  bool after_key_ = false;
};

}  // namespace vigil

#endif  // VIGIL_COMMON_JSON_WRITER_H_
