// The dashboard's reads at 100 000 decisions (docs/dashboard.md asks that
// they stay fast there): the overview's counts over 1 h, 24 h and 7 d
// before and after their roll-up, the
// review queue's first and a deep page by time and by score, a list whose
// filter matches nothing (a scan of the range), a customer's decisions, and
// the payments list beside 200 000 imported historical payments.
// The decisions (~2 KB documents, 50 features, like real ones) are spread
// over the 24 hours before the newest; 10 % take a reviewer's action.
//
// Run: cmake --build build --target sqlite_store_dashboard_benchmark &&
//      build/src/store/sqlite_store_dashboard_benchmark [--benchmark_min_time=2]
// (the database goes to $TMPDIR or /tmp and is built once per run, ~10 s;
// VIGIL_BENCH_KEEP=1 keeps it, e.g. to look at query plans with sqlite3).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

constexpr int64_t kDecisions = 100'000;
// Payments: a lake's history imported by `vigil ingest` (~10 per customer),
// older than the few the payment flow has received since.
constexpr int64_t kHistoricalPayments = 200'000;
constexpr int64_t kLivePayments = 20;
constexpr Timestamp kNewest = 1'760'918'400;  // 2025-10-20T00:00:00Z
constexpr int64_t kSpan = 86'400;             // the decisions' 24 hours

std::unique_ptr<Store> g_store;
std::string g_dir;
double g_rollup_ms = 0;  // folding all the decisions, the first time

