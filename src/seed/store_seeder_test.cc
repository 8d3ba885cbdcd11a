// The embedded target on a real SQLite store in a scratch directory.
#include "seed/store_seeder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "seed/seed_command.h"
#include "seed/seed_test_dir.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

using ::testing::HasSubstr;

using vigil::testing::kNow;

class StoreSeederTest : public ::testing::Test {
 protected:
  SeedRequest Request() {
    SeedRequest r;
    r.data_dir = dir_.path();
    r.plan = {.accounts = 12, .transactions = 60, .seed = 4, .fraud_share = 0.1};
    return r;
  }
  std::unique_ptr<Store> Open() {
    auto store = OpenSqliteStore(dir_.path());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  SeedPlan Plan(const SeedRequest& r) { return *PlanSeed(r.plan, kNow); }

  testing::TestDir dir_;
};

TEST_F(StoreSeederTest, WritesTheAccountsAndPaymentsIntoTheStore) {
  const SeedRequest request = Request();
  auto summary = RunSeed(request, kNow);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->accounts_created, 12);
  EXPECT_EQ(summary->transactions, 60);
  EXPECT_EQ(summary->transactions_already_there, 0);
  EXPECT_EQ(summary->fraud_like(), 6);

  const SeedPlan plan = Plan(request);
  auto store = Open();
  for (const AccountRecord& want : plan.accounts) {
    auto got = store->FindAccount(want.user_id);
    ASSERT_TRUE(got.ok() && got->has_value()) << want.user_id;
    EXPECT_EQ(**got, want);
  }
  for (const SeedTransaction& t : plan.transactions) {
    auto got = store->FindTransaction(t.record.transaction_id);
    ASSERT_TRUE(got.ok() && got->has_value()) << t.record.transaction_id;
    EXPECT_EQ((*got)->user_id, t.record.user_id);
    EXPECT_EQ((*got)->amount, t.record.amount);
    EXPECT_EQ((*got)->merchant, t.record.merchant);
    EXPECT_EQ((*got)->location, t.record.location);
    EXPECT_EQ((*got)->created_at, t.record.created_at);
    EXPECT_EQ((*got)->received_at, kNow);
    EXPECT_EQ((*got)->status, "received");
    auto history = store->TransactionHistory(t.record.transaction_id);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), 1u);
  }
}

TEST_F(StoreSeederTest, ARerunChangesNothing) {
  const SeedRequest request = Request();
  ASSERT_TRUE(RunSeed(request, kNow).ok());
  const SeedPlan plan = Plan(request);
  std::vector<AccountRecord> accounts;
  std::vector<TransactionRecord> payments;
  {
    auto store = Open();
    for (const AccountRecord& a : plan.accounts)
      accounts.push_back(**store->FindAccount(a.user_id));
    for (const SeedTransaction& t : plan.transactions) {
      payments.push_back(**store->FindTransaction(t.record.transaction_id));
    }
  }
  auto again = RunSeed(request, kNow + 600);  // ten minutes later: the same payments
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->accounts_created, 0);
  EXPECT_EQ(again->accounts_updated, 0);
  EXPECT_EQ(again->accounts_unchanged, 12);
  EXPECT_EQ(again->transactions, 60);
  EXPECT_EQ(again->transactions_already_there, 60);

  auto store = Open();
  for (size_t i = 0; i < plan.accounts.size(); ++i) {
    EXPECT_EQ(**store->FindAccount(plan.accounts[i].user_id), accounts[i]);
  }
  for (size_t i = 0; i < plan.transactions.size(); ++i) {
    const std::string& id = plan.transactions[i].record.transaction_id;
    EXPECT_EQ(**store->FindTransaction(id), payments[i]);
    EXPECT_EQ(store->TransactionHistory(id)->size(), 1u);
  }
}

TEST_F(StoreSeederTest, UpdatesAnAccountThatChangedAndKeepsItsCreationTime) {
  SeedRequest request = Request();
  request.what = "accounts";
  ASSERT_TRUE(RunSeed(request, kNow).ok());
  {
    auto store = Open();
    AccountRecord changed = **store->FindAccount("user_003");
    changed.sms_opt_out = !changed.sms_opt_out;  // e.g. the customer texted STOP
    changed.updated_at = kNow + 5;
    ASSERT_TRUE(store->PutAccount(changed).ok());
  }
  auto again = RunSeed(request, kNow + 60);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->accounts_updated, 1);
  EXPECT_EQ(again->accounts_unchanged, 11);
  EXPECT_EQ(again->transactions, 0);
  auto store = Open();
  const AccountRecord restored = **store->FindAccount("user_003");
  EXPECT_EQ(restored.sms_opt_out, Plan(request).accounts[2].sms_opt_out);
  EXPECT_EQ(restored.created_at, kNow);
  EXPECT_EQ(restored.updated_at, kNow + 60);
}

TEST_F(StoreSeederTest, OnlyTransactionsLeavesTheAccountsAlone) {
  SeedRequest request = Request();
  request.what = "transactions";
  auto summary = RunSeed(request, kNow);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->accounts_created, 0);
  EXPECT_EQ(summary->transactions, 60);
  auto store = Open();
  EXPECT_FALSE(store->FindAccount("user_001")->has_value());
}

TEST_F(StoreSeederTest, RefusesToPassAnotherPaymentOffAsItsOwn) {
  const SeedRequest request = Request();
  const SeedPlan plan = Plan(request);
  {
    auto store = Open();
    TransactionRecord other = plan.transactions[7].record;
    other.amount += 1;
    other.received_at = other.updated_at = kNow;
    ASSERT_TRUE(*store->ReceiveTransaction(other));
  }
  const Status status = RunSeed(request, kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(status.message(),
              HasSubstr(fmt::format("transaction_id '{}' is in the store for another payment",
                                    plan.transactions[7].record.transaction_id)));
}

TEST_F(StoreSeederTest, AMissingStoreDirectoryIsNotCreated) {
  SeedRequest request = Request();
  request.data_dir = dir_.path() + "/typo";
  const Status status = RunSeed(request, kNow).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("typo: no such directory"));
  EXPECT_FALSE(std::filesystem::exists(request.data_dir));
}

TEST_F(StoreSeederTest, SummarySaysWhatWasDoneAndWhereToLook) {
  auto summary = RunSeed(Request(), kNow);
  ASSERT_TRUE(summary.ok()) << summary.status();
  const std::string text = FormatSeedSummary(*summary);
  EXPECT_THAT(text, HasSubstr("Seeded " + dir_.path() + ":"));
  EXPECT_THAT(text, HasSubstr("accounts:     12 created, 0 updated, 0 unchanged"));
  EXPECT_THAT(text, HasSubstr("transactions: 60 (60 new, 0 already there); 6 fraud-like"));
  EXPECT_THAT(text, HasSubstr("GET /transaction/" + summary->example_id));
  const SeedPlan plan = Plan(Request());
  const auto example = std::find_if(
      plan.transactions.begin(), plan.transactions.end(),
      [&](const SeedTransaction& t) { return t.record.transaction_id == summary->example_id; });
  ASSERT_NE(example, plan.transactions.end());
  EXPECT_TRUE(example->fraud_like());
}

}  // namespace
}  // namespace vigil
