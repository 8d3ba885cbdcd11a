#include "common/csv_reader.h"

#include <csv.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "fmt/format.h"

namespace vigil {
namespace {

constexpr size_t kBufferSize = 1 << 20;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace

StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return absl::NotFoundError(fmt::format("{}: no such file", path));
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(fmt::format("{}: cannot open", path));
  gzbuffer(file, 1 << 18);
  std::unique_ptr<CsvReader> reader(new CsvReader(path, file, std::string(), info.st_size));
  RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

StatusOr<std::unique_ptr<CsvReader>> CsvReader::FromText(std::string name, std::string text) {
  const auto size = static_cast<int64_t>(text.size());
  std::unique_ptr<CsvReader> reader(new CsvReader(std::move(name), nullptr, std::move(text), size));
  RETURN_IF_ERROR(reader->ReadHeader());
  return reader;
}

Status CsvReader::ReadHeader() {
  CsvRecord header;
  ASSIGN_OR_RETURN(const bool has_header, Next(&header));
  if (!has_header)
    return absl::InvalidArgumentError(fmt::format("{}: empty file, no header row", path_));
  if (!header.error.empty()) {
    return absl::InvalidArgumentError(
        fmt::format("{}:{}: bad header: {}", path_, header.line, header.error));
  }
  for (std::string& name : header.fields) {
    header_.emplace_back(absl::StripAsciiWhitespace(name));
  }
  return absl::OkStatus();
}

CsvReader::CsvReader(std::string path, gzFile file, std::string text, int64_t file_size)
    : path_(std::move(path)),
      file_(file),
      text_(std::move(text)),
      file_size_(file_size),
      parser_(new csv_parser) {
  // Text is copied through the buffer too; a short one needs no megabyte.
  buffer_.resize(file_ != nullptr ? kBufferSize : std::clamp<size_t>(text_.size(), 1, kBufferSize));
  csv_init(parser_.get(), CSV_STRICT | CSV_STRICT_FINI);
}

CsvReader::~CsvReader() {
  csv_free(parser_.get());
  if (file_ != nullptr) gzclose(file_);
}

int CsvReader::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int64_t CsvReader::bytes_read() const {
  return file_ != nullptr ? gzoffset(file_) : static_cast<int64_t>(text_pos_);
}

void CsvReader::OnField(void* data, size_t len, void* self_ptr) {
  auto* self = static_cast<CsvReader*>(self_ptr);
  if (!self->building_started_) {
    self->building_started_ = true;
    self->building_.line = self->line_number_;
  }
  self->building_.fields.emplace_back(static_cast<const char*>(data), len);
}

void CsvReader::OnRecordEnd(int /*terminator*/, void* self_ptr) {
  auto* self = static_cast<CsvReader*>(self_ptr);
  if (!self->building_started_) self->building_.line = self->line_number_;
  self->ready_.push_back(std::move(self->building_));
  self->building_ = CsvRecord{};
  self->building_started_ = false;
}

void CsvReader::ResetParser() {
  csv_free(parser_.get());
  csv_init(parser_.get(), CSV_STRICT | CSV_STRICT_FINI);
  building_ = CsvRecord{};
  building_started_ = false;
}

int CsvReader::Refill() {
  if (file_ != nullptr) return gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
  const size_t n = std::min(buffer_.size(), text_.size() - text_pos_);
  std::memcpy(buffer_.data(), text_.data() + text_pos_, n);
  text_pos_ += n;
  return static_cast<int>(n);
}

// Reads one physical line including its '\n' (if any) into `line`.
bool CsvReader::ReadLine(std::string* line) {
  line->clear();
  while (true) {
    if (buffer_pos_ == buffer_end_) {
      const int n = Refill();
      if (n <= 0) return !line->empty();
      buffer_pos_ = 0;
      buffer_end_ = static_cast<size_t>(n);
    }
    const char* begin = buffer_.data() + buffer_pos_;
    const size_t available = buffer_end_ - buffer_pos_;
    const void* newline = std::memchr(begin, '\n', available);
    const size_t take = newline ? static_cast<const char*>(newline) - begin + 1 : available;
    line->append(begin, take);
    buffer_pos_ += take;
    if (newline) return true;
  }
}

Status CsvReader::FeedNextLine() {
  if (!ReadLine(&line_)) {
    at_eof_ = true;
    if (csv_fini(parser_.get(), OnField, OnRecordEnd, this) != 0) {
      CsvRecord bad;
      bad.line = building_started_ ? building_.line : line_number_;
      bad.error = "unterminated quoted field at end of file";
      ResetParser();
      ready_.push_back(std::move(bad));
    }
    return absl::OkStatus();
  }
  ++line_number_;
  std::string_view text = line_;
  if (first_line_) {
    first_line_ = false;
    if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  }
  const size_t parsed =
      csv_parse(parser_.get(), text.data(), text.size(), OnField, OnRecordEnd, this);
  if (parsed != text.size()) {
    CsvRecord bad;
    bad.line = building_started_ ? building_.line : line_number_;
    bad.error = fmt::format(
        "malformed CSV ({}: a quote inside an unquoted field, or text after a closing quote)",
        csv_strerror(csv_error(parser_.get())));
    ResetParser();
    ready_.push_back(std::move(bad));
  }
  return absl::OkStatus();
}

StatusOr<bool> CsvReader::Next(CsvRecord* record) {
  while (ready_.empty() && !at_eof_) RETURN_IF_ERROR(FeedNextLine());
  if (ready_.empty()) {
    if (file_ == nullptr) return false;
    int err = 0;
    const char* message = gzerror(file_, &err);
    if (err != Z_OK && err != Z_STREAM_END) {
      return absl::DataLossError(fmt::format("{}: read error: {}", path_, message));
    }
    return false;
  }
  *record = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

}  // namespace vigil
