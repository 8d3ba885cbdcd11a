#include "store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "store/decision_archive.h"
#include "store/sqlite_connection.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr Timestamp kDay1 = 1'760'918'400;  // 2025-10-20T00:00:00Z

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(SqliteStoreOptions options = {}) {
    store_.reset();
    StatusOr<std::unique_ptr<Store>> opened = OpenSqliteStore(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  WriteResult MustWrite(WriteBatch batch) {
    StatusOr<WriteResult> result = store_->Write(std::move(batch));
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : WriteResult{};
  }

  std::vector<std::pair<int64_t, std::string>> ScanIds(int64_t after_seq) {
    std::vector<std::pair<int64_t, std::string>> ids;
    EXPECT_TRUE(store_
                    ->ScanEvents(after_seq,
                                 [&](int64_t seq, const EventRecord& e) {
                                   ids.emplace_back(seq, e.event_id);
                                   return absl::OkStatus();
                                 })
                    .ok());
    return ids;
  }

  // A count straight from the database file.
  int64_t CountRows(const std::string& table) {
    auto c = SqliteConnection::Open(dir_.path() + "/vigil.db", {});
    EXPECT_TRUE(c.ok()) << c.status();
    auto stmt = (*c)->Prepare("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(*(*stmt)->Step());
    return (*stmt)->ColumnInt(0);
  }

  ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, DuplicateEventIdsAreReportedAndNotWrittenAgain) {
  EXPECT_THAT(MustWrite({{TestEvent("e1"), TestEvent("e2")}, {}}).event_was_new,
              ElementsAre(true, true));
  EXPECT_THAT(MustWrite({{TestEvent("e2"), TestEvent("e3")}, {}}).event_was_new,
              ElementsAre(false, true));
  EXPECT_THAT(MustWrite({{TestEvent("e4"), TestEvent("e4")}, {}}).event_was_new,
              ElementsAre(true, false));
  EXPECT_EQ(CountRows("events"), 4);
  EXPECT_EQ(*store_->LastEventSeq(), 4);
}

TEST_F(SqliteStoreTest, ScanEventsReturnsEventsAfterSeqInCommitOrder) {
  for (const char* id : {"a", "b", "c", "d"}) MustWrite({{TestEvent(id)}, {}});
  EXPECT_THAT(ScanIds(0), ElementsAre(std::pair<int64_t, std::string>(1, "a"),
                                      std::pair<int64_t, std::string>(2, "b"),
                                      std::pair<int64_t, std::string>(3, "c"),
                                      std::pair<int64_t, std::string>(4, "d")));
  EXPECT_THAT(ScanIds(2), ElementsAre(std::pair<int64_t, std::string>(3, "c"),
                                      std::pair<int64_t, std::string>(4, "d")));
  EXPECT_THAT(ScanIds(4), ElementsAre());
}

TEST_F(SqliteStoreTest, ScanEventsPagesThroughManyEventsWithPayloads) {
  WriteBatch batch;
  for (int i = 0; i < 2500; ++i) batch.events.push_back(TestEvent(fmt::format("ev{:05}", i)));
  batch.events[7].payload = std::string("\0binary\xff", 8);
  MustWrite(batch);
  int64_t expected_seq = 0;
  ASSERT_TRUE(store_
                  ->ScanEvents(0,
                               [&](int64_t seq, const EventRecord& e) {
                                 EXPECT_EQ(seq, expected_seq + 1);
                                 EXPECT_EQ(e.event_id, batch.events[expected_seq].event_id);
                                 EXPECT_EQ(e.payload, batch.events[expected_seq].payload);
                                 EXPECT_EQ(e.type, "order.placed");
                                 EXPECT_EQ(e.at, 1'760'000'000);
                                 ++expected_seq;
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_EQ(expected_seq, 2500);
}

TEST_F(SqliteStoreTest, ScanEventsStopsWithTheCallbacksError) {
  MustWrite({{TestEvent("a"), TestEvent("b"), TestEvent("c")}, {}});
  int calls = 0;
  const Status status = store_->ScanEvents(0, [&](int64_t, const EventRecord&) {
    return ++calls == 2 ? absl::CancelledError("enough") : absl::OkStatus();
  });
  EXPECT_EQ(status, absl::CancelledError("enough"));
  EXPECT_EQ(calls, 2);
}

TEST_F(SqliteStoreTest, HasEventAndLastEventSeqOnEmptyAndFilledStore) {
  EXPECT_EQ(*store_->LastEventSeq(), 0);
  EXPECT_FALSE(*store_->HasEvent("e1"));
  MustWrite({{TestEvent("e1")}, {}});
  EXPECT_TRUE(*store_->HasEvent("e1"));
  EXPECT_EQ(*store_->LastEventSeq(), 1);
}

TEST_F(SqliteStoreTest, KnownEventsAnswersForEachIdInOrder) {
  MustWrite({{TestEvent("e1"), TestEvent("e3")}, {}});
  const std::vector<std::string> ids = {"e3", "e2", "e1", "e3", "nope"};
  EXPECT_EQ(*store_->KnownEvents(ids), (std::vector<bool>{true, false, true, true, false}));
  EXPECT_TRUE(store_->KnownEvents({})->empty());
}

TEST_F(SqliteStoreTest, FindDecisionByDecisionIdOrLatestForSubject) {
  const DecisionRecord first = TestDecision("dec_1", "ORD1", kDay1);
  const DecisionRecord later = TestDecision("dec_2", "ORD1", kDay1 + 60);
  MustWrite({{}, {later, first}});
  EXPECT_EQ(*store_->FindDecision("dec_1"), first);
  EXPECT_EQ(*store_->FindDecision("ORD1"), later);
  EXPECT_EQ(*store_->FindDecision("ORD404"), std::nullopt);
}

TEST_F(SqliteStoreTest, ScanDecisionsVisitsOneKindInCommitOrderAfterASeq) {
  DecisionRecord a = TestDecision("dec_a", "ORD1");
  DecisionRecord r = TestDecision("dec_r", "RET1");
  r.kind = "return";
  DecisionRecord b = TestDecision("dec_b", "ORD2", 1'700'000'000);  // older, committed later
  MustWrite({{}, {a, r}});
  MustWrite({{}, {b}});
  std::vector<std::pair<int64_t, std::string>> seen;
  auto collect = [&seen](int64_t seq, const DecisionRecord& d) {
    seen.emplace_back(seq, d.decision_id);
    return absl::OkStatus();
  };
  ASSERT_TRUE(store_->ScanDecisions("order", 0, collect).ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].second, "dec_a");
  EXPECT_EQ(seen[1].second, "dec_b");
  const int64_t after_first = seen[0].first;
  seen.clear();
  ASSERT_TRUE(store_->ScanDecisions("order", after_first, collect).ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].second, "dec_b");
  EXPECT_TRUE(absl::IsCancelled(store_->ScanDecisions(
      "return", 0, [](int64_t, const DecisionRecord&) { return absl::CancelledError("stop"); })));
}

TEST_F(SqliteStoreTest, CheckpointsInTheBackgroundAndKeepsEveryCommit) {
  SqliteStoreOptions options;
  options.wal_checkpoint_pages = 16;  // 128 KiB
  options.background_checkpoint = true;
  Reopen(options);
  for (int i = 0; i < 200; ++i) {
    MustWrite({{TestEvent(fmt::format("ck{}", i))},
               {TestDecision(fmt::format("dec_ck{}", i), "ORD", kDay1, 2048)}});
  }
  for (int i = 0; i < 200 && store_->Stats().checkpoints == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(store_->Stats().checkpoints, 1);
  Reopen(options);
  EXPECT_EQ(*store_->LastEventSeq(), 200);
  EXPECT_TRUE(store_->FindDecision("dec_ck199")->has_value());
}

TEST_F(SqliteStoreTest, WriterCheckpointsAfterTheGroupsCallbacksAndBoundsTheWal) {
  SqliteStoreOptions options;
  options.wal_checkpoint_pages = 1;  // every commit crosses the threshold
  Reopen(options);
  std::vector<int64_t> seen_in_callback;
  for (int i = 0; i < 50; ++i) {
    absl::Notification done;
    store_->Submit({{TestEvent(fmt::format("ck{}", i))},
                    {TestDecision(fmt::format("dec_ck{}", i), "ORD", kDay1, 2048)}},
                   [&](StatusOr<WriteResult> written) {
                     EXPECT_TRUE(written.ok()) << written.status();
                     seen_in_callback.push_back(store_->Stats().checkpoints);
                     done.Notify();
                   });
    done.WaitForNotification();
  }
  // Each commit's own checkpoint comes after its callback, and before the
  // writer takes the next group.
  for (int i = 0; i < 50; ++i) EXPECT_EQ(seen_in_callback[i], i) << "write " << i;
  // Without checkpoints the WAL would keep every commit's pages (~50 KiB each).
  EXPECT_LT(std::filesystem::file_size(dir_.path() + "/vigil.db-wal"), 256u << 10);
  Reopen(options);
  EXPECT_EQ(*store_->LastEventSeq(), 50);
  EXPECT_TRUE(store_->FindDecision("dec_ck49")->has_value());
}

TEST_F(SqliteStoreTest, ExistingDecisionIdRejectsTheWholeBatch) {
  MustWrite({{}, {TestDecision("dec_1", "ORD1")}});
  const StatusOr<WriteResult> again =
      store_->Write({{TestEvent("e9")}, {TestDecision("dec_1", "ORD2")}});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("decision dec_1 already exists"));
  EXPECT_FALSE(*store_->HasEvent("e9"));
  EXPECT_EQ(store_->FindDecision("dec_1")->value().subject_id, "ORD1");

  const StatusOr<WriteResult> twice =
      store_->Write({{}, {TestDecision("dec_7", "ORD7"), TestDecision("dec_7", "ORD7")}});
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->FindDecision("dec_7"), std::nullopt);
}

TEST_F(SqliteStoreTest, InvalidBatchesAreRejectedWithTheFieldNamed) {
  EXPECT_EQ(store_->Write({{TestEvent("")}, {}}).status(),
            absl::InvalidArgumentError("an event has an empty event_id"));
  DecisionRecord bad_kind = TestDecision("dec_1", "ORD1");
  bad_kind.kind = "refund";
  EXPECT_EQ(store_->Write({{}, {bad_kind}}).status(),
            absl::InvalidArgumentError(
                "decision dec_1 has kind 'refund'; expected order, return or transaction"));
  EXPECT_EQ(store_->Write({{}, {TestDecision("dec_2", "")}}).status(),
            absl::InvalidArgumentError("decision dec_2 has an empty subject_id"));
}

// Blocks the writer thread inside a callback until released, so that the
// test controls exactly what is queued when the next group is taken.
class WriterBlocker {
 public:
  explicit WriterBlocker(Store& store) {
    store.Submit({{TestEvent("blocker")}, {}}, [this](StatusOr<WriteResult>) {
      entered_.Notify();
      release_.WaitForNotification();
    });
    entered_.WaitForNotification();
  }
  ~WriterBlocker() { Release(); }
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }

 private:
  absl::Notification entered_;
  absl::Notification release_;
};

TEST_F(SqliteStoreTest, QueuedBatchesCommitInOneTransactionAndRejectOnlyTheBadOne) {
  MustWrite({{}, {TestDecision("dec_old", "ORD0")}});
  WriterBlocker blocker(*store_);
  const int64_t commits_before = store_->Stats().commits;
  std::vector<StatusOr<WriteResult>> results(10);
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    const std::string decision_id = i == 4 ? "dec_old" : fmt::format("dec_{}", i);
    store_->Submit({{TestEvent(fmt::format("e{}", i))}, {TestDecision(decision_id, "ORD")}},
                   [&, i](StatusOr<WriteResult> r) {
                     results[i] = std::move(r);
                     ++done;
                   });
  }
  EXPECT_EQ(store_->Stats().queue_depth, 10);
  blocker.Release();
  store_->Close();
  EXPECT_EQ(done.load(), 10);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(results[i].status().code(),
              i == 4 ? absl::StatusCode::kAlreadyExists : absl::StatusCode::kOk);
  }
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.commits, commits_before + 1);
  EXPECT_EQ(stats.last_group_size, 10);
  EXPECT_EQ(stats.failed_batches, 1);
  EXPECT_EQ(stats.queue_depth, 0);
  EXPECT_FALSE(*store_->HasEvent("e4"));
  EXPECT_TRUE(*store_->HasEvent("e5"));
  EXPECT_EQ(CountRows("events"), 10);  // blocker + 9
}

