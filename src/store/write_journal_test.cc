#include "store/write_journal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "store/sqlite_store.h"
#include "store/store_records_for_test.h"
#include "store/write_batch_codec.h"

namespace vigil {
namespace {

// A journal ready for appends, as the store has it after recovery.
StatusOr<std::unique_ptr<WriteJournal>> OpenReset(const std::string& dir,
                                                  size_t segment_bytes = 4 << 20) {
  ASSIGN_OR_RETURN(std::unique_ptr<WriteJournal> journal, WriteJournal::Open(dir, segment_bytes));
  RETURN_IF_ERROR(journal->Reset());
  return journal;
}

std::vector<uint64_t> Units(const WriteJournal& journal) {
  StatusOr<std::vector<WriteJournal::Record>> records = journal.ReadAll();
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<uint64_t> units;
  if (records.ok()) {
    for (const WriteJournal::Record& r : *records) units.push_back(r.unit);
  }
  return units;
}

Status AppendOne(WriteJournal& journal, uint64_t unit, uint64_t applied_through,
                 size_t bytes = 200) {
  const std::string payload(bytes, static_cast<char>('a' + unit % 26));
  const WriteJournal::Entry entry{unit, payload};
  return journal.Append({&entry, 1}, applied_through);
}

TEST(WriteJournalTest, AppendedRecordsReadBackAfterReopeningInUnitOrder) {
  ScopedTempDir dir;
  {
    auto journal = OpenReset(dir.path());
    ASSERT_TRUE(journal.ok()) << journal.status();
    const std::string a = "first", b = "second", c = "third";
    const std::vector<WriteJournal::Entry> group = {{1, a}, {2, b}};
    ASSERT_TRUE((*journal)->Append(group, 0).ok());
    const WriteJournal::Entry last{5, c};
    ASSERT_TRUE((*journal)->Append({&last, 1}, 0).ok());
  }
  auto journal = WriteJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok()) << journal.status();
  auto records = (*journal)->ReadAll();
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].unit, 1u);
  EXPECT_EQ((*records)[0].payload, "first");
  EXPECT_EQ((*records)[1].payload, "second");
  EXPECT_EQ((*records)[2].unit, 5u);
  EXPECT_EQ((*records)[2].payload, "third");
}

TEST(WriteJournalTest, ATornLastRecordIsDroppedAndTheOnesBeforeItKept) {
  ScopedTempDir dir;
  {
    auto journal = OpenReset(dir.path());
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE(AppendOne(**journal, 1, 0).ok());
    ASSERT_TRUE(AppendOne(**journal, 2, 0).ok());
  }
  const std::string segment = dir.path() + "/vigil.journal.0";
  const auto size = std::filesystem::file_size(segment);
  std::filesystem::resize_file(segment, size - 7);  // the crash cut the second record
  {
    auto journal = WriteJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    EXPECT_EQ(Units(**journal), std::vector<uint64_t>{1});
  }
  // A flipped byte inside a record fails its CRC: it and what follows go.
  {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('#');
  }
  auto journal = WriteJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  EXPECT_TRUE(Units(**journal).empty());
}

