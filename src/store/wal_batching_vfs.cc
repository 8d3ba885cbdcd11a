#include "store/wal_batching_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <string>

namespace vigil {
namespace {

constexpr char kVfsName[] = "vigil-wal-batching";
// A transaction larger than this (a bulk load) is written as it goes.
constexpr size_t kMaxHeldBytes = size_t{1} << 20;
// The unix VFS writes at most 128 KiB - 1 bytes a call (its pwrite takes
// the size's low 17 bits: SQLite itself never writes more than a page).
constexpr size_t kMaxWriteBytes = 124 * 1024;

sqlite3_vfs* g_base = nullptr;  // the default VFS, set once at registration
std::atomic<int64_t> g_requested{0};
std::atomic<int64_t> g_issued{0};

// Our file: the default VFS's file follows it in the same allocation. A
// connection's database file and its WAL point at each other, so that the
// database's barrier can flush its WAL; both are used by that connection's
// thread only.
struct WrappedFile {
  sqlite3_file base;  // pMethods: kWalMethods or kDatabaseMethods
  sqlite3_file* real;
  WrappedFile* partner;  // the WAL of a database file, the database file of a WAL; may be null
  std::string* held;     // WAL only: bytes not yet written, from held_offset
  sqlite3_int64 held_offset;
};

constexpr size_t kWrapperBytes = (sizeof(WrappedFile) + 7) & ~size_t{7};

WrappedFile* Wrapped(sqlite3_file* file) { return reinterpret_cast<WrappedFile*>(file); }
sqlite3_file* Real(sqlite3_file* file) { return Wrapped(file)->real; }

int Flush(WrappedFile* wal) {
  if (wal->held == nullptr || wal->held->empty()) return SQLITE_OK;
  const std::string& held = *wal->held;
  int rc = SQLITE_OK;
  for (size_t done = 0; done < held.size() && rc == SQLITE_OK; done += kMaxWriteBytes) {
    const size_t n = std::min(kMaxWriteBytes, held.size() - done);
    g_issued.fetch_add(1, std::memory_order_relaxed);
    rc = wal->real->pMethods->xWrite(wal->real, held.data() + done, static_cast<int>(n),
                                     wal->held_offset + static_cast<sqlite3_int64>(done));
  }
  wal->held->clear();
  return rc;
}

// --- Methods every wrapped file forwards -----------------------------------

int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int Unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, page);
}

// --- The main database file: everything forwarded, the barrier flushes -----

int DatabaseClose(sqlite3_file* f) {
  if (WrappedFile* wal = Wrapped(f)->partner; wal != nullptr) wal->partner = nullptr;
  return Real(f)->pMethods->xClose(Real(f));
}
int DatabaseRead(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), out, n, offset);
}
int DatabaseWrite(sqlite3_file* f, const void* data, int n, sqlite3_int64 offset) {
  return Real(f)->pMethods->xWrite(Real(f), data, n, offset);
}
int DatabaseTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int DatabaseSync(sqlite3_file* f, int flags) { return Real(f)->pMethods->xSync(Real(f), flags); }
int DatabaseFileSize(sqlite3_file* f, sqlite3_int64* out) {
  return Real(f)->pMethods->xFileSize(Real(f), out);
}
// SQLite calls the barrier between writing a commit's frames and making the
// new wal-index header visible to readers.
void DatabaseShmBarrier(sqlite3_file* f) {
  if (Wrapped(f)->partner != nullptr) (void)Flush(Wrapped(f)->partner);
  Real(f)->pMethods->xShmBarrier(Real(f));
}
int DatabaseFetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, n, out);
}

// --- The WAL: writes held, flushed before anything that looks at the file --

int WalClose(sqlite3_file* f) {
  WrappedFile* wal = Wrapped(f);
  const int flushed = Flush(wal);
  const int closed = wal->real->pMethods->xClose(wal->real);
  if (wal->partner != nullptr) wal->partner->partner = nullptr;
  delete wal->held;
  wal->held = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}
