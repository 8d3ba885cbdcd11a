// The store's part of the dashboard (sqlite_store_dashboard.cc) on a real
// SQLite file: labels written with their event, the review queue and its
// keyset pages, the payments list, and the overview's counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "absl/synchronization/notification.h"
#include "store/sqlite_connection.h"
#include "store/sqlite_store.h"
#include "store/store_records_for_test.h"

namespace vigil {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr Timestamp kT0 = 1'760'918'400;  // 2025-10-20T00:00:00Z

DecisionRecord Decision(const std::string& id, Timestamp at, double score,
                        const std::string& action, const std::string& kind = "order",
                        const std::string& customer = "C1") {
  DecisionRecord d = TestDecision(id, "S_" + id, at);
  d.kind = kind;
  d.risk_score = score;
  d.action = action;
  d.customer_id = customer;
  d.risk_level = score >= 0.8   ? "critical"
                 : score >= 0.6 ? "high"
                 : score >= 0.3 ? "medium"
                                : "low";
  return d;
}

class SqliteStoreDashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenSqliteStore(dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }

  void Put(std::vector<DecisionRecord> decisions) {
    WriteBatch batch;
    batch.decisions = std::move(decisions);
    ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  }

  StatusOr<DecisionLabelRecord> Label(const std::string& decision_id, const std::string& label,
                                      const std::string& event_id, Timestamp at = kT0 + 100) {
    DecisionLabelRecord record{.decision_id = decision_id,
                               .subject_id = "S_" + decision_id,
                               .kind = "order",
                               .label = label,
                               .note = "checked the address",
                               .by_key_id = "key_AbC-_9",
                               .by_name = "Asha <night shift>",
                               .at = at};
    EventRecord event{event_id, "label", at, R"({"type":"label"})"};
    absl::Notification done;
    StatusOr<DecisionLabelRecord> result = absl::UnknownError("not done");
    Status queued = store_->SubmitDecisionLabel(std::move(record), std::move(event),
                                                [&](StatusOr<DecisionLabelRecord> r) {
                                                  result = std::move(r);
                                                  done.Notify();
                                                });
    if (!queued.ok()) return queued;
    done.WaitForNotification();
    return result;
  }

  // Every decision id `query` visits, page by page of `limit`.
  std::vector<std::string> AllPages(DecisionQuery query, int64_t limit, int* pages = nullptr) {
    query.limit = limit;
    std::vector<std::string> ids;
    for (int page = 1; page < 1000; ++page) {
      auto listed = store_->ListDecisions(query);
      EXPECT_TRUE(listed.ok()) << listed.status();
      if (!listed.ok()) break;
      EXPECT_LE(static_cast<int64_t>(listed->decisions.size()), limit);
      for (const DecisionSummary& d : listed->decisions) ids.push_back(d.decision_id);
      if (!listed->next.has_value()) {
        if (pages != nullptr) *pages = page;
        break;
      }
      query.after = listed->next;
    }
    return ids;
  }

  ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreDashboardTest, ALabelIsWrittenWithItsEventAndListedOldestFirst) {
  Put({Decision("d1", kT0, 0.9, "block")});
  auto first = Label("d1", "fraud", "label:d1:1", kT0 + 10);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Label("d1", "genuine", "label:d1:2", kT0 + 20);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GT(second->label_id, first->label_id);

  auto labels = store_->DecisionLabels("d1");
  ASSERT_TRUE(labels.ok()) << labels.status();
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_EQ((*labels)[0], *first);
  EXPECT_EQ((*labels)[1], *second);
  EXPECT_EQ((*labels)[0].label, "fraud");
  EXPECT_EQ((*labels)[0].by_key_id, "key_AbC-_9");
  EXPECT_EQ((*labels)[0].by_name, "Asha <night shift>");
  EXPECT_EQ((*labels)[0].note, "checked the address");
  EXPECT_EQ((*labels)[0].at, kT0 + 10);
  EXPECT_EQ((*labels)[0].event_id, "label:d1:1");
  EXPECT_EQ(store_->HasEvent("label:d1:1").value_or(false), true);
  EXPECT_EQ(store_->HasEvent("label:d1:2").value_or(false), true);
  EXPECT_EQ(store_->DecisionLabels("d2")->size(), 0u);
}