TEST(WriteJournalTest, OnlyOneHolderAtATime) {
  ScopedTempDir dir;
  auto first = WriteJournal::Open(dir.path());
  ASSERT_TRUE(first.ok());
  auto second = WriteJournal::Open(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
  first->reset();
  EXPECT_TRUE(WriteJournal::Open(dir.path()).ok());
}

TEST(WriteJournalTest, ASegmentIsReusedOnlyOnceEverythingInItIsApplied) {
  ScopedTempDir dir;
  auto journal = OpenReset(dir.path(), /*segment_bytes=*/100);
  ASSERT_TRUE(journal.ok());
  WriteJournal& j = **journal;
  ASSERT_TRUE(AppendOne(j, 1, 0).ok());  // segment 0
  ASSERT_TRUE(AppendOne(j, 2, 0).ok());  // 0 is full, 1 is empty: switch to 1
  ASSERT_TRUE(AppendOne(j, 3, 0).ok());  // 1 is full, 0 holds unit 1, not applied: stay
  EXPECT_EQ(Units(j), (std::vector<uint64_t>{1, 2, 3}));
  ASSERT_TRUE(AppendOne(j, 4, /*applied_through=*/1).ok());  // 0 is emptied and reused
  EXPECT_EQ(Units(j), (std::vector<uint64_t>{2, 3, 4}));
  ASSERT_TRUE(AppendOne(j, 5, 2).ok());  // 1 still holds unit 3: stay in 0
  EXPECT_EQ(Units(j), (std::vector<uint64_t>{2, 3, 4, 5}));
  ASSERT_TRUE(j.Reset().ok());
  EXPECT_TRUE(Units(j).empty());
  EXPECT_EQ(j.bytes(), 0u);
}

TEST(WriteJournalTest, TheOlderRecordsOfAReusedSegmentAreNotReadBack) {
  ScopedTempDir dir;
  auto journal = OpenReset(dir.path(), /*segment_bytes=*/300);
  ASSERT_TRUE(journal.ok());
  WriteJournal& j = **journal;
  ASSERT_TRUE(AppendOne(j, 1, 0).ok());  // segment 0 at 0
  ASSERT_TRUE(AppendOne(j, 2, 0).ok());  // segment 0 at 216
  ASSERT_TRUE(AppendOne(j, 3, 0).ok());  // segment 1
  ASSERT_TRUE(AppendOne(j, 4, 2).ok());  // segment 1
  ASSERT_TRUE(AppendOne(j, 5, 4).ok());  // segment 0 again, over unit 1; unit 2 stays behind it
  EXPECT_EQ(Units(j), (std::vector<uint64_t>{3, 4, 5}));
}

TEST(WriteJournalTest, APreallocatedJournalReadsBackItsRecordsAndNotItsZeros) {
  ScopedTempDir dir;
  {
    auto journal = WriteJournal::Open(dir.path(), /*segment_bytes=*/64 << 10, /*preallocate=*/true);
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Reset().ok());
    EXPECT_EQ(std::filesystem::file_size(dir.path() + "/vigil.journal.0"), 64u << 10);
    EXPECT_EQ(std::filesystem::file_size(dir.path() + "/vigil.journal.1"), 64u << 10);
    EXPECT_TRUE(Units(**journal).empty());
    ASSERT_TRUE(AppendOne(**journal, 1, 0).ok());
    ASSERT_TRUE(AppendOne(**journal, 2, 0).ok());
    // The appends overwrote the zeros: the files did not grow.
    EXPECT_EQ(std::filesystem::file_size(dir.path() + "/vigil.journal.0"), 64u << 10);
  }
  auto journal = WriteJournal::Open(dir.path(), 64 << 10, true);
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ(Units(**journal), (std::vector<uint64_t>{1, 2}));
}

TEST(WriteJournalTest, NothingIsAppendedAmongAnEarlierRunsRecordsBeforeAReset) {
  ScopedTempDir dir;
  {
    auto journal = WriteJournal::Open(dir.path());
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Reset().ok());
    ASSERT_TRUE(AppendOne(**journal, 1, 0).ok());
    ASSERT_TRUE(AppendOne(**journal, 2, 0).ok());
  }
  auto journal = WriteJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  const Status refused = AppendOne(**journal, 1, 1000);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_EQ(Units(**journal), (std::vector<uint64_t>{1, 2}));
  ASSERT_TRUE((*journal)->Reset().ok());
  ASSERT_TRUE(AppendOne(**journal, 1, 0).ok());
  EXPECT_EQ(Units(**journal), std::vector<uint64_t>{1});
}

// ---- the store with the journal ----

WriteBatch EventAndDecision(const std::string& id) {
  WriteBatch batch;
  batch.events.push_back(TestEvent(id));
  batch.decisions.push_back(TestDecision("dec_" + id, "ORD" + id));
  return batch;
}

