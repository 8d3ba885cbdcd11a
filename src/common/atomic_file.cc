#include "common/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vigil {
namespace {

Status ErrnoError(const std::string& what, const std::string& path, int error) {
  std::string message = fmt::format("{} {}: {}", what, path, std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

// Renames the finished temporary file `temp` over `path`; removes it when
// that fails.
Status RenameOver(const std::string& temp, const std::string& path) {
  if (::rename(temp.c_str(), path.c_str()) == 0) return absl::OkStatus();
  const int rename_errno = errno;
  ::unlink(temp.c_str());
  return ErrnoError("cannot replace", path, rename_errno);
}

// Writes all of `content` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("cannot read", path, errno);
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::InternalError(fmt::format("error reading {}", path));
  return std::move(content).str();
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  std::string temp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return ErrnoError("cannot create a temporary file for", path, errno);
  const bool written = WriteAll(fd, content) && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::fchmod(fd, 0644);  // mkstemp creates 0600; artifacts are meant to be shared
  if (::close(fd) != 0 || !written) {
    ::unlink(temp.c_str());
    return ErrnoError("cannot write", path, written ? errno : write_errno);
  }
  return RenameOver(temp, path);
}

std::string TemporaryPathNear(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}.tmp-{}-{}", path, static_cast<long>(::getpid()), counter++);
}

Status SyncAndRename(const std::string& temp, const std::string& path) {
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot reopen", temp, errno);
  const bool synced = ::fsync(fd) == 0;
  const int sync_errno = errno;
  ::close(fd);
  if (!synced) {
    ::unlink(temp.c_str());
    return ErrnoError("cannot replace", path, sync_errno);
  }
  return RenameOver(temp, path);
}

}  // namespace vigil
