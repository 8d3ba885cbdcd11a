// Whole-file reads and crash-safe whole-file writes (model artifacts, the
// similar-case index): WriteFileAtomically writes a temporary file in the
// same directory, flushes it to disk and renames it over the target, so
// readers see either the old or the new content, never a torn file.
// Thread-safe (no shared state); concurrent writers of one path: the last
// rename wins.
#ifndef VIGIL_COMMON_ATOMIC_FILE_H_
#define VIGIL_COMMON_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

// NotFound when `path` does not exist; Internal for other I/O errors.
[[nodiscard]] StatusOr<std::string> ReadFileToString(const std::string& path);

// Replaces `path` with `content`; the directory must exist.
[[nodiscard]] Status WriteFileAtomically(const std::string& path, std::string_view content);

// For a file another library writes by name (hnswlib's saveIndex): a
// temporary name next to `path`, unique per process and call, to write it
// under, then SyncAndRename(temp, path). The temporary file is removed when
// the rename fails.
std::string TemporaryPathNear(const std::string& path);
[[nodiscard]] Status SyncAndRename(const std::string& temp, const std::string& path);

}  // namespace vigil

#endif  // VIGIL_COMMON_ATOMIC_FILE_H_
