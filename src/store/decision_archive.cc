#include "store/decision_archive.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>
#include <utility>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

constexpr const char* kTempName = ".decisions.ndjson.gz.tmp";

Status ErrnoStatus(std::string_view what, const std::string& path) {
  return absl::UnavailableError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? absl::OkStatus() : ErrnoStatus("fsync directory", dir);
}

// The first free "decisions_<from>_<to>[.N].ndjson.gz" in `dir`.
std::string FreeArchivePath(const std::string& dir, Timestamp first, Timestamp last) {
  const std::string stem =
      fmt::format("{}/decisions_{}_{}", dir, FormatDate(first), FormatDate(last));
  std::string path = stem + ".ndjson.gz";
  for (int n = 1; std::filesystem::exists(path); ++n)
    path = fmt::format("{}.{}.ndjson.gz", stem, n);
  return path;
}

StatusOr<DecisionRecord> DecisionFromJson(const nlohmann::json& j) {
  DecisionRecord d;
  d.decision_id = j.at("decision_id").get<std::string>();
  d.subject_id = j.at("subject_id").get<std::string>();
  d.kind = j.at("kind").get<std::string>();
  ASSIGN_OR_RETURN(d.at, ParseTimestamp(j.at("at").get<std::string>()));
  d.customer_id = j.at("customer_id").get<std::string>();
  d.model_version = j.at("model_version").get<std::string>();
  d.risk_score = j.at("risk_score").get<double>();
  d.risk_level = j.at("risk_level").get<std::string>();
  d.action = j.at("action").get<std::string>();
  d.request_id = j.at("request_id").get<std::string>();
  d.document = j.at("document").get<std::string>();
  d.narration = j.value("narration", "");
  d.narration_source = j.value("narration_source", "");
  // NaN features were written as null.
  for (const nlohmann::json& v : j.value("features", nlohmann::json::array())) {
    d.features.push_back(v.is_number() ? v.get<float>() : std::numeric_limits<float>::quiet_NaN());
  }
  for (const nlohmann::json& v : j.value("contributions", nlohmann::json::array())) {
    d.contributions.push_back(v.is_number() ? v.get<double>()
                                            : std::numeric_limits<double>::quiet_NaN());
  }
  return d;
}

Status ReadLine(const std::string& path, int64_t line_number, std::string_view line,
                const std::function<Status(const DecisionRecord&)>& fn) {
  StatusOr<DecisionRecord> decision;
  try {
    decision = DecisionFromJson(nlohmann::json::parse(line));
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(fmt::format("{}:{}: {}", path, line_number, e.what()));
  }
  if (!decision.ok()) {
    return absl::DataLossError(
        fmt::format("{}:{}: {}", path, line_number, decision.status().message()));
  }
  return fn(*decision);
}

}  // namespace

DecisionArchiveWriter::DecisionArchiveWriter(std::string dir, int fd, gzFile gz)
    : dir_(std::move(dir)), fd_(fd), gz_(gz) {}

DecisionArchiveWriter::DecisionArchiveWriter(DecisionArchiveWriter&& other) noexcept
    : dir_(std::move(other.dir_)),
      fd_(std::exchange(other.fd_, -1)),
      gz_(std::exchange(other.gz_, nullptr)),
      count_(other.count_),
      first_at_(other.first_at_),
      last_at_(other.last_at_) {}

DecisionArchiveWriter::~DecisionArchiveWriter() { Discard(); }

void DecisionArchiveWriter::Discard() {
  if (gz_ != nullptr) gzclose(gz_);
  if (fd_ >= 0) {
    ::close(fd_);
    std::error_code ignored;
    std::filesystem::remove(dir_ + "/" + kTempName, ignored);
  }
  gz_ = nullptr;
  fd_ = -1;
}