TEST_F(SqliteStoreTest, CloseCommitsEverythingQueued) {
  std::atomic<int> ok{0};
  {
    WriterBlocker blocker(*store_);
    for (int i = 0; i < 500; ++i) {
      store_->Submit({{TestEvent(fmt::format("e{}", i))}, {}},
                     [&](StatusOr<WriteResult> r) { ok += r.ok() ? 1 : 0; });
    }
  }
  store_->Close();
  EXPECT_EQ(ok.load(), 500);
  Reopen();
  EXPECT_EQ(*store_->LastEventSeq(), 501);
}

TEST_F(SqliteStoreTest, SubmitAfterCloseFailsAtOnceAndReadsStillWork) {
  MustWrite({{TestEvent("e1")}, {}});
  store_->Close();
  store_->Close();  // idempotent
  Status seen;
  store_->Submit({{TestEvent("e2")}, {}}, [&](StatusOr<WriteResult> r) { seen = r.status(); });
  EXPECT_EQ(seen, absl::FailedPreconditionError("the store is closed"));
  EXPECT_EQ(store_->PutListEntry({"block", "phone", "+919800000000", "", 0, ""}),
            absl::FailedPreconditionError("the store is closed"));
  EXPECT_TRUE(*store_->HasEvent("e1"));
}

