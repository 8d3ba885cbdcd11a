// Decision archives: gzip-compressed NDJSON files, one decision per line
// (every DecisionRecord field; `at` as "2026-10-20T05:00:00Z"; features and
// SHAP values as JSON arrays, NaN as null; `document`
// kept byte for byte as a JSON string, so `jq '.document | fromjson'` reads
// it). DecisionArchiveWriter writes a temporary file and, on Commit, makes it
// durable (fsync) and renames it into place under a name that never
// replaces an existing archive; ReadDecisionArchive reads one back.
//
// Thread-safety: a writer belongs to one thread; at most one writer per
// directory at a time (they share the temporary file name).
#ifndef VIGIL_STORE_DECISION_ARCHIVE_H_
#define VIGIL_STORE_DECISION_ARCHIVE_H_

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace vigil {

class DecisionArchiveWriter {
 public:
  ~DecisionArchiveWriter();  // removes the temporary file unless committed
  DecisionArchiveWriter(DecisionArchiveWriter&& other) noexcept;
  DecisionArchiveWriter& operator=(DecisionArchiveWriter&&) = delete;
  DecisionArchiveWriter(const DecisionArchiveWriter&) = delete;
  DecisionArchiveWriter& operator=(const DecisionArchiveWriter&) = delete;

  // Creates `dir` if needed and starts "<dir>/.decisions.ndjson.gz.tmp"
  // (replacing one left by a crash). Errors name the path.
  [[nodiscard]] static StatusOr<DecisionArchiveWriter> Create(const std::string& dir);

  [[nodiscard]] Status Append(const DecisionRecord& decision);

  // Completes the file, fsyncs it, renames it to
  // "decisions_<first date>_<last date>[.N].ndjson.gz" (UTC dates of the
  // earliest and latest `at`; .N only when that name exists) and fsyncs the
  // directory. Returns the final path. FailedPrecondition when empty.
  [[nodiscard]] StatusOr<std::string> Commit();

  int64_t count() const { return count_; }

 private:
  DecisionArchiveWriter(std::string dir, int fd, gzFile gz);
  void Discard();

  std::string dir_;
  int fd_ = -1;          // kept open to fsync after gzclose
  gzFile gz_ = nullptr;  // writes through a dup of fd_
  int64_t count_ = 0;
  Timestamp first_at_ = 0;
  Timestamp last_at_ = 0;
};

// One NDJSON line (without the newline) for `decision`.
std::string DecisionToJsonLine(const DecisionRecord& decision);

// Calls `fn` for every decision in the archive at `path`, in file order.
// DataLoss names the line of a malformed record; `fn`'s error stops the read.
[[nodiscard]] Status ReadDecisionArchive(const std::string& path,
                                         const std::function<Status(const DecisionRecord&)>& fn);

}  // namespace vigil

#endif  // VIGIL_STORE_DECISION_ARCHIVE_H_
