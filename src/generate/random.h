// Rng: a small, fast pseudo-random generator (xoshiro256**, seeded through
// splitmix64) with the few distributions the marketplace generator needs.
// Unlike std::*_distribution, whose output is implementation-defined, the same
// seed gives the same stream with every standard library, so generated files
// are reproducible. Not thread-safe; one Rng per thread.
#ifndef VIGIL_GENERATE_RANDOM_H_
#define VIGIL_GENERATE_RANDOM_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

namespace vigil {

// One step of splitmix64: a good 64-bit mix of `state`, which it advances.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  // `stream` selects an independent sequence for the same seed, so separate
  // parts of the generator do not shift each other when one changes.
  explicit Rng(uint64_t seed, uint64_t stream = 0) {
    uint64_t state = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (uint64_t& word : s_) word = SplitMix64(state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift (bias < n / 2^64).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  // Uniform integer in [lo, hi], lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(double p) { return Uniform() < p; }

  // Standard normal (Box-Muller, one value per call).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Log-normal with the given median and log-scale spread.
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

  // Poisson count with the given mean (Knuth below 30, a rounded normal above).
  int64_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean >= 30) {
      const double x = std::floor(mean + std::sqrt(mean) * Normal() + 0.5);
      return x < 0 ? 0 : static_cast<int64_t>(x);
    }
    const double limit = std::exp(-mean);
    int64_t k = 0;
    for (double p = Uniform(); p > limit; p *= Uniform()) ++k;
    return k;
  }

  // Index drawn with probability proportional to `weights` (non-negative,
  // not all zero).
  size_t Pick(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_RANDOM_H_
