// Group-commit throughput of SqliteStore on this machine's disk: threads
// submit batches of one event + one decision (~2 KB document), each keeping
// up to `window` batches in flight (like open HTTP requests), and wait until
// every batch is durable. Counters: batches/s durable, commits (= WAL
// fsyncs) per second, mean batches per commit, mean commit latency.
//
// Run: cmake --build build --target sqlite_store_benchmark &&
//      build/src/store/sqlite_store_benchmark --benchmark_min_time=3
// (the database goes to $TMPDIR or /tmp; set TMPDIR to measure another disk).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <semaphore>
#include <string>

#include "absl/synchronization/notification.h"
#include "fmt/format.h"
#include "store/sqlite_store.h"

namespace vigil {
namespace {

constexpr int64_t kBatchesPerIteration = 5000;

std::unique_ptr<Store> g_store;
std::string g_dir;
StoreStats g_stats_before;

WriteBatch OrderBatch(int thread, int64_t n) {
  const std::string id = fmt::format("t{}-{}", thread, n);
  DecisionRecord d;
  d.decision_id = "dec_" + id;
  d.subject_id = "ORD" + id;
  d.kind = "order";
  d.at = 1'760'000'000 + n;
  d.customer_id = fmt::format("CUST{}", n % 100'000);
  d.model_version = "order-v3";
  d.risk_score = 0.42;
  d.risk_level = "medium";
  d.action = "otp_verification";
  d.request_id = "req-" + id;
  d.document =
      fmt::format(R"({{"order_id":"{}","features":"{}"}})", d.subject_id, std::string(1950, 'f'));
  WriteBatch batch;
  batch.events.push_back(
      {id, "order.placed", d.at, fmt::format(R"({{"order_id":"{}","amount":1499}})", id)});
  batch.decisions.push_back(std::move(d));
  return batch;
}

void BM_SubmitDurable(benchmark::State& state) {
  const int window = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    const char* tmp = std::getenv("TMPDIR");
    g_dir = fmt::format("{}/vigil_store_bench_{}", tmp != nullptr ? tmp : "/tmp", getpid());
    std::filesystem::remove_all(g_dir);
    SqliteStoreOptions options;
    options.wal_checkpoint_pages = static_cast<int>(state.range(1));
    g_store = *OpenSqliteStore(g_dir, options);
    g_stats_before = g_store->Stats();
  }
  int64_t n = 0;
  for (auto _ : state) {
    std::counting_semaphore<1 << 16> in_flight(window);
    std::atomic<int64_t> pending{kBatchesPerIteration};
    absl::Notification all_durable;
    for (int64_t i = 0; i < kBatchesPerIteration; ++i) {
      in_flight.acquire();
      g_store->Submit(OrderBatch(state.thread_index(), n++), [&](StatusOr<WriteResult> r) {
        if (!r.ok()) std::abort();
        in_flight.release();
        if (pending.fetch_sub(1) == 1) all_durable.Notify();
      });
    }
    all_durable.WaitForNotification();
  }
  state.SetItemsProcessed(state.iterations() * kBatchesPerIteration);
  if (state.thread_index() == 0) {
    const StoreStats stats = g_store->Stats();
    const double commits = static_cast<double>(stats.commits - g_stats_before.commits);
    const double batches = static_cast<double>(stats.batches - g_stats_before.batches);
    state.counters["commits_per_s"] = benchmark::Counter(commits, benchmark::Counter::kIsRate);
    state.counters["batches_per_commit"] = batches / commits;
    state.counters["commit_us"] =
        static_cast<double>(stats.total_commit_micros - g_stats_before.total_commit_micros) /
        commits;
    state.counters["max_commit_us"] = static_cast<double>(stats.max_commit_micros);
    g_store.reset();
    std::filesystem::remove_all(g_dir);
  }
}
// Args: batches in flight per thread, WAL pages between checkpoints.
BENCHMARK(BM_SubmitDurable)
    ->ArgNames({"window", "checkpoint_pages"})
    ->Args({512, 8'000})
    ->Args({64, 8'000})
    ->Args({512, 1'000})
    ->Args({512, 1'000'000})  // no checkpoint during the run: the WAL cost alone
    ->Args({4, 250})          // small groups, as `vigil serve` at 5 000 requests/s
    ->Threads(2)
    ->MeasureProcessCPUTime()  // the CPU column: the whole process, writer included
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// One batch at a time: the latency of a single durable commit (one fsync).
void BM_WriteOneAtATime(benchmark::State& state) {
  const std::string dir = fmt::format("/tmp/vigil_store_bench_sync_{}", getpid());
  std::filesystem::remove_all(dir);
  std::unique_ptr<Store> store = *OpenSqliteStore(dir);
  int64_t n = 0;
  for (auto _ : state) {
    if (!store->Write(OrderBatch(0, n++)).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriteOneAtATime)
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
