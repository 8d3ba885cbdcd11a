#include "store/write_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "fmt/format.h"

namespace vigil {
namespace {

constexpr size_t kHeaderBytes = 16;  // u32 length, u32 CRC, u64 unit
// A payload larger than this is taken for a torn length field.
constexpr uint32_t kMaxPayloadBytes = 1u << 30;

Status IoError(std::string_view what, const std::string& path) {
  return absl::UnavailableError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

uint32_t RecordCrc(uint64_t unit, std::string_view payload) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(&unit), sizeof(unit));
  // zlib takes lengths as uInt; a payload is below kMaxPayloadBytes.
  crc =
      crc32(crc, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size()));
  return static_cast<uint32_t>(crc);
}

void AppendRecord(uint64_t unit, std::string_view payload, std::string* out) {
  const auto length = static_cast<uint32_t>(payload.size());
  const uint32_t crc = RecordCrc(unit, payload);
  out->append(reinterpret_cast<const char*>(&length), sizeof(length));
  out->append(reinterpret_cast<const char*>(&crc), sizeof(crc));
  out->append(reinterpret_cast<const char*>(&unit), sizeof(unit));
  out->append(payload);
}

Status WriteAll(int fd, std::string_view bytes, size_t offset, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot append to the write journal", path);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

StatusOr<std::string> ReadFile(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return IoError("cannot stat the write journal", path);
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read the write journal", path);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

// The intact records at the start of `bytes`. A segment is written from its
// start with increasing unit numbers; a record whose number does not
// increase is an older one the segment held before it was reused, and ends
// it, as zeros (its preallocated space) or a failed CRC do.
void ParseRecords(std::string_view bytes, std::vector<WriteJournal::Record>* out) {
  uint64_t previous = 0;
  bool first = true;
  while (bytes.size() >= kHeaderBytes) {
    uint32_t length = 0;
    uint32_t crc = 0;
    uint64_t unit = 0;
    std::memcpy(&length, bytes.data(), 4);
    std::memcpy(&crc, bytes.data() + 4, 4);
    std::memcpy(&unit, bytes.data() + 8, 8);
    if (length > kMaxPayloadBytes || bytes.size() - kHeaderBytes < length) return;
    const std::string_view payload = bytes.substr(kHeaderBytes, length);
    if (RecordCrc(unit, payload) != crc) return;
    if (!first && unit <= previous) return;
    first = false;
    previous = unit;
    out->push_back({unit, std::string(payload)});
    bytes.remove_prefix(kHeaderBytes + length);
  }
}

}  // namespace

StatusOr<std::unique_ptr<WriteJournal>> WriteJournal::Open(const std::string& data_dir,
                                                           size_t segment_bytes, bool preallocate) {
  std::array<Segment, 2> segments;
  auto close_all = [&segments] {
    for (Segment& s : segments) {
      if (s.fd >= 0) ::close(s.fd);
    }
  };
  for (int i = 0; i < 2; ++i) {
    Segment& s = segments[i];
    s.path = fmt::format("{}/vigil.journal.{}", data_dir, i);
    s.fd = ::open(s.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (s.fd < 0) {
      Status error = IoError("cannot open the write journal", s.path);
      close_all();
      return error;
    }
    if (i == 0 && ::flock(s.fd, LOCK_EX | LOCK_NB) != 0) {
      Status error = errno == EWOULDBLOCK
                         ? absl::FailedPreconditionError(fmt::format(
                               "the write journal {} is held by another process", s.path))
                         : IoError("cannot lock the write journal", s.path);
      close_all();
      return error;
    }
    struct stat st {};
    if (::fstat(s.fd, &st) != 0) {
      Status error = IoError("cannot stat the write journal", s.path);
      close_all();
      return error;
    }
    // Where its records end is unknown until ReadAll; until Reset, new
    // records go after the whole file and it is never reused.
    s.bytes = static_cast<size_t>(st.st_size);
    s.last_unit = s.bytes == 0 ? 0 : std::numeric_limits<uint64_t>::max();
  }
  // The segments' directory entries must survive a crash like their data.
  const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return std::unique_ptr<WriteJournal>(
      new WriteJournal(std::move(segments), segment_bytes, preallocate));
}

WriteJournal::WriteJournal(std::array<Segment, 2> segments, size_t segment_bytes, bool preallocate)
    : segments_(std::move(segments)),
      segment_bytes_(std::max<size_t>(1, segment_bytes)),
      preallocate_(preallocate) {
  // Continue in the fuller segment, so an unapplied one is never emptied.
  active_ = segments_[1].bytes > segments_[0].bytes ? 1 : 0;
}

WriteJournal::~WriteJournal() {
  for (Segment& s : segments_) {
    if (s.fd >= 0) ::close(s.fd);
  }
}

StatusOr<std::vector<WriteJournal::Record>> WriteJournal::ReadAll() const {
  std::vector<Record> records;
  for (const Segment& s : segments_) {
    ASSIGN_OR_RETURN(const std::string bytes, ReadFile(s.fd, s.path));
    ParseRecords(bytes, &records);
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const Record& a, const Record& b) { return a.unit < b.unit; });
  return records;
}

Status WriteJournal::Clear(Segment& segment) {
  if (::ftruncate(segment.fd, 0) != 0) {
    return IoError("cannot empty the write journal", segment.path);
  }
  if (preallocate_) {
    // Real zeros, not fallocate: writing into unwritten extents changes
    // the file's metadata, which every fdatasync would then write too.
    const std::string zeros(1 << 20, '\0');
    for (size_t at = 0; at < segment_bytes_; at += zeros.size()) {
      const size_t n = std::min(zeros.size(), segment_bytes_ - at);
      RETURN_IF_ERROR(WriteAll(segment.fd, std::string_view(zeros).substr(0, n), at, segment.path));
    }
  }
  if (::fdatasync(segment.fd) != 0) return IoError("cannot sync the write journal", segment.path);
  segment.bytes = 0;
  segment.last_unit = 0;
  return absl::OkStatus();
}

Status WriteJournal::MaybeSwitch(uint64_t applied_through) {
  Segment& other = segments_[1 - active_];
  if (segments_[active_].bytes < segment_bytes_ || other.last_unit > applied_through) {
    return absl::OkStatus();
  }
  // Its records stay until overwritten: every one is in SQLite, and after
  // a crash ReadAll stops at the first whose unit does not increase, or
  // applies the old ones again, which changes nothing.
  other.bytes = 0;
  other.last_unit = 0;
  active_ = 1 - active_;
  return absl::OkStatus();
}

Status WriteJournal::Append(std::span<const Entry> entries, uint64_t applied_through) {
  if (entries.empty()) return absl::OkStatus();
  if (!reset_) {
    // An earlier run's records: a new record among them could not be told
    // apart from them by its unit number.
    return absl::FailedPreconditionError(fmt::format(
        "the write journal {} must be applied and reset before appending", segments_[0].path));
  }
  RETURN_IF_ERROR(MaybeSwitch(applied_through));
  Segment& s = segments_[active_];
  buffer_.clear();
  for (const Entry& e : entries) AppendRecord(e.unit, e.payload, &buffer_);
  // Within the preallocated space this overwrites zeros: the fdatasync
  // then has only data to write, no new file length (about half the time).
  // A failed write is overwritten by the next, from the same place.
  RETURN_IF_ERROR(WriteAll(s.fd, buffer_, s.bytes, s.path));
  if (::fdatasync(s.fd) != 0) return IoError("cannot sync the write journal", s.path);
  s.bytes += buffer_.size();
  s.last_unit = entries.back().unit;
  return absl::OkStatus();
}

Status WriteJournal::Reset() {
  for (Segment& s : segments_) RETURN_IF_ERROR(Clear(s));
  active_ = 0;
  reset_ = true;
  return absl::OkStatus();
}

}  // namespace vigil
