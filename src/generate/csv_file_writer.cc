#include "generate/csv_file_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vigil {
namespace {

// Writes `value` as exactly `width` decimal digits ending just before `end`.
void PutDigits(char* end, int64_t value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

void AppendCsvField(CsvBuffer& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text.data(), text.data() + text.size());
    return;
  }
  out.push_back('"');
  for (char c : text) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendIstTimestamp(CsvBuffer& out, Timestamp t) {
  const int64_t local = t + kIstOffsetSeconds;
  const int64_t days = FloorDiv(local, kSecondsPerDay);
  const int64_t seconds = local - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  char text[] = "0000-00-00T00:00:00+05:30";
  PutDigits(text + 4, date.year, 4);
  PutDigits(text + 7, date.month, 2);
  PutDigits(text + 10, date.day, 2);
  PutDigits(text + 13, seconds / 3600, 2);
  PutDigits(text + 16, seconds / 60 % 60, 2);
  PutDigits(text + 19, seconds % 60, 2);
  out.append(text, text + sizeof(text) - 1);
}

void AppendRupees(CsvBuffer& out, int64_t paise) {
  if (paise < 0) {
    out.push_back('-');
    paise = -paise;
  }
  AppendId(out, '\0', paise / 100, 1);
  char cents[3] = {'.', 0, 0};
  PutDigits(cents + 3, paise % 100, 2);
  out.append(cents, cents + 3);
}

void AppendId(CsvBuffer& out, char prefix, int64_t number, int width) {
  if (prefix != '\0') out.push_back(prefix);
  char digits[20];
  char* end = digits + sizeof(digits);
  char* p = end;
  uint64_t n = static_cast<uint64_t>(number < 0 ? -number : number);
  do {
    *--p = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  if (number < 0) out.push_back('-');
  for (int pad = width - static_cast<int>(end - p); pad > 0; --pad) out.push_back('0');
  out.append(p, end);
}

StatusOr<std::unique_ptr<CsvFileWriter>> CsvFileWriter::Create(std::string path,
                                                               std::string_view header) {
  const std::string tmp = path + ".tmp";
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        fmt::format("cannot create '{}': {}", tmp, std::strerror(errno)));
  }
  std::unique_ptr<CsvFileWriter> writer(new CsvFileWriter(std::move(path), file));
  writer->buffer_.append(header.data(), header.data() + header.size());
  writer->buffer_.push_back('\n');
  return writer;
}

CsvFileWriter::CsvFileWriter(std::string path, std::FILE* file)
    : path_(std::move(path)), tmp_path_(path_ + ".tmp"), file_(file) {
  buffer_.reserve(kFlushBytes + (64 << 10));
}

CsvFileWriter::~CsvFileWriter() {
  if (file_ != nullptr) std::fclose(file_);
  if (!committed_) std::remove(tmp_path_.c_str());
}

void CsvFileWriter::Flush() {
  if (buffer_.size() == 0) return;
  if (write_errno_ == 0 &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    write_errno_ = errno != 0 ? errno : EIO;
  }
  bytes_written_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
}

Status CsvFileWriter::Commit() {
  if (file_ == nullptr)
    return absl::FailedPreconditionError(fmt::format("'{}' already committed", path_));
  Flush();
  const int close_result = std::fclose(file_);
  file_ = nullptr;
  if (write_errno_ == 0 && close_result != 0) write_errno_ = errno != 0 ? errno : EIO;
  if (write_errno_ != 0) {
    return absl::UnavailableError(
        fmt::format("writing '{}' failed: {}", tmp_path_, std::strerror(write_errno_)));
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    return absl::UnavailableError(
        fmt::format("cannot rename '{}' to '{}': {}", tmp_path_, path_, std::strerror(errno)));
  }
  committed_ = true;
  return absl::OkStatus();
}

}  // namespace vigil