TEST_F(SqliteStoreDashboardTest, ALabelWhoseEventIsAlreadyInTheLogIsNotWritten) {
  Put({Decision("d1", kT0, 0.9, "block")});
  WriteBatch batch;
  batch.events.push_back(TestEvent("label:d1:1"));
  ASSERT_TRUE(store_->Write(std::move(batch)).ok());
  auto labelled = Label("d1", "fraud", "label:d1:1");
  EXPECT_TRUE(absl::IsAlreadyExists(labelled.status())) << labelled.status();
  EXPECT_TRUE(store_->DecisionLabels("d1")->empty());
}

TEST_F(SqliteStoreDashboardTest, ALabelWithoutAnEventIdIsRefusedAtOnce) {
  DecisionLabelRecord label{.decision_id = "d1", .label = "fraud"};
  bool called = false;
  Status s = store_->SubmitDecisionLabel(label, EventRecord{}, [&](auto) { called = true; });
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_FALSE(called);
}

TEST_F(SqliteStoreDashboardTest, TheQueueVisitsEveryQueuedDecisionOnceNewestFirst) {
  std::vector<DecisionRecord> decisions;
  const std::vector<std::string> actions = {
      "allow",          "manual_review",         "block", "otp_verification", "deny",
      "instant_refund", "step_up_authentication"};
  // Three decisions a second: pages must split ties on `at` without losing any.
  for (int i = 0; i < 210; ++i) {
    decisions.push_back(Decision(fmt::format("d{:03}", i), kT0 + i / 3, (i % 17) / 17.0,
                                 actions[i % actions.size()], i % 2 ? "order" : "return"));
  }
  Put(decisions);
  std::vector<std::string> want;
  for (auto it = decisions.rbegin(); it != decisions.rend(); ++it) {
    const std::string& a = it->action;
    if (a == "manual_review" || a == "block" || a == "deny" || a == "step_up_authentication") {
      want.push_back(it->decision_id);
    }
  }
  int pages = 0;
  EXPECT_EQ(AllPages({.queue = true}, 7, &pages), want);
  EXPECT_EQ(pages, static_cast<int>((want.size() + 6) / 7));
  // Oldest first: the same decisions in the other order.
  std::vector<std::string> oldest(want.rbegin(), want.rend());
  EXPECT_EQ(AllPages({.queue = true, .ascending = true}, 11), oldest);
  // Without the queue: everything.
  EXPECT_EQ(AllPages({}, 50).size(), decisions.size());
}

TEST_F(SqliteStoreDashboardTest, SortedByScoreThePagesSplitEqualScoresBySeq) {
  std::vector<DecisionRecord> decisions;
  for (int i = 0; i < 60; ++i) {
    decisions.push_back(Decision(fmt::format("d{:02}", i), kT0 + i, (i % 4) * 0.25, "block"));
  }
  Put(decisions);
  std::vector<DecisionRecord> sorted = decisions;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.risk_score > b.risk_score;  // ties: later seq first
  });
  // stable_sort kept insertion (seq) order among ties; descending wants the reverse.
  std::vector<std::string> want;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i;
    while (j < sorted.size() && sorted[j].risk_score == sorted[i].risk_score) ++j;
    for (size_t k = j; k > i; --k) want.push_back(sorted[k - 1].decision_id);
    i = j;
  }
  EXPECT_EQ(AllPages({.queue = true, .by_score = true}, 9), want);
  std::vector<std::string> ascending(want.rbegin(), want.rend());
  EXPECT_EQ(AllPages({.queue = true, .by_score = true, .ascending = true}, 4), ascending);
}

TEST_F(SqliteStoreDashboardTest, FiltersCombine) {
  Put({Decision("o_low", kT0, 0.1, "allow"), Decision("o_block", kT0 + 1, 0.9, "block"),
       Decision("r_deny", kT0 + 2, 0.7, "deny", "return"),
       Decision("o_other", kT0 + 3, 0.9, "block", "order", "C2"),
       Decision("o_late", kT0 + 100, 0.95, "block")});
  auto ids = [&](DecisionQuery q) { return AllPages(std::move(q), 10); };
  EXPECT_THAT(ids({.kind = "return"}), ElementsAre("r_deny"));
  EXPECT_THAT(ids({.action = "block"}), ElementsAre("o_late", "o_other", "o_block"));
  EXPECT_THAT(ids({.risk_level = "critical", .customer_id = "C1"}),
              ElementsAre("o_late", "o_block"));
  EXPECT_THAT(ids({.customer_id = "C2"}), ElementsAre("o_other"));
  EXPECT_THAT(ids({.from = kT0 + 1, .until = kT0 + 3}), ElementsAre("r_deny", "o_block"));
  EXPECT_THAT(ids({.queue = true, .kind = "order", .until = kT0 + 100}),
              ElementsAre("o_other", "o_block"));
  EXPECT_TRUE(ids({.kind = "transaction"}).empty());
}

