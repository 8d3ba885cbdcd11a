// Whole-file reads and crash-safe whole-file writes for model artifacts:
// WriteFileAtomically writes a temporary file in the same directory, flushes
// it to disk and renames it over the target, so readers see either the old
// or the new content, never a torn file. Thread-safe (no shared state);
// concurrent writers of one path: the last rename wins.
#ifndef VIGIL_MODEL_ATOMIC_FILE_H_
#define VIGIL_MODEL_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace vigil {

// NotFound when `path` does not exist; Internal for other I/O errors.
[[nodiscard]] StatusOr<std::string> ReadFileToString(const std::string& path);

// Replaces `path` with `content`; the directory must exist.
[[nodiscard]] Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace vigil

#endif  // VIGIL_MODEL_ATOMIC_FILE_H_