TEST_F(SqliteStoreTest, FullQueueRejectsWithResourceExhausted) {
  SqliteStoreOptions options;
  options.max_queued_units = 2;
  Reopen(options);
  absl::Mutex mu;
  std::vector<Status> seen;  // outlives the callbacks: Close below runs them
  WriterBlocker blocker(*store_);
  for (int i = 0; i < 3; ++i) {
    store_->Submit({{TestEvent(fmt::format("e{}", i))}, {}}, [&](StatusOr<WriteResult> r) {
      absl::MutexLock lock(&mu);
      seen.push_back(r.status());
    });
  }
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(seen.size(), 1u);  // the third, at once on this thread
    EXPECT_EQ(seen[0].code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(seen[0].message(), "the store's write queue is full (2 waiting)");
  }
  blocker.Release();
  store_->Close();
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(store_->Stats().failed_batches, 1);
}

TEST_F(SqliteStoreTest, BlockingCallFromACallbackFailsInsteadOfDeadlocking) {
  absl::Notification done;
  Status put_list;
  Status archive;
  const std::string archive_dir = dir_.path() + "/archive";
  store_->Submit({{TestEvent("e1")}, {}}, [&](StatusOr<WriteResult>) {
    put_list = store_->PutListEntry({"block", "phone", "+919800000000", "", 0, ""});
    archive = store_->ArchiveDecisions(kDay1, archive_dir).status();
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_EQ(put_list, absl::FailedPreconditionError("a blocking store write was called from a "
                                                    "write callback (the writer thread)"));
  EXPECT_EQ(archive.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(fs::exists(archive_dir));
}

TEST_F(SqliteStoreTest, BatchesFromTwoThreadsKeepEachThreadsOrder) {
  constexpr int kPerThread = 400;
  std::atomic<int> ok{0};
  auto submit = [&](const char* prefix) {
    for (int i = 0; i < kPerThread; ++i) {
      store_->Submit({{TestEvent(fmt::format("{}{:04}", prefix, i))},
                      {TestDecision(fmt::format("dec_{}{}", prefix, i), "ORD", kDay1, 2000)}},
                     [&](StatusOr<WriteResult> r) { ok += r.ok() ? 1 : 0; });
    }
  };
  std::thread a(submit, "a"), b(submit, "b");
  a.join();
  b.join();
  store_->Close();
  EXPECT_EQ(ok.load(), 2 * kPerThread);
  std::vector<std::string> a_ids, b_ids;
  for (const auto& [seq, id] : ScanIds(0)) (id[0] == 'a' ? a_ids : b_ids).push_back(id);
  EXPECT_EQ(a_ids.size(), kPerThread);
  EXPECT_TRUE(std::is_sorted(a_ids.begin(), a_ids.end()));
  EXPECT_TRUE(std::is_sorted(b_ids.begin(), b_ids.end()));
  EXPECT_EQ(store_->Stats().batches, 2 * kPerThread);
  EXPECT_LE(store_->Stats().commits, 2 * kPerThread);
}

TEST_F(SqliteStoreTest, AReservedPlaceCommitsBeforeWhatWasSubmittedAfterIt) {
  auto reservation = store_->Reserve();
  ASSERT_TRUE(reservation.ok()) << reservation.status();
  absl::Notification later_done;
  store_->Submit({{TestEvent("e_later")}, {}}, [&](StatusOr<WriteResult> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    later_done.Notify();
  });
  // The later batch waits for the reserved place.
  EXPECT_FALSE(later_done.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
  absl::Notification reserved_done;
  (*reservation)
      ->Submit({{TestEvent("e_first")}, {TestDecision("dec_first", "ORD1")}},
               [&](StatusOr<WriteResult> r) {
                 EXPECT_TRUE(r.ok()) << r.status();
                 reserved_done.Notify();
               });
  reserved_done.WaitForNotification();
  later_done.WaitForNotification();
  EXPECT_THAT(ScanIds(0), ElementsAre(std::pair<int64_t, std::string>(1, "e_first"),
                                      std::pair<int64_t, std::string>(2, "e_later")));
  EXPECT_TRUE(store_->FindDecision("dec_first")->has_value());
}

TEST_F(SqliteStoreTest, AnAbandonedReservationLetsTheRestThrough) {
  {
    auto reservation = store_->Reserve();
    ASSERT_TRUE(reservation.ok());
    store_->Submit({{TestEvent("e_after")}, {}}, [](StatusOr<WriteResult>) {});
  }  // destroyed unfilled
  MustWrite({{TestEvent("e_last")}, {}});
  EXPECT_THAT(ScanIds(0), ElementsAre(std::pair<int64_t, std::string>(1, "e_after"),
                                      std::pair<int64_t, std::string>(2, "e_last")));
}

TEST_F(SqliteStoreTest, ReserveAfterCloseFailsAndCloseWaitsForAnOpenReservation) {
  auto reservation = store_->Reserve();
  ASSERT_TRUE(reservation.ok());
  std::thread closer([&] { store_->Close(); });
  // Close drains the queue, so it waits for the reserved place; filling it
  // after Close began still commits.
  absl::SleepFor(absl::Milliseconds(20));
  bool ok = false;
  (*reservation)->Submit({{TestEvent("e_reserved")}, {}}, [&](StatusOr<WriteResult> r) {
    ok = r.ok();
  });
  closer.join();
  EXPECT_TRUE(ok);
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Reserve().status()));
  EXPECT_EQ(CountRows("events"), 1);
}

TEST_F(SqliteStoreTest, NarrationIsStoredBesideTheDecision) {
  MustWrite({{}, {TestDecision("dec_1", "ORD1")}});
  ASSERT_TRUE(store_->AttachNarration("dec_1", "Looks like wardrobing.", "llm:test").ok());
  const DecisionRecord found = **store_->FindDecision("ORD1");
  EXPECT_EQ(found.narration, "Looks like wardrobing.");
  EXPECT_EQ(found.narration_source, "llm:test");
  EXPECT_EQ(store_->AttachNarration("dec_404", "x", "y"),
            absl::NotFoundError("no decision with decision_id dec_404"));
}

TEST_F(SqliteStoreTest, ListEntriesUpsertOnListFieldValueAndRemove) {
  ASSERT_TRUE(store_->PutListEntry({"block", "phone", "+919800000001", "fraud", 10, "ops"}).ok());
  ASSERT_TRUE(store_->PutListEntry({"allow", "customer", "CUST9", "vip", 11, "ops"}).ok());
  ASSERT_TRUE(
      store_->PutListEntry({"block", "phone", "+919800000001", "chargeback", 12, "bot"}).ok());
  EXPECT_THAT(*store_->ListEntries(),
              ElementsAre(ListEntry{"allow", "customer", "CUST9", "vip", 11, "ops"},
                          ListEntry{"block", "phone", "+919800000001", "chargeback", 12, "bot"}));
  EXPECT_TRUE(*store_->RemoveListEntry("allow", "customer", "CUST9"));
  EXPECT_FALSE(*store_->RemoveListEntry("allow", "customer", "CUST9"));
  Reopen();
  EXPECT_EQ(store_->ListEntries()->size(), 1u);
}

TEST_F(SqliteStoreTest, ListEntriesRejectUnknownListsAndFields) {
  EXPECT_EQ(store_->PutListEntry({"grey", "phone", "1", "", 0, ""}),
            absl::InvalidArgumentError("list 'grey': expected allow or block"));
  EXPECT_EQ(store_->PutListEntry({"block", "email", "a@b", "", 0, ""}),
            absl::InvalidArgumentError(
                "list field 'email': expected customer, device, pincode or phone"));
  EXPECT_EQ(store_->RemoveListEntry("block", "email", "a@b").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, AccountsUpsertKeepingTheirCreationTimeAndAreFoundByPhone) {
  AccountRecord a{.user_id = "U1",
                  .name = "Asha",
                  .phone = "+919812345678",
                  .sms_opt_out = false,
                  .status = "active",
                  .language = "hi",
                  .created_at = kDay1,
                  .updated_at = kDay1};
  EXPECT_TRUE(*store_->PutAccount(a));
  AccountRecord changed = a;
  changed.sms_opt_out = true;
  changed.status = "blocked";
  changed.created_at = kDay1 + kDay;  // ignored: the account exists
  changed.updated_at = kDay1 + kDay;
  EXPECT_FALSE(*store_->PutAccount(changed));
  AccountRecord expected = changed;
  expected.created_at = kDay1;
  EXPECT_EQ(**store_->FindAccount("U1"), expected);
  EXPECT_FALSE(store_->FindAccount("U2")->has_value());

  AccountRecord other = a;
  other.user_id = "U0";
  other.updated_at = kDay1 + 2 * kDay;
  ASSERT_TRUE(store_->PutAccount(other).ok());
  auto by_phone = store_->AccountsByPhone("+919812345678");
  ASSERT_TRUE(by_phone.ok());
  ASSERT_EQ(by_phone->size(), 2u);
  EXPECT_EQ((*by_phone)[0].user_id, "U0");  // most recently updated first
  EXPECT_TRUE(store_->AccountsByPhone("+15550000000")->empty());
}

TEST_F(SqliteStoreTest, AccountsNeedAnIdAPhoneAndAKnownStatus) {
  AccountRecord a{.user_id = "U1", .phone = "+919812345678"};
  a.status = "frozen";
  EXPECT_THAT(store_->PutAccount(a).status().message(), HasSubstr("frozen"));
  a.status = "active";
  a.phone.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(store_->PutAccount(a).status()));
  a.phone = "+919812345678";
  a.user_id.clear();
  EXPECT_TRUE(absl::IsInvalidArgument(store_->PutAccount(a).status()));
}

TEST_F(SqliteStoreTest, AnInboundSmsIsRecordedOnceAndItsOptOutAppliesOnce) {
  ASSERT_TRUE(store_->PutAccount({.user_id = "U1", .phone = "+919812345678"}).ok());
  ASSERT_TRUE(store_->PutAccount({.user_id = "U2", .phone = "+919812345678"}).ok());
  ASSERT_TRUE(store_->PutAccount({.user_id = "U3", .phone = "+15550001111"}).ok());
  const InboundSmsRecord stop{"SM1", "+919812345678", "STOP", kDay1, "opt_out", "<Response/>"};
  auto first = store_->RecordInboundSms(stop, true);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->has_value());
  EXPECT_TRUE((*store_->FindAccount("U1"))->sms_opt_out);
  EXPECT_TRUE((*store_->FindAccount("U2"))->sms_opt_out);
  EXPECT_FALSE((*store_->FindAccount("U3"))->sms_opt_out);

  // Opted back in, then Twilio retries the old STOP: it is answered as
  // before and changes nothing.
  ASSERT_TRUE(
      store_->RecordInboundSms({"SM2", "+919812345678", "START", kDay1 + 1, "opt_in", ""}, false)
          .ok());
  InboundSmsRecord retry = stop;
  retry.received_at = kDay1 + 2;
  auto again = store_->RecordInboundSms(retry, true);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ(**again, stop);
  EXPECT_FALSE((*store_->FindAccount("U1"))->sms_opt_out);
  EXPECT_TRUE(absl::IsInvalidArgument(store_->RecordInboundSms({}, std::nullopt).status()));
}

TEST_F(SqliteStoreTest, AReceivedTransactionIsStoredOnceWithItsHistoryAndWorkToDo) {
  const TransactionRecord t{.transaction_id = "T1",
                            .user_id = "U1",
                            .amount = 2499.5,
                            .currency = "INR",
                            .merchant = "M42",
                            .location = "Pune",
                            .created_at = kDay1 - 60,
                            .received_at = kDay1,
                            .status = "received",
                            .updated_at = kDay1};
  EXPECT_TRUE(*store_->ReceiveTransaction(t));
  TransactionRecord again = t;
  again.amount = 1;
  again.received_at = kDay1 + 5;
  EXPECT_FALSE(*store_->ReceiveTransaction(again));  // the first stays
  EXPECT_EQ(**store_->FindTransaction("T1"), t);
  EXPECT_FALSE(store_->FindTransaction("T2")->has_value());
  EXPECT_THAT(*store_->TransactionHistory("T1"),
              ElementsAre(TransactionTransition{"received", kDay1, "stored"}));
  EXPECT_EQ(CountRows("outbox"), 1);  // scoring it is queued, once
  Reopen();
  EXPECT_EQ(**store_->FindTransaction("T1"), t);
  EXPECT_TRUE(
      absl::IsInvalidArgument(store_->ReceiveTransaction({.transaction_id = "T3"}).status()));
}

TEST_F(SqliteStoreTest, ImportedPaymentsAreSettledHistoryOnceAndNeverWorkToDo) {
  const TransactionRecord fraud{.transaction_id = "H1",
                                .user_id = "U1",
                                .amount = 9100,
                                .merchant = "M1",
                                .location = "Delhi",
                                .created_at = kDay1,
                                .updated_at = kDay1 + 7 * 86400,  // its chargeback
                                .label = 1};
  const TransactionRecord unlabelled{
      .transaction_id = "H2", .user_id = "U2", .amount = 120, .created_at = kDay1 + 60};
  EXPECT_EQ(*store_->ImportTransactions({fraud, unlabelled}), 2);
  TransactionRecord changed = fraud;
  changed.amount = 1;
  EXPECT_EQ(*store_->ImportTransactions({changed}), 0);  // the first stays
  const TransactionRecord stored = **store_->FindTransaction("H1");
  EXPECT_EQ(stored.status, "historical");
  EXPECT_EQ(stored.amount, 9100);
  EXPECT_EQ(stored.received_at, kDay1);
  EXPECT_EQ(stored.label, 1);
  EXPECT_EQ(LabelKnownAt(stored), kDay1 + 7 * 86400);
  EXPECT_FALSE((**store_->FindTransaction("H2")).label.has_value());
  EXPECT_EQ(CountRows("outbox"), 0);  // nothing to score or text
  std::vector<std::string> replayed;
  ASSERT_TRUE(store_
                  ->ScanScoredTransactions([&](const TransactionRecord& t) {
                    replayed.push_back(t.transaction_id);
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_THAT(replayed, ElementsAre("H1", "H2"));  // they build the live card features
  EXPECT_TRUE(absl::IsInvalidArgument(
      store_->ImportTransactions({{.transaction_id = "H3"}}).status()));  // no user
  EXPECT_FALSE(store_->FindTransaction("H3")->has_value());
}

TEST_F(SqliteStoreTest, ATransactionStepAppliesAtomicallyAndOnlyFromTheExpectedStatus) {
  ASSERT_TRUE(store_->PutAccount({.user_id = "U1", .name = "A", .phone = "+919812345678"}).ok());
  ASSERT_TRUE(*store_->ReceiveTransaction(
      {.transaction_id = "T1", .user_id = "U1", .amount = 5000, .received_at = kDay1}));
  std::vector<OutboxItem> due = *store_->DueWork(kDay1, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].step, "score_transaction");
  EXPECT_TRUE(store_->DueWork(kDay1 - 1, 10)->empty());

  TransactionStep score{.transaction_id = "T1", .at = kDay1 + 1};
  score.expected_statuses = {"received"};
  score.done_work = due[0].seq;
  score.transitions = {{"scored", kDay1 + 1, "risk"}, {"pending_verification", kDay1 + 1, "sms"}};
  score.risk_score = 0.9;
  score.decision = R"({"risk_level":"critical"})";
  score.phone = "+919812345678";
  score.new_sms =
      OutboundSms{.message_key = "T1/verify", .to_phone = "+919812345678", .body = "Ref X"};
  score.new_work = {{.step = "send_sms", .due_at = kDay1 + 1},
                    {.step = "expire_verification", .due_at = kDay1 + 900}};
  EXPECT_TRUE(*store_->ApplyTransactionStep(score));
  // Repeated (a crash before the worker saw the commit): nothing twice.
  EXPECT_FALSE(*store_->ApplyTransactionStep(score));
  EXPECT_EQ(CountRows("sms_outbound"), 1);
  EXPECT_EQ(CountRows("outbox"), 2);
  const TransactionRecord t = **store_->FindTransaction("T1");
  EXPECT_EQ(t.status, "pending_verification");
  EXPECT_EQ(t.risk_score, 0.9);
  EXPECT_EQ(t.phone, "+919812345678");
  EXPECT_EQ((*store_->PendingVerification("+919812345678"))->transaction_id, "T1");
  EXPECT_FALSE(store_->PendingVerification("+910000000000")->has_value());
  EXPECT_EQ(*store_->NextWorkDue(), kDay1 + 1);

  // Sending: marked before the provider is called, then the sid; a late
  // "sent" callback does not undo "delivered".
  ASSERT_TRUE(
      store_
          ->UpdateSms({.message_key = "T1/verify", .status = "sending", .new_attempt = true},
                      kDay1 + 2)
          .ok());
  OutboundSms sms = **store_->FindSms("T1/verify");
  EXPECT_EQ(sms.status, "sending");
  EXPECT_EQ(sms.attempts, 1);
  EXPECT_EQ(sms.attempt_at, kDay1 + 2);
  ASSERT_TRUE(store_
                  ->UpdateSms({.message_key = "T1/verify",
                               .status = "queued",
                               .sender = "twilio",
                               .message_sid = "SM1",
                               .sent_at = kDay1 + 3},
                              kDay1 + 3)
                  .ok());
  EXPECT_TRUE(*store_->UpdateSmsStatusBySid("SM1", "delivered", kDay1 + 4));
  EXPECT_TRUE(*store_->UpdateSmsStatusBySid("SM1", "sent", kDay1 + 5));
  EXPECT_FALSE(*store_->UpdateSmsStatusBySid("SM_OTHER", "sent", kDay1 + 5));
  sms = (*store_->SmsForTransaction("T1")).at(0);
  EXPECT_EQ(sms.status, "delivered");
  EXPECT_EQ(sms.message_sid, "SM1");
  EXPECT_EQ(sms.attempts, 1);

  // The reply settles it, blocks the account and cancels the expiry.
  TransactionStep deny{.transaction_id = "T1", .at = kDay1 + 60};
  deny.expected_statuses = {"pending_verification"};
  deny.transitions = {{"declined", kDay1 + 60, "denied"}};
  deny.user_response = "NO";
  deny.label = 1;
  deny.block_account = true;
  deny.cancel_steps = {"expire_verification", "send_sms"};
  auto earlier = store_->RecordInboundSms(
      {"SM_IN", "+919812345678", "NO", kDay1 + 60, "denied", "<Response/>"}, std::nullopt, &deny);
  ASSERT_TRUE(earlier.ok());
  EXPECT_FALSE(earlier->has_value());
  EXPECT_EQ(CountRows("outbox"), 0);
  EXPECT_EQ((*store_->FindAccount("U1"))->status, "blocked");
  Reopen();
  const TransactionRecord settled = **store_->FindTransaction("T1");
  EXPECT_EQ(settled.status, "declined");
  EXPECT_EQ(settled.label, 1);
  EXPECT_EQ(settled.user_response, "NO");
  EXPECT_EQ(settled.user_response_at, kDay1 + 60);
  EXPECT_EQ(store_->TransactionHistory("T1")->size(), 4u);
  int scanned = 0;
  ASSERT_TRUE(store_
                  ->ScanScoredTransactions([&](const TransactionRecord& r) {
                    EXPECT_EQ(r.transaction_id, "T1");
                    ++scanned;
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(scanned, 1);
}

TEST_F(SqliteStoreTest, AnAnalystsPaymentLabelSetsTheLabelAndItsAuditStepTogether) {
  ASSERT_TRUE(*store_->ReceiveTransaction(
      {.transaction_id = "T1", .user_id = "U1", .amount = 50, .received_at = kDay1}));
  const TransactionLabel fraud{.transaction_id = "T1",
                               .label = 1,
                               .note = "chargeback",
                               .by_key_id = "key_a",
                               .by_name = "Asha",
                               .at = kDay1 + 100};
  // Not settled yet: refused, and nothing is written.
  auto early = store_->LabelTransaction(fraud);
  EXPECT_TRUE(absl::IsFailedPrecondition(early.status())) << early.status();
  EXPECT_THAT(early.status().message(), HasSubstr("'T1' is received"));
  EXPECT_EQ(store_->TransactionHistory("T1")->size(), 1u);
  EXPECT_FALSE((*store_->FindTransaction("T1"))->label.has_value());
  EXPECT_TRUE(absl::IsNotFound(
      store_->LabelTransaction({.transaction_id = "T_NONE", .label = 1}).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      store_->LabelTransaction({.transaction_id = "T1", .label = 2}).status()));

  TransactionStep approve{.transaction_id = "T1", .at = kDay1 + 1};
  approve.transitions = {{"scored", kDay1 + 1, "risk"}, {"approved", kDay1 + 1, "low risk"}};
  ASSERT_TRUE(*store_->ApplyTransactionStep(approve));
  auto before = store_->LabelTransaction(fraud);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_FALSE(before->label.has_value());  // as it was
  EXPECT_EQ(before->status, "approved");
  auto corrected = store_->LabelTransaction({.transaction_id = "T1",
                                             .label = 0,
                                             .by_key_id = "key_b",
                                             .by_name = "Ravi",
                                             .at = kDay1 + 200});
  ASSERT_TRUE(corrected.ok());
  EXPECT_EQ(corrected->label, 1);

  Reopen();
  const TransactionRecord t = **store_->FindTransaction("T1");
  EXPECT_EQ(t.label, 0);  // the latest wins
  EXPECT_EQ(t.status, "approved");
  EXPECT_EQ(t.updated_at, kDay1 + 200);
  const std::vector<TransactionTransition> history = *store_->TransactionHistory("T1");
  ASSERT_EQ(history.size(), 5u);
  EXPECT_EQ(history[3], (TransactionTransition{.status = "approved",
                                               .at = kDay1 + 100,
                                               .reason = "labelled fraud by Asha (key_a)",
                                               .label = "fraud",
                                               .by_key_id = "key_a",
                                               .by_name = "Asha",
                                               .note = "chargeback"}));
  EXPECT_EQ(history[4].label, "genuine");
  EXPECT_EQ(history[4].by_name, "Ravi");
  EXPECT_EQ(history[2].label, "");  // a step of the flow carries none
}

TEST_F(SqliteStoreTest, APaymentUsersPaymentsAndRepliesComeNewestFirstAndEventsById) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(*store_->ReceiveTransaction({.transaction_id = "T" + std::to_string(i),
                                             .user_id = i == 1 ? "U_OTHER" : "U1",
                                             .amount = 5,
                                             .received_at = kDay1 + i}));
  }
  std::vector<std::string> ids;
  const std::vector<TransactionRecord> of_user = *store_->TransactionsOfUser("U1", 10);
  for (const TransactionRecord& t : of_user) {
    ids.push_back(t.transaction_id);
  }
  EXPECT_THAT(ids, ElementsAre("T2", "T0"));
  EXPECT_EQ(store_->TransactionsOfUser("U1", 1)->size(), 1u);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_
                    ->RecordInboundSms({"SM" + std::to_string(i), "+919800000001", "YES", kDay1 + i,
                                        "confirmed", ""},
                                       std::nullopt)
                    .ok());
  }
  const std::vector<InboundSmsRecord> replies = *store_->InboundSmsFrom("+919800000001", 2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].message_sid, "SM2");
  EXPECT_EQ(replies[1].message_sid, "SM1");
  EXPECT_TRUE(store_->InboundSmsFrom("+910000000000", 2)->empty());

  MustWrite({.events = {{"order.rto:O1", "order.rto", kDay1 + 5, R"({"order_id":"O1"})"}}});
  const std::optional<EventRecord> rto = *store_->FindEvent("order.rto:O1");
  ASSERT_TRUE(rto.has_value());
  EXPECT_EQ(rto->type, "order.rto");
  EXPECT_EQ(rto->at, kDay1 + 5);
  EXPECT_EQ(rto->payload, R"({"order_id":"O1"})");
  EXPECT_FALSE(store_->FindEvent("order.rto:O2")->has_value());
}

TEST_F(SqliteStoreTest, AFailedStepIsRescheduledWithItsError) {
  ASSERT_TRUE(*store_->ReceiveTransaction(
      {.transaction_id = "T1", .user_id = "U1", .amount = 5, .received_at = kDay1}));
  const OutboxItem item = store_->DueWork(kDay1, 1)->at(0);
  ASSERT_TRUE(store_->RescheduleWork(item.seq, kDay1 + 30, "no model").ok());
  EXPECT_TRUE(store_->DueWork(kDay1 + 29, 10)->empty());
  const OutboxItem again = store_->DueWork(kDay1 + 30, 10)->at(0);
  EXPECT_EQ(again.attempts, 1);
  EXPECT_EQ(again.last_error, "no model");
  // Work whose transaction is gone is simply removed.
  TransactionStep gone{.transaction_id = "T_GONE", .at = kDay1};
  gone.done_work = again.seq;
  EXPECT_FALSE(*store_->ApplyTransactionStep(gone));
  EXPECT_FALSE(store_->NextWorkDue()->has_value());
}

TEST_F(SqliteStoreTest, ApiKeysRevokePermanently) {
  ASSERT_TRUE(store_->PutApiKey({"k1", "checkout", "scorer", "hash1", 100, std::nullopt}).ok());
  ASSERT_TRUE(store_->PutApiKey({"k2", "analyst", "analyst", "hash2", 200, std::nullopt}).ok());
  EXPECT_TRUE(*store_->RevokeApiKey("k1", 300));
  EXPECT_FALSE(*store_->RevokeApiKey("k1", 400));
  EXPECT_EQ(store_->RevokeApiKey("k3", 400).status(),
            absl::NotFoundError("no API key with key_id k3"));
  // Putting the key again updates its hash but keeps the revocation.
  ASSERT_TRUE(store_->PutApiKey({"k1", "checkout", "scorer", "hash1b", 100, std::nullopt}).ok());
  EXPECT_THAT(*store_->ApiKeys(),
              ElementsAre(ApiKeyRecord{"k1", "checkout", "scorer", "hash1b", 100, 300},
                          ApiKeyRecord{"k2", "analyst", "analyst", "hash2", 200, std::nullopt}));
  EXPECT_EQ(store_->PutApiKey({"k4", "x", "scorer", "", 1, std::nullopt}),
            absl::InvalidArgumentError("API key k4 has an empty key_hash"));
}

TEST_F(SqliteStoreTest, SnapshotsKeepTheLatestTwoAndRoundTripLargeBlobs) {
  SqliteStoreOptions options;
  options.snapshot_chunk_bytes = 1000;
  Reopen(options);
  EXPECT_EQ(*store_->LatestSnapshot(), std::nullopt);
  std::string big(10'500, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(store_->PutSnapshot(10, "first").ok());
  ASSERT_TRUE(store_->PutSnapshot(30, big).ok());
  ASSERT_TRUE(store_->PutSnapshot(20, "").ok());
  const auto latest = *store_->LatestSnapshot();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->first, 30);
  EXPECT_EQ(latest->second, big);
  EXPECT_EQ(CountRows("snapshots"), 2);
  EXPECT_EQ(CountRows("snapshot_chunks"), 11);  // 30's chunks; 20 is empty
  ASSERT_TRUE(store_->PutSnapshot(40, "newest").ok());
  EXPECT_EQ(*store_->LatestSnapshot(), std::make_pair(int64_t{40}, std::string("newest")));
  EXPECT_EQ(CountRows("snapshot_chunks"), 12);
}

std::vector<DecisionRecord> ReadArchive(const std::string& path) {
  std::vector<DecisionRecord> decisions;
  const Status status = ReadDecisionArchive(path, [&](const DecisionRecord& d) {
    decisions.push_back(d);
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  return decisions;
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(SqliteStoreTest, ArchiveMovesOldDecisionsToAGzipNdjsonFile) {
  const DecisionRecord d1 = TestDecision("dec_1", "ORD1", kDay1 + 100);
  DecisionRecord d2 = TestDecision("dec_2", "ORD2", kDay1 + kDay + 5);
  const DecisionRecord d3 = TestDecision("dec_3", "ORD3", kDay1 + 2 * kDay);
  MustWrite({{}, {d2, d1, d3}});
  ASSERT_TRUE(store_->AttachNarration("dec_2", "Serial returner.", "template").ok());
  d2.narration = "Serial returner.";
  d2.narration_source = "template";
  const std::string archive_dir = dir_.path() + "/archive";

  EXPECT_EQ(*store_->ArchiveDecisions(kDay1 + 2 * kDay, archive_dir), 2);

  EXPECT_THAT(FilesIn(archive_dir), ElementsAre("decisions_2025-10-20_2025-10-21.ndjson.gz"));
  EXPECT_THAT(ReadArchive(archive_dir + "/decisions_2025-10-20_2025-10-21.ndjson.gz"),
              ElementsAre(d2, d1));  // commit order
  EXPECT_EQ(*store_->FindDecision("dec_1"), std::nullopt);
  EXPECT_EQ(*store_->FindDecision("dec_3"), d3);
  EXPECT_EQ(*store_->ArchiveDecisions(kDay1 + 2 * kDay, archive_dir), 0);
  EXPECT_EQ(FilesIn(archive_dir).size(), 1u);
}

TEST_F(SqliteStoreTest, ArchiveDeletesInShortTransactions) {
  std::vector<DecisionRecord> old;
  for (int i = 0; i < 1200; ++i) {
    old.push_back(TestDecision(fmt::format("dec_{}", i), fmt::format("ORD{}", i), kDay1 + i));
  }
  MustWrite({{}, old});
  const int64_t commits_before = store_->Stats().commits;
  EXPECT_EQ(*store_->ArchiveDecisions(kDay1 + kDay, dir_.path() + "/archive"), 1200);
  // At most 500 deletes a transaction: three, and one that finds nothing left.
  EXPECT_EQ(store_->Stats().commits - commits_before, 4);
  EXPECT_EQ(*store_->FindDecision("dec_1199"), std::nullopt);
}

TEST_F(SqliteStoreTest, CrashAfterArchiveFileBeforeDeleteLosesNothing) {
  const DecisionRecord d1 = TestDecision("dec_1", "ORD1", kDay1);
  MustWrite({{}, {d1}});
  store_.reset();  // checkpoints and removes the WAL: vigil.db alone is the state
  const std::string db = dir_.path() + "/vigil.db";
  fs::copy_file(db, dir_.path() + "/before.db");
  const std::string archive_dir = dir_.path() + "/archive";
  Reopen();
  EXPECT_EQ(*store_->ArchiveDecisions(kDay1 + 1, archive_dir), 1);
  store_.reset();
  // As if the process died after the rename but before the delete committed.
  fs::copy_file(dir_.path() + "/before.db", db, fs::copy_options::overwrite_existing);
  Reopen();
  EXPECT_EQ(*store_->FindDecision("dec_1"), d1);
  EXPECT_EQ(*store_->ArchiveDecisions(kDay1 + 1, archive_dir), 1);
  EXPECT_THAT(FilesIn(archive_dir), ElementsAre("decisions_2025-10-20_2025-10-20.1.ndjson.gz",
                                                "decisions_2025-10-20_2025-10-20.ndjson.gz"));
  EXPECT_THAT(ReadArchive(archive_dir + "/decisions_2025-10-20_2025-10-20.1.ndjson.gz"),
              ElementsAre(d1));
  EXPECT_EQ(*store_->FindDecision("dec_1"), std::nullopt);
}

TEST_F(SqliteStoreTest, EverythingSurvivesReopening) {
  MustWrite({{TestEvent("e1")}, {TestDecision("dec_1", "ORD1")}});
  ASSERT_TRUE(store_->PutApiKey({"k1", "n", "admin", "h", 1, std::nullopt}).ok());
  ASSERT_TRUE(store_->PutSnapshot(1, "state").ok());
  Reopen();
  EXPECT_TRUE(*store_->HasEvent("e1"));
  EXPECT_EQ(*store_->FindDecision("dec_1"), TestDecision("dec_1", "ORD1"));
  EXPECT_EQ(store_->ApiKeys()->size(), 1u);
  EXPECT_EQ(*store_->LatestSnapshot(), std::make_pair(int64_t{1}, std::string("state")));
}

TEST(OpenSqliteStoreTest, UnwritableDataDirGivesAClearStatus) {
  ScopedTempDir dir;
  const std::string file = dir.path() + "/not_a_dir";
  std::ofstream(file) << "x";
  const StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(file + "/data");
  EXPECT_EQ(store.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(store.status().message(),
              HasSubstr(fmt::format("cannot create the store directory {}/data", file)));
}

TEST(OpenSqliteStoreTest, FileThatIsNotADatabaseGivesDataLoss) {
  ScopedTempDir dir;
  std::ofstream(dir.path() + "/vigil.db") << std::string(4096, 'z');
  const StatusOr<std::unique_ptr<Store>> store = OpenSqliteStore(dir.path());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(store.status().message(), HasSubstr("vigil.db"));
}

}  // namespace
}  // namespace vigil