// A return decision as the service stores it: the request names the order.
DecisionRecord ReturnDecision(const std::string& id, const std::string& return_id,
                              const std::string& order_id, Timestamp at) {
  DecisionRecord d = Decision(id, at, 0.7, "manual_review", "return");
  d.subject_id = return_id;
  d.document =
      fmt::format(R"({{"request":{{"return_id":"{}","order_id":"{}"}}}})", return_id, order_id);
  return d;
}

TEST_F(SqliteStoreDashboardTest, DecisionsAboutOrdersFindTheOrdersAndTheirReturnsNewestFirst) {
  DecisionRecord o1 = Decision("d_o1", kT0, 0.2, "allow");
  o1.subject_id = "O1";
  DecisionRecord o2 = Decision("d_o2", kT0 + 5, 0.9, "block", "order", "C2");
  o2.subject_id = "O2";
  DecisionRecord o3 = Decision("d_o3", kT0 + 6, 0.1, "allow");
  o3.subject_id = "O3";
  // A payment whose id happens to be an order's: not an order decision.
  DecisionRecord payment = Decision("d_t1", kT0 + 7, 0.5, "approve", "transaction");
  payment.subject_id = "O1";
  Put({o1, o2, o3, payment, ReturnDecision("d_r1", "R1", "O1", kT0 + 10),
       ReturnDecision("d_r2", "R2", "O1", kT0 + 20), ReturnDecision("d_r3", "R3", "O2", kT0 + 30)});
  ASSERT_TRUE(Label("d_r1", "abuse", "e1").ok());

  const std::vector<std::string> orders = {"O1", "O3", "O_UNKNOWN"};
  auto found = store_->DecisionsAboutOrders(orders);
  ASSERT_TRUE(found.ok()) << found.status();
  std::vector<std::string> ids;
  for (const DecisionSummary& d : *found) ids.push_back(d.decision_id);
  EXPECT_THAT(ids, ElementsAre("d_r2", "d_r1", "d_o3", "d_o1"));
  EXPECT_EQ((*found)[0].subject_id, "R2");
  EXPECT_EQ((*found)[0].kind, "return");
  ASSERT_TRUE((*found)[1].label.has_value());
  EXPECT_EQ((*found)[1].label->label, "abuse");
  EXPECT_FALSE((*found)[2].label.has_value());
  EXPECT_TRUE(store_->DecisionsAboutOrders({})->empty());
}

TEST_F(SqliteStoreDashboardTest, DecisionsAboutAnOrderAreLookedUpNotScanned) {
  Put({Decision("d1", kT0, 0.2, "allow"), ReturnDecision("d_r1", "R1", "S_d1", kT0 + 1)});
  auto c = SqliteConnection::Open(dir_.path() + "/vigil.db", {.read_only = true});
  ASSERT_TRUE(c.ok()) << c.status();
  auto plan = (*c)->Prepare(std::string("EXPLAIN QUERY PLAN ") + kDecisionsAboutOrderSql);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE((*plan)->BindAll("S_d1", "S_d1").ok());
  std::string steps;
  while (*(*plan)->Step()) steps += (*plan)->ColumnText(3) + "\n";
  EXPECT_THAT(steps, HasSubstr("USING INDEX decisions_by_subject (subject_id=?)")) << steps;
  EXPECT_THAT(steps, HasSubstr("USING INDEX decisions_returns_by_order (<expr>=?)")) << steps;
  EXPECT_THAT(steps, Not(HasSubstr("SCAN"))) << steps;
}

TEST_F(SqliteStoreDashboardTest, AListedDecisionCarriesItsLatestLabel) {
  Put({Decision("d1", kT0, 0.9, "block"), Decision("d2", kT0 + 1, 0.9, "block")});
  ASSERT_TRUE(Label("d1", "fraud", "e1").ok());
  ASSERT_TRUE(Label("d1", "genuine", "e2").ok());
  auto page = store_->ListDecisions({.queue = true});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->decisions.size(), 2u);
  EXPECT_EQ(page->decisions[0].decision_id, "d2");
  EXPECT_FALSE(page->decisions[0].label.has_value());
  ASSERT_TRUE(page->decisions[1].label.has_value());
  EXPECT_EQ(page->decisions[1].label->label, "genuine");
  EXPECT_EQ(page->decisions[1].label->event_id, "e2");
  EXPECT_FALSE(page->next.has_value());
}