StatusOr<WriteResult> SubmitAndWait(Store& store, WriteBatch batch) {
  absl::Notification done;
  StatusOr<WriteResult> result = absl::UnknownError("no callback");
  store.Submit(std::move(batch), [&](StatusOr<WriteResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

TEST(SqliteStoreJournalTest, AnAcknowledgedWriteIsReadableAtOnce) {
  ScopedTempDir dir;
  auto store = OpenSqliteStore(dir.path(), {.journal = true});
  ASSERT_TRUE(store.ok()) << store.status();
  for (int i = 0; i < 200; ++i) {
    const std::string id = fmt::format("e{}", i);
    StatusOr<WriteResult> written = SubmitAndWait(**store, EventAndDecision(id));
    ASSERT_TRUE(written.ok()) << written.status();
    EXPECT_EQ(written->event_was_new, std::vector<bool>{true});
    // The reads a caller makes next see the write, journaled or applied.
    ASSERT_TRUE(*(*store)->HasEvent(id)) << id;
    auto decision = (*store)->FindDecision("dec_" + id);
    ASSERT_TRUE(decision.ok() && decision->has_value()) << id;
    EXPECT_EQ((*decision)->document, TestDecision("dec_" + id, "ORD" + id).document);
  }
  EXPECT_GT((*store)->Stats().journal_appends, 0);
  (*store)->Close();
  // A clean close leaves nothing to apply.
  auto journal = WriteJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  EXPECT_TRUE(Units(**journal).empty());
}

TEST(SqliteStoreJournalTest, OpeningAStoreAppliesWhatAJournalHoldsOnceEach) {
  ScopedTempDir dir;
  {
    auto store = OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(SubmitAndWait(**store, EventAndDecision("old")).ok());
  }
  {
    // What a crash leaves: acknowledged batches in the journal, one of them
    // already in SQLite too.
    auto journal = OpenReset(dir.path());
    ASSERT_TRUE(journal.ok());
    std::vector<std::string> payloads(3);
    EncodeWriteBatch(EventAndDecision("old"), &payloads[0]);
    EncodeWriteBatch(EventAndDecision("new1"), &payloads[1]);
    EncodeWriteBatch(EventAndDecision("new2"), &payloads[2]);
    const std::vector<WriteJournal::Entry> entries = {
        {1, payloads[0]}, {2, payloads[1]}, {3, payloads[2]}};
    ASSERT_TRUE((*journal)->Append(entries, 0).ok());
  }
  auto store = OpenSqliteStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  for (const std::string id : {"old", "new1", "new2"}) {
    EXPECT_TRUE(*(*store)->HasEvent(id)) << id;
    auto decision = (*store)->FindDecision("dec_" + id);
    EXPECT_TRUE(decision.ok() && decision->has_value()) << id;
  }
  EXPECT_EQ(*(*store)->LastEventSeq(), 3);  // "old" once
  (*store)->Close();
  auto journal = WriteJournal::Open(dir.path());
  ASSERT_TRUE(journal.ok());
  EXPECT_TRUE(Units(**journal).empty());
}

TEST(SqliteStoreJournalTest, ASecondStoreOnTheDirectoryWritesDirectly) {
  ScopedTempDir dir;
  auto first = OpenSqliteStore(dir.path(), {.journal = true});
  ASSERT_TRUE(first.ok());
  auto second = OpenSqliteStore(dir.path(), {.journal = true});
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(SubmitAndWait(**first, EventAndDecision("a")).ok());
  ASSERT_TRUE(SubmitAndWait(**second, EventAndDecision("b")).ok());
  EXPECT_GT((*first)->Stats().journal_appends, 0);
  EXPECT_EQ((*second)->Stats().journal_appends, 0);
  EXPECT_TRUE(*(*first)->HasEvent("b"));
  // Another process sees a journaled write once it is applied, at the
  // latest when the holder closes.
  (*first)->Close();
  EXPECT_TRUE(*(*second)->HasEvent("a"));
}

TEST(SqliteStoreJournalTest, ARejectedBatchIsRefusedNotAcknowledged) {
  ScopedTempDir dir;
  auto store = OpenSqliteStore(dir.path(), {.journal = true});
  ASSERT_TRUE(store.ok());
  WriteBatch bad = EventAndDecision("x");
  bad.decisions[0].decision_id.clear();
  StatusOr<WriteResult> written = SubmitAndWait(**store, std::move(bad));
  EXPECT_FALSE(written.ok());
  EXPECT_FALSE(*(*store)->HasEvent("x"));
}

}  // namespace
}  // namespace vigil