StatusOr<DecisionArchiveWriter> DecisionArchiveWriter::Create(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::UnavailableError(
        fmt::format("create archive directory {}: {}", dir, error.message()));
  }
  const std::string temp = dir + "/" + kTempName;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("create archive file", temp);
  const int gz_fd = ::dup(fd);
  gzFile gz = gz_fd >= 0 ? gzdopen(gz_fd, "wb") : nullptr;
  if (gz == nullptr) {
    if (gz_fd >= 0) ::close(gz_fd);
    ::close(fd);
    return absl::InternalError(fmt::format("start gzip stream {}", temp));
  }
  return DecisionArchiveWriter(dir, fd, gz);
}

Status DecisionArchiveWriter::Append(const DecisionRecord& decision) {
  std::string line = DecisionToJsonLine(decision);
  line.push_back('\n');
  if (gzwrite(gz_, line.data(), static_cast<unsigned>(line.size())) !=
      static_cast<int>(line.size())) {
    int zerr = 0;
    return absl::UnavailableError(
        fmt::format("write archive {}/{}: {}", dir_, kTempName, gzerror(gz_, &zerr)));
  }
  first_at_ = count_ == 0 ? decision.at : std::min(first_at_, decision.at);
  last_at_ = count_ == 0 ? decision.at : std::max(last_at_, decision.at);
  ++count_;
  return absl::OkStatus();
}

StatusOr<std::string> DecisionArchiveWriter::Commit() {
  if (count_ == 0) return absl::FailedPreconditionError("an empty archive is not written");
  const std::string temp = dir_ + "/" + kTempName;
  const int rc = gzclose(std::exchange(gz_, nullptr));
  if (rc != Z_OK) return absl::UnavailableError(fmt::format("finish gzip stream {}", temp));
  if (::fsync(fd_) != 0) return ErrnoStatus("fsync", temp);
  const std::string path = FreeArchivePath(dir_, first_at_, last_at_);
  if (::rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename to", path);
  ::close(std::exchange(fd_, -1));
  RETURN_IF_ERROR(SyncDirectory(dir_));
  return path;
}

std::string DecisionToJsonLine(const DecisionRecord& d) {
  nlohmann::ordered_json j;
  j["decision_id"] = d.decision_id;
  j["subject_id"] = d.subject_id;
  j["kind"] = d.kind;
  j["at"] = FormatTimestamp(d.at);
  j["customer_id"] = d.customer_id;
  j["model_version"] = d.model_version;
  j["risk_score"] = d.risk_score;
  j["risk_level"] = d.risk_level;
  j["action"] = d.action;
  j["request_id"] = d.request_id;
  j["document"] = d.document;
  if (!d.features.empty()) j["features"] = d.features;
  if (!d.contributions.empty()) j["contributions"] = d.contributions;
  if (!d.narration.empty()) {
    j["narration"] = d.narration;
    j["narration_source"] = d.narration_source;
  }
  // Invalid UTF-8 would make dump() throw; U+FFFD keeps the rest readable.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status ReadDecisionArchive(const std::string& path,
                           const std::function<Status(const DecisionRecord&)>& fn) {
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return ErrnoStatus("open archive", path);
  std::string pending;
  char buffer[1 << 16];
  int64_t line_number = 0;
  Status status;
  while (status.ok()) {
    const int n = gzread(gz, buffer, sizeof(buffer));
    if (n < 0) {
      int zerr = 0;
      status = absl::DataLossError(fmt::format("read archive {}: {}", path, gzerror(gz, &zerr)));
      break;
    }
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t end; status.ok() && (end = pending.find('\n', start)) != std::string::npos;
         start = end + 1) {
      status =
          ReadLine(path, ++line_number, std::string_view(pending).substr(start, end - start), fn);
    }
    pending.erase(0, start);
    if (n == 0) break;
  }
  gzclose(gz);
  if (status.ok() && !pending.empty()) {
    status = absl::DataLossError(fmt::format("{}:{}: truncated last line", path, line_number + 1));
  }
  return status;
}

}  // namespace vigil