TEST_F(SqliteStoreDashboardTest, TheQueueLeftToReviewLosesEachDecisionOnceItIsLabelled) {
  Put({Decision("d1", kT0, 0.9, "block"), Decision("d2", kT0 + 1, 0.9, "block"),
       Decision("d3", kT0 + 2, 0.95, "block")});
  ASSERT_TRUE(Label("d1", "fraud", "e1").ok());
  ASSERT_TRUE(Label("d3", "genuine", "e3").ok());
  ASSERT_TRUE(Label("d3", "fraud", "e4").ok());  // labelled twice, listed once
  EXPECT_THAT(AllPages({.queue = true, .labelled = false}, 1), ElementsAre("d2"));
  EXPECT_THAT(AllPages({.queue = true, .labelled = true}, 1), ElementsAre("d3", "d1"));
  EXPECT_THAT(AllPages({.queue = true}, 1), ElementsAre("d3", "d2", "d1"));
  EXPECT_THAT(AllPages({.queue = true, .labelled = false, .by_score = true}, 1), ElementsAre("d2"));
}

TEST_F(SqliteStoreDashboardTest, CountsDecisionsByKindBucketLevelActionAndScoreBin) {
  Put({Decision("a", kT0, 0.0, "allow"), Decision("b", kT0 + 59, 0.05, "allow"),
       Decision("c", kT0 + 60, 1.0, "block"), Decision("d", kT0 + 61, 0.999, "block"),
       Decision("e", kT0 + 61, 0.5, "pickup_qc", "return"),
       Decision("early", kT0 - 1, 0.5, "allow"), Decision("late", kT0 + 120, 0.5, "allow")});
  auto counts = store_->CountDecisions(kT0, kT0 + 120, 60);
  ASSERT_TRUE(counts.ok()) << counts.status();
  std::multiset<std::string> got;
  int64_t total = 0;
  for (const DecisionCount& c : counts->decisions) {
    got.insert(fmt::format("{} {} {} {} {} x{}", c.kind, c.bucket, c.risk_level, c.action,
                           c.score_bin, c.count));
    total += c.count;
  }
  EXPECT_EQ(total, 5);
  EXPECT_THAT(got, ::testing::UnorderedElementsAre(
                       "order 0 low allow 0 x1", "order 0 low allow 1 x1",
                       "order 1 critical block 19 x2", "return 1 medium pickup_qc 10 x1"));
  EXPECT_TRUE(absl::IsInvalidArgument(store_->CountDecisions(kT0, kT0 + 1, 0).status()));
}

class SqliteStoreDashboardPaymentsTest : public SqliteStoreDashboardTest {
 protected:
  // A payment received at `at`, scored `score` and taken to `status`;
  // with `sms`, a verification message (sent when `sent`).
  void Payment(const std::string& id, Timestamp at, double score, const std::string& status,
               bool sms = false, bool sent = false, std::optional<int64_t> label = std::nullopt,
               bool expired = false) {
    TransactionRecord t{.transaction_id = id,
                        .user_id = "U1",
                        .amount = 100,
                        .created_at = at,
                        .received_at = at,
                        .updated_at = at};
    ASSERT_TRUE(store_->ReceiveTransaction(t).ok());
    TransactionStep step{.transaction_id = id, .at = at};
    step.risk_score = score;
    step.decision = R"({"risk_level":"high","action":"step_up_authentication"})";
    step.transitions.push_back({"scored", at, ""});
    if (expired) step.transitions.push_back({"expired", at, ""});
    step.transitions.push_back({status, at, ""});
    if (label.has_value()) {
      step.label = label;
      step.user_response = *label == 1 ? "NO" : "YES";
    }
    if (sms) {
      step.new_sms = OutboundSms{.message_key = "m_" + id,
                                 .transaction_id = id,
                                 .to_phone = "+919800000000",
                                 .body = "ok?",
                                 .created_at = at,
                                 .updated_at = at};
    }
    ASSERT_TRUE(store_->ApplyTransactionStep(step).ok());
    if (sent) {
      ASSERT_TRUE(
          store_->UpdateSms({.message_key = "m_" + id, .status = "sent", .sent_at = at}, at).ok());
    }
  }
};

