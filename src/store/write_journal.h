// WriteJournal: the acknowledgment log in front of the SQLite store.
//
// A scored request is acknowledged once its write is durable. Committing it
// to SQLite takes a transaction that rewrites every B-tree page it touches
// (the events and decisions leaves, each index's leaf) into the WAL; with the
// small groups of a moderate load that is ~10 pages and ~0.3 ms of the
// writer's CPU per commit, and a request waits for the commit in progress and
// then its own. The journal instead appends the group's batches as they are
// (a few KB) with one write and one fdatasync, and acknowledges; the store's
// applier thread then writes the same batches into SQLite in larger groups.
// Opening the store applies what the journal holds (idempotently: events by
// id, decisions by id) and empties it. See docs/store.md, "The write journal".
//
// Two segment files, data_dir/vigil.journal.0 and .1, take appends in turn:
// once the active one passes `segment_bytes` and everything in the other has
// been applied to SQLite (and is durable there), the other is written again
// from its start; so the journal holds about two segments, whatever the
// load. With `preallocate`, Reset fills each segment with `segment_bytes` of
// zeros, so appends overwrite allocated blocks and their fdatasync has no
// file length to write. A record: u32 payload length, u32 CRC-32 of the
// unit number and the payload, u64 unit number, the payload. Reading a
// segment stops at the first record that is cut short, fails its CRC or
// does not increase the unit number: a write the crash interrupted (never
// acknowledged), the zeros, or an older record of a reused segment.
//
// One process holds the journal at a time (an exclusive flock on segment 0):
// Open returns FailedPrecondition while another holds it, and that process
// writes to SQLite directly.
//
// Thread-compatible: the store's intake thread appends; Open and ReadAll run
// before it starts.
#ifndef VIGIL_STORE_WRITE_JOURNAL_H_
#define VIGIL_STORE_WRITE_JOURNAL_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace vigil {

class WriteJournal {
 public:
  struct Record {
    uint64_t unit = 0;  // the store's number for the write, increasing
    std::string payload;
  };
  struct Entry {
    uint64_t unit = 0;
    std::string_view payload;
  };

  // Opens (creating) the two segments in `data_dir` and takes the lock.
  // FailedPrecondition when another process holds it; Unavailable naming
  // the file on an I/O error.
  [[nodiscard]] static StatusOr<std::unique_ptr<WriteJournal>> Open(const std::string& data_dir,
                                                                    size_t segment_bytes = 4 << 20,
                                                                    bool preallocate = false);
  ~WriteJournal();  // closes the files; the lock goes with them
  WriteJournal(const WriteJournal&) = delete;
  WriteJournal& operator=(const WriteJournal&) = delete;

  // Every intact record of both segments, in unit order.
  [[nodiscard]] StatusOr<std::vector<Record>> ReadAll() const;

  // Appends `entries` (units increasing) with one write and makes them
  // durable with one fdatasync. FailedPrecondition before Reset. `applied_through`: every unit up
  // to this one is durable in SQLite, which lets the journal reuse the other segment. On error
  // nothing may be taken as written.
  [[nodiscard]] Status Append(std::span<const Entry> entries, uint64_t applied_through);

  // Empties both segments (then preallocates them), durably: everything
  // they held is in SQLite. Call it after ReadAll's records are applied and
  // before the first Append.
  [[nodiscard]] Status Reset();

  // Bytes of records written to the two segments since Reset.
  size_t bytes() const { return segments_[0].bytes + segments_[1].bytes; }

 private:
  struct Segment {
    std::string path;
    int fd = -1;
    size_t bytes = 0;        // where the next record goes
    uint64_t last_unit = 0;  // of its last record; 0 when empty
  };

  WriteJournal(std::array<Segment, 2> segments, size_t segment_bytes, bool preallocate);
  [[nodiscard]] Status Clear(Segment& segment);
  [[nodiscard]] Status MaybeSwitch(uint64_t applied_through);

  std::array<Segment, 2> segments_;
  const size_t segment_bytes_;
  const bool preallocate_;
  bool reset_ = false;  // Reset has run: the segments hold only this run's records
  int active_ = 0;
  std::string buffer_;  // the records of one Append, reused
};

}  // namespace vigil

#endif  // VIGIL_STORE_WRITE_JOURNAL_H_