DecisionRecord BenchDecision(int64_t i) {
  DecisionRecord d;
  d.decision_id = fmt::format("dec_{:08}", i);
  d.subject_id = fmt::format("ORD{:08}", i);
  d.kind = i % 5 == 0 ? "return" : "order";
  d.at = kNewest - kSpan + i * kSpan / kDecisions;
  d.customer_id = fmt::format("CUST{}", i % 20'000);
  d.model_version = "order-v3";
  d.risk_score = static_cast<double>((i * 7919) % 1000) / 1000.0;
  d.risk_level = d.risk_score >= 0.9   ? "critical"
                 : d.risk_score >= 0.7 ? "high"
                 : d.risk_score >= 0.4 ? "medium"
                                       : "low";
  if (i % 10 == 0) {
    d.action = d.kind == "order" ? "manual_review" : "deny";
  } else {
    d.action = d.kind == "order" ? "allow" : "instant_refund";
  }
  d.request_id = fmt::format("req-{}", i);
  // A return is about the order after it (an order: i % 5 == 1), whose
  // customer it has, and its request names that order.
  if (d.kind == "return") {
    d.subject_id = fmt::format("RET{:08}", i);
    d.customer_id = fmt::format("CUST{}", (i + 1) % 20'000);
  }
  d.document = fmt::format(R"({{"request":{{"order_id":"ORD{:08}"}},"response":"{}"}})",
                           d.kind == "return" ? i + 1 : i, std::string(1950, 'r'));
  d.features.assign(50, 0.5f);
  d.contributions.assign(50, 0.01);
  return d;
}

void EnsureStore() {
  if (g_store != nullptr) return;
  const char* tmp = std::getenv("TMPDIR");
  g_dir = fmt::format("{}/vigil_dashboard_bench_{}", tmp != nullptr ? tmp : "/tmp", getpid());
  std::filesystem::remove_all(g_dir);
  auto opened = OpenSqliteStore(g_dir);
  if (!opened.ok()) std::abort();
  g_store = *std::move(opened);
  for (int64_t first = 0; first < kDecisions; first += 1000) {
    WriteBatch batch;
    for (int64_t i = first; i < first + 1000; ++i) batch.decisions.push_back(BenchDecision(i));
    if (!g_store->Write(std::move(batch)).ok()) std::abort();
  }
  for (int64_t first = 0; first < kHistoricalPayments; first += 10'000) {
    std::vector<TransactionRecord> rows;
    for (int64_t i = first; i < first + 10'000; ++i) {
      const Timestamp at = kNewest - 90 * 86'400 + i * 30;
      rows.push_back({.transaction_id = fmt::format("TXH{:08}", i),
                      .user_id = fmt::format("CUST{}", i % 20'000),
                      .amount = 999,
                      .merchant = "M1",
                      .created_at = at,
                      .received_at = at,
                      .updated_at = at});
    }
    if (!g_store->ImportTransactions(rows).ok()) std::abort();
  }
  for (int64_t i = 0; i < kLivePayments; ++i) {
    const Timestamp at = kNewest - i * 60;
    if (!g_store
             ->ReceiveTransaction({.transaction_id = fmt::format("TX{:04}", i),
                                   .user_id = "CUST7",
                                   .amount = 1499,
                                   .merchant = "M2",
                                   .created_at = at,
                                   .received_at = at,
                                   .updated_at = at})
             .ok()) {
      std::abort();
    }
  }
}

struct Cleanup {
  ~Cleanup() {
    g_store.reset();
    if (g_dir.empty()) return;
    if (std::getenv("VIGIL_BENCH_KEEP") != nullptr) {
      fmt::print(stderr, "kept the database in {}\n", g_dir);
    } else {
      std::filesystem::remove_all(g_dir);
    }
  }
} g_cleanup;

// The overview's counts over the last `range` seconds in the dashboard's
// buckets for that range, before the first roll-up (every decision in the
// range read) and after it (the roll-up's buckets read).
void BM_OverviewCounts(benchmark::State& state) {
  EnsureStore();
  const int64_t range = state.range(0);
  const int64_t bucket = range == 3600 ? 60 : range == 86'400 ? 900 : 3600;
  if (state.range(1) == 1) {
    // The first run folds all 100 000 decisions and says how long it took.
    const auto start = std::chrono::steady_clock::now();
    int64_t folded_total = 0;
    while (true) {
      auto folded = g_store->RollUpDecisions();
      if (!folded.ok()) state.SkipWithError("RollUpDecisions failed");
      if (!folded.ok() || *folded == 0) break;
      folded_total += *folded;
    }
    if (folded_total > 0) {
      g_rollup_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
    }
    state.counters["rollup_ms"] = g_rollup_ms;
  }
  const Timestamp until = (kNewest / bucket + 1) * bucket;
  int64_t total = 0;
  for (auto _ : state) {
    auto counts = g_store->CountDecisions(until - range, until, bucket);
    if (!counts.ok()) state.SkipWithError("CountDecisions failed");
    total = 0;
    for (const DecisionCount& c : counts->decisions) total += c.count;
    benchmark::DoNotOptimize(total);
  }
  state.counters["decisions_counted"] = static_cast<double>(total);
}
// Before the roll-up first: it cannot be undone.
BENCHMARK(BM_OverviewCounts)
    ->ArgNames({"range", "rolled_up"})
    ->Args({3600, 0})
    ->Args({86'400, 0})
    ->Args({7 * 86'400, 0})
    ->Args({3600, 1})
    ->Args({86'400, 1})
    ->Args({7 * 86'400, 1})
    ->Unit(benchmark::kMillisecond);

void RunList(benchmark::State& state, DecisionQuery query) {
  EnsureStore();
  size_t rows = 0;
  for (auto _ : state) {
    auto page = g_store->ListDecisions(query);
    if (!page.ok()) state.SkipWithError("ListDecisions failed");
    rows = page->decisions.size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_QueueFirstPageByAt(benchmark::State& state) {
  RunList(state, {.queue = true, .limit = 50});
}
void BM_QueueDeepPageByAt(benchmark::State& state) {
  RunList(state, {.queue = true,
                  .limit = 50,
                  .after = DecisionPosition{static_cast<double>(kNewest - kSpan / 2), 50'000}});
}
void BM_QueueFirstPageByScore(benchmark::State& state) {
  RunList(state, {.queue = true, .by_score = true, .limit = 50});
}
void BM_QueueDeepPageByScore(benchmark::State& state) {
  RunList(state,
          {.queue = true, .by_score = true, .limit = 50, .after = DecisionPosition{0.5, 50'000}});
}
void BM_AllFirstPageByScore(benchmark::State& state) {
  RunList(state, {.by_score = true, .limit = 50});
}
void BM_QueueKindMatchingNothing(benchmark::State& state) {
  RunList(state, {.queue = true, .kind = "transaction", .limit = 50});
}
void BM_AllKindMatchingNothing(benchmark::State& state) {
  RunList(state, {.kind = "transaction", .limit = 50});
}
void BM_CustomerDecisions(benchmark::State& state) {
  RunList(state, {.customer_id = "CUST41", .limit = 50});
}
// The same customer's decisions as the case page's timeline finds them now:
// by the orders the feature state keeps (its 5 orders), and their 5 returns.
void BM_DecisionsAboutACustomersOrders(benchmark::State& state) {
  EnsureStore();
  std::vector<std::string> orders;
  for (int64_t i = 41; i < kDecisions; i += 20'000) orders.push_back(fmt::format("ORD{:08}", i));
  size_t rows = 0;
  for (auto _ : state) {
    auto found = g_store->DecisionsAboutOrders(orders);
    if (!found.ok()) state.SkipWithError("DecisionsAboutOrders failed");
    rows = found->size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
void BM_QueueLastHour(benchmark::State& state) {
  RunList(state, {.queue = true, .from = kNewest - 3600, .limit = 200});
}
// The payments list's first page, every status but imported history: the 20
// live payments, then no more to find among the 200 000 imported.
void BM_PaymentsFirstPage(benchmark::State& state) {
  EnsureStore();
  size_t rows = 0;
  for (auto _ : state) {
    auto page = g_store->ListTransactions({.limit = 50});
    if (!page.ok()) state.SkipWithError("ListTransactions failed");
    rows = page->transactions.size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_PaymentsFirstPage)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueFirstPageByAt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueDeepPageByAt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueFirstPageByScore)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueDeepPageByScore)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AllFirstPageByScore)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueKindMatchingNothing)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AllKindMatchingNothing)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CustomerDecisions)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecisionsAboutACustomersOrders)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_QueueLastHour)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