TEST_F(SqliteStoreDashboardPaymentsTest, CountsScoredPaymentsAndTheSmsFunnel) {
  Payment("t_ok", kT0, 0.1, "approved");
  Payment("t_pending", kT0 + 1, 0.9, "pending_verification", true, true);
  Payment("t_confirmed", kT0 + 2, 0.9, "approved", true, true, 0);
  Payment("t_denied", kT0 + 3, 0.9, "declined", true, true, 1);
  Payment("t_expired", kT0 + 4, 0.9, "declined", true, true, std::nullopt, true);
  Payment("t_unsent", kT0 + 5, 0.9, "pending_verification", true, false);
  Payment("t_before", kT0 - 10, 0.9, "pending_verification", true, true);
  auto counts = store_->CountDecisions(kT0, kT0 + 60, 60);
  ASSERT_TRUE(counts.ok()) << counts.status();
  int64_t transactions = 0;
  for (const DecisionCount& c : counts->decisions) {
    EXPECT_EQ(c.kind, "transaction");
    EXPECT_EQ(c.risk_level, "high");
    EXPECT_EQ(c.action, "step_up_authentication");
    transactions += c.count;
  }
  EXPECT_EQ(transactions, 6);
  EXPECT_EQ(counts->sms.sent, 4);
  EXPECT_EQ(counts->sms.confirmed, 1);
  EXPECT_EQ(counts->sms.denied, 1);
  EXPECT_EQ(counts->sms.expired, 1);
  EXPECT_EQ(counts->sms.pending, 2);
}

TEST_F(SqliteStoreDashboardPaymentsTest, ListsPaymentsNewestFirstByStatusWithTheirSms) {
  for (int i = 0; i < 25; ++i) {
    Payment(fmt::format("t{:02}", i), kT0 + i / 2, 0.9,
            i % 3 == 0 ? "approved" : "pending_verification", i % 3 != 0, i % 3 == 1);
  }
  std::vector<std::string> seen;
  TransactionQuery query{.status = "pending_verification", .limit = 4};
  for (int page = 0; page < 20; ++page) {
    auto listed = store_->ListTransactions(query);
    ASSERT_TRUE(listed.ok()) << listed.status();
    for (const TransactionSummary& t : listed->transactions) {
      seen.push_back(t.transaction.transaction_id);
      EXPECT_EQ(t.transaction.status, "pending_verification");
      const int i = std::stoi(t.transaction.transaction_id.substr(1));
      EXPECT_EQ(t.sms_status, i % 3 == 1 ? "sent" : "pending") << t.transaction.transaction_id;
    }
    if (!listed->next.has_value()) break;
    query.after = listed->next;
  }
  std::vector<std::string> want;
  for (int i = 24; i >= 0; --i) {
    if (i % 3 != 0) want.push_back(fmt::format("t{:02}", i));
  }
  EXPECT_EQ(seen, want);
  auto all = store_->ListTransactions({.limit = 100});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->transactions.size(), 25u);
  EXPECT_EQ(all->transactions.front().transaction.transaction_id, "t24");
  EXPECT_EQ(all->transactions.back().sms_status, "");  // t00: approved, no SMS
}

TEST_F(SqliteStoreDashboardPaymentsTest, ImportedHistoryIsListedOnlyWhenAskedFor) {
  Payment("live", kT0, 0.9, "approved", false, false);
  ASSERT_EQ(
      *store_->ImportTransactions(
          {{.transaction_id = "h1", .user_id = "U1", .created_at = kT0 + 5, .updated_at = kT0 + 5},
           {.transaction_id = "h2",
            .user_id = "U1",
            .created_at = kT0 - 5,
            .updated_at = kT0 - 5}}),
      2);
  auto ids = [&](TransactionQuery query) {
    std::vector<std::string> out;
    const auto listed = store_->ListTransactions(query);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (!listed.ok()) return out;
    for (const TransactionSummary& t : listed->transactions) {
      out.push_back(t.transaction.transaction_id);
    }
    return out;
  };
  EXPECT_THAT(ids({}), ElementsAre("live"));
  EXPECT_THAT(ids({.status = "historical"}), ElementsAre("h1", "h2"));
}

}  // namespace
}  // namespace vigil
