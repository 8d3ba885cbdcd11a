// WalBatchingVfs: a SQLite VFS over the platform's default one that hands
// the write-ahead log the frames of a commit in one write instead of two per
// page.
//
// SQLite appends each WAL frame as two writes (a 24-byte header, then the
// page), so a group commit of ~11 pages makes ~22 pwrite calls before its
// fdatasync, each a trip through the kernel's buffered-write path, on the
// store's writer thread where every microsecond delays the acknowledgements
// waiting for the commit. This VFS keeps consecutive WAL writes in memory and
// writes them at once when SQLite next needs the file settled: before a sync
// (the commit's, under synchronous = FULL), a read, a size query, a truncate
// or a close, and before the writer publishes a commit in the wal-index
// (xShmBarrier on the database file), so that another connection never
// follows the index to a frame the file does not hold yet. Journals and
// temporary files are the default VFS's own files, untouched.
//
// A write that fails is reported by the call that flushes it (the commit's
// sync), so the commit fails as it would have. Under synchronous = NORMAL or
// OFF the flush before the barrier cannot report a failure (xShmBarrier
// returns nothing); Vigil runs FULL, where the sync has flushed first.
//
// Thread-safety: registration is thread-safe and happens once per process.
// A file is used by one connection at a time, as SQLite guarantees.
#ifndef VIGIL_STORE_WAL_BATCHING_VFS_H_
#define VIGIL_STORE_WAL_BATCHING_VFS_H_

#include <cstdint>

namespace vigil {

// Registers the VFS on first use (not as the default) and returns its name,
// for sqlite3_open_v2.
const char* WalBatchingVfsName();

// Process-wide counts, for tests and diagnostics: the writes SQLite made to
// WAL files through this VFS, and the writes the files received.
struct WalBatchingCounts {
  int64_t wal_writes_requested = 0;
  int64_t wal_writes_issued = 0;
};
WalBatchingCounts WalBatchingCountsNow();

}  // namespace vigil

#endif  // VIGIL_STORE_WAL_BATCHING_VFS_H_
