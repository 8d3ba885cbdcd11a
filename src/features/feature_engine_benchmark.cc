// Feature engine budgets (DESIGN.md): one event's update + lookup <= 2 us;
// offline replay >= 1 M events/s on one core; online state for 10 M
// customers <= 4 GiB resident. Run: build/src/features/feature_engine_benchmark
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <random>

#include "features/feature_engine.h"

namespace vigil {
namespace {

const Timestamp kStart = 1'750'000'000;

// A marketplace's event stream in memory: per customer ~3 orders in 90 days,
// outcomes, ~15 % returns with QC and labels. Ids are dense already.
class EventStream {
 public:
  EventStream(uint32_t customers, uint64_t seed) : rng_(seed) {
    for (uint32_t c = 0; c < customers; ++c) AddCustomer(c, &events_);
    std::sort(events_.begin(), events_.end(),
              [](const Event& a, const Event& b) { return a.at < b.at; });
  }
  // Appends one customer's whole history (in its own time order) to `out`.
  void AddCustomer(uint32_t c, std::vector<Event>* out) {
    Event u{.at = kBeginningOfTime, .type = EventType::kCustomerUpserted};
    u.customer = c;
    u.registered_at = kStart - Uniform(0, 1000) * kDay;
    u.pincode = Uniform(0, 19999);
    out->push_back(u);
    const int orders = 1 + Uniform(0, 4);
    for (int i = 0; i < orders; ++i) {
      Event o{.at = kStart + Uniform(0, 90 * 24 * 3600), .type = EventType::kOrderPlaced};
      o.payment = static_cast<PaymentMethod>(Uniform(0, 5));
      o.customer = c;
      o.order = next_order_++;
      o.product = Uniform(0, 99999);
      o.category = o.product % 40;
      o.seller = o.product % 5000;
      o.device = Uniform(0, 1) ? c : Uniform(0, 999999);
      o.pincode = u.pincode;
      o.amount = static_cast<float>(Uniform(100, 20000));
      out->push_back(o);
      Event d = o;
      d.type = Uniform(0, 9) == 0 ? EventType::kOrderRto : EventType::kOrderDelivered;
      d.at = o.at + Uniform(1, 7) * kDay;
      out->push_back(d);
      if (d.type == EventType::kOrderDelivered && Uniform(0, 6) == 0) {
        Event r = o;
        r.type = EventType::kReturnRequested;
        r.ret = next_return_++;
        r.at = d.at + Uniform(0, 29) * kDay;
        out->push_back(r);
        r.type = EventType::kReturnQcCompleted;
        r.qc = Uniform(0, 3) == 0 ? QcResult::kUsed : QcResult::kPass;
        r.at += 4 * kDay;
        out->push_back(r);
        r.type = EventType::kLabel;
        r.label = r.qc == QcResult::kUsed;
        out->push_back(r);
      }
    }
  }
  const std::vector<Event>& events() const { return events_; }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::mt19937_64 rng_;
  std::vector<Event> events_;
  uint32_t next_order_ = 0;
  uint32_t next_return_ = 0;
};

// Replays a time-ordered stream of 1 M customers' events, building every
// order and return vector on the way, as `vigil train` does.
void BM_ReplayWithFeatureVectors(benchmark::State& state) {
  const EventStream stream(static_cast<uint32_t>(state.range(0)), 1);
  std::vector<float> features;
  int64_t vectors = 0;
  const std::vector<Event>& events = stream.events();
  for (auto _ : state) {
    auto engine = std::make_unique<FeatureEngine>();
    for (size_t i = 0; i < events.size(); ++i) {
      if (i + 8 < events.size()) engine->Prefetch(events[i + 8]);
      vectors += engine->Process(events[i], &features).has_value();
    }
    benchmark::DoNotOptimize(features.data());
    state.PauseTiming();  // freeing the state is not part of a replay
    engine.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(stream.events().size()));
  state.counters["events"] = static_cast<double>(stream.events().size());
  state.counters["vectors"] = static_cast<double>(vectors / state.iterations());
}
BENCHMARK(BM_ReplayWithFeatureVectors)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

// One online step on a warm engine: compute the order vector, then apply it.
void BM_OrderUpdateAndLookup(benchmark::State& state) {
  EventStream stream(200'000, 2);
  FeatureEngine engine;
  for (const Event& e : stream.events()) engine.Process(e, nullptr);
  std::mt19937 rng(3);
  std::vector<float> features;
  auto order = static_cast<uint32_t>(engine.order_count());
  Timestamp now = kStart + 91 * kDay;
  for (auto _ : state) {
    Event e{.at = now++, .type = EventType::kOrderPlaced, .payment = PaymentMethod::kCod};
    e.customer = rng() % 200'000;
    e.order = order++;
    e.product = rng() % 100'000;
    e.device = e.customer;
    e.pincode = 7;
    e.amount = 1500;
    engine.Process(e, &features);
    benchmark::DoNotOptimize(features.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OrderUpdateAndLookup);

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// Builds the state of N customers with 90 days of history, one customer at
// a time (the stream itself is not kept), and reports resident memory.
void BM_ResidentStatePerCustomer(benchmark::State& state) {
  const auto customers = static_cast<uint32_t>(state.range(0));
  for (auto _ : state) {
    const int64_t before = ResidentBytes();
    EventStream source(0, 4);
    FeatureEngine engine;
    std::vector<Event> history;
    for (uint32_t c = 0; c < customers; ++c) {
      history.clear();
      source.AddCustomer(c, &history);
      std::sort(history.begin(), history.end(),
                [](const Event& a, const Event& b) { return a.at < b.at; });
      for (const Event& e : history) engine.Apply(e);
    }
    malloc_trim(0);  // what a long-running process would reuse is not state
    const int64_t grown = ResidentBytes() - before;
    const struct mallinfo2 heap = mallinfo2();
    state.counters["heap_in_use_GiB"] =
        static_cast<double>(heap.uordblks + heap.hblkhd) / (1 << 30);
    state.counters["resident_GiB"] = static_cast<double>(grown) / (1 << 30);
    state.counters["bytes_per_customer"] = static_cast<double>(grown) / customers;
    state.counters["orders_kept"] = static_cast<double>(engine.order_count());
  }
}
BENCHMARK(BM_ResidentStatePerCustomer)->Arg(10'000'000)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
