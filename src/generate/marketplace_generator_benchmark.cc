// Times GenerateMarketplace at the DESIGN.md budget size and prints the
// summary and file sizes:
//   marketplace_generator_benchmark [out_dir] [customers] [days] [seed]
// (defaults: /tmp/vigil-generate-benchmark 1000000 90 42). The directory is
// removed afterwards unless VIGIL_KEEP_OUTPUT is set.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fmt/format.h"
#include "generate/marketplace_generator.h"

int main(int argc, char** argv) {
  vigil::GeneratorOptions options;
  options.out_dir = argc > 1 ? argv[1] : "/tmp/vigil-generate-benchmark";
  options.customers = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  options.days = argc > 3 ? std::atoi(argv[3]) : 90;
  options.seed = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 42;

  const auto begin = std::chrono::steady_clock::now();
  const vigil::StatusOr<vigil::GeneratorSummary> summary = vigil::GenerateMarketplace(options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  if (!summary.ok()) {
    fmt::print(stderr, "generate failed: {}\n", summary.status().ToString());
    return 1;
  }
  fmt::print("customers={} days={} wall={:.2f}s\n", options.customers, options.days, seconds);
  fmt::print("customers={} products={} orders={} returns={} abusive_returns={} rto_orders={}\n",
             summary->customers, summary->products, summary->orders, summary->returns,
             summary->abusive_returns, summary->rto_orders);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(options.out_dir)) {
    if (entry.is_regular_file()) {
      fmt::print("{:>12} bytes  {}\n", entry.file_size(), entry.path().string());
    }
  }
  if (std::getenv("VIGIL_KEEP_OUTPUT") == nullptr) std::filesystem::remove_all(options.out_dir);
  return 0;
}