int WalRead(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
  if (const int rc = Flush(Wrapped(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xRead(Real(f), out, n, offset);
}
int WalWrite(sqlite3_file* f, const void* data, int n, sqlite3_int64 offset) {
  g_requested.fetch_add(1, std::memory_order_relaxed);
  WrappedFile* wal = Wrapped(f);
  std::string& held = *wal->held;
  if (!held.empty() && offset != wal->held_offset + static_cast<sqlite3_int64>(held.size())) {
    if (const int rc = Flush(wal); rc != SQLITE_OK) return rc;
  }
  if (held.empty()) wal->held_offset = offset;
  held.append(static_cast<const char*>(data), static_cast<size_t>(n));
  return held.size() >= kMaxHeldBytes ? Flush(wal) : SQLITE_OK;
}
int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = Flush(Wrapped(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int WalSync(sqlite3_file* f, int flags) {
  if (const int rc = Flush(Wrapped(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int WalFileSize(sqlite3_file* f, sqlite3_int64* out) {
  if (const int rc = Flush(Wrapped(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFileSize(Real(f), out);
}
int WalFetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  if (const int rc = Flush(Wrapped(f)); rc != SQLITE_OK) return rc;
  return Real(f)->pMethods->xFetch(Real(f), offset, n, out);
}

// Version 3 (shared memory and memory-mapped reads), as the unix VFS's files.
const sqlite3_io_methods kDatabaseMethods = {
    .iVersion = 3,
    .xClose = DatabaseClose,
    .xRead = DatabaseRead,
    .xWrite = DatabaseWrite,
    .xTruncate = DatabaseTruncate,
    .xSync = DatabaseSync,
    .xFileSize = DatabaseFileSize,
    .xLock = Lock,
    .xUnlock = Unlock,
    .xCheckReservedLock = CheckReservedLock,
    .xFileControl = FileControl,
    .xSectorSize = SectorSize,
    .xDeviceCharacteristics = DeviceCharacteristics,
    .xShmMap = ShmMap,
    .xShmLock = ShmLock,
    .xShmBarrier = DatabaseShmBarrier,
    .xShmUnmap = ShmUnmap,
    .xFetch = DatabaseFetch,
    .xUnfetch = Unfetch,
};
// The WAL's differ where its held writes matter.
const sqlite3_io_methods kWalMethods = [] {
  sqlite3_io_methods methods = kDatabaseMethods;
  methods.xClose = WalClose;
  methods.xRead = WalRead;
  methods.xWrite = WalWrite;
  methods.xTruncate = WalTruncate;
  methods.xSync = WalSync;
  methods.xFileSize = WalFileSize;
  methods.xShmBarrier = ShmBarrier;
  methods.xFetch = WalFetch;
  return methods;
}();

// --- The VFS ----------------------------------------------------------------

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  const bool wal = (flags & SQLITE_OPEN_WAL) != 0;
  const bool database = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  // A WAL is batched only when its database file is ours, whose barrier
  // flushes it (sqlite3_database_file_object: the main database of a WAL
  // name that SQLite passed to xOpen).
  sqlite3_file* main = wal ? sqlite3_database_file_object(name) : nullptr;
  const bool batched_wal = main != nullptr && main->pMethods == &kDatabaseMethods;
  if (!batched_wal && !database) return g_base->xOpen(g_base, name, file, flags, out_flags);
  WrappedFile* wrapped = Wrapped(file);
  wrapped->base.pMethods = nullptr;  // SQLite closes only a file with methods
  wrapped->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kWrapperBytes);
  wrapped->partner = nullptr;
  wrapped->held = nullptr;
  wrapped->held_offset = 0;
  const int rc = g_base->xOpen(g_base, name, wrapped->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (wrapped->real->pMethods != nullptr) wrapped->real->pMethods->xClose(wrapped->real);
    return rc;
  }
  if (wrapped->real->pMethods->iVersion < 3) {  // not the unix VFS: use it as it is
    wrapped->real->pMethods->xClose(wrapped->real);
    return g_base->xOpen(g_base, name, file, flags, out_flags);
  }
  if (batched_wal) {
    wrapped->held = new std::string();
    wrapped->partner = Wrapped(main);
    Wrapped(main)->partner = wrapped;
  }
  wrapped->base.pMethods = batched_wal ? &kWalMethods : &kDatabaseMethods;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_base->xDelete(g_base, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void DlError(sqlite3_vfs*, int n, char* out) { g_base->xDlError(g_base, n, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return g_base->xDlSym(g_base, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { g_base->xDlClose(g_base, handle); }
int Randomness(sqlite3_vfs*, int n, char* out) { return g_base->xRandomness(g_base, n, out); }
int Sleep(sqlite3_vfs*, int microseconds) { return g_base->xSleep(g_base, microseconds); }
int CurrentTime(sqlite3_vfs*, double* out) { return g_base->xCurrentTime(g_base, out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return g_base->xGetLastError(g_base, n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return g_base->xCurrentTimeInt64(g_base, out);
}

sqlite3_vfs* Register() {
  g_base = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs = {};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(kWrapperBytes) + g_base->szOsFile;
  vfs.mxPathname = g_base->mxPathname;
  vfs.zName = kVfsName;
  vfs.xOpen = Open;
  vfs.xDelete = Delete;
  vfs.xAccess = Access;
  vfs.xFullPathname = FullPathname;
  vfs.xDlOpen = DlOpen;
  vfs.xDlError = DlError;
  vfs.xDlSym = DlSym;
  vfs.xDlClose = DlClose;
  vfs.xRandomness = Randomness;
  vfs.xSleep = Sleep;
  vfs.xCurrentTime = CurrentTime;
  vfs.xGetLastError = GetLastError;
  vfs.xCurrentTimeInt64 = CurrentTimeInt64;
  sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  return &vfs;
}

}  // namespace

const char* WalBatchingVfsName() {
  static const sqlite3_vfs* const vfs = Register();
  return vfs->zName;
}

WalBatchingCounts WalBatchingCountsNow() {
  return {g_requested.load(std::memory_order_relaxed), g_issued.load(std::memory_order_relaxed)};
}

}  // namespace vigil
