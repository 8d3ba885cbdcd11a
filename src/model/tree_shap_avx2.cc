// TreeShap's kernel for CPUs with AVX2 and FMA: 8 trees at once. Built with
// -mavx2 -mfma (see forest.cmake); called only after the CPU has been checked.
#define VIGIL_TREE_SHAP_KERNEL_IMPLEMENTATION
#include "model/tree_shap_kernel.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace vigil::tree_shap_kernel {
namespace {

// Masks are vectors whose lanes are all ones or all zeros.
struct Avx2Ops {
  static constexpr int kLanes = 8;
  using V = __m256;
  using I = __m256i;
  using M = __m256;

  static V Set(float x) { return _mm256_set1_ps(x); }
  static V Zero() { return _mm256_setzero_ps(); }
  static I ZeroI() { return _mm256_setzero_si256(); }
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static I LoadI(const float* p) { return _mm256_loadu_si256(reinterpret_cast<const I*>(p)); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
  static V Select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static V AddIf(M m, V a, V b) { return _mm256_add_ps(a, _mm256_and_ps(m, b)); }
  static V OneIfMinus(M m, V z) { return _mm256_sub_ps(_mm256_and_ps(m, Set(1.0f)), z); }
  static M Less(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M And(M a, M b) { return _mm256_and_ps(a, b); }
  static M AndNot(M a, M b) { return _mm256_andnot_ps(a, b); }
  static M NoneOf(I bits, I set) {
    const I missed = _mm256_andnot_si256(set, bits);
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(missed, ZeroI()));
  }
  static I OrBitIf(I x, M m, bool negate, int bit) {
    const I b = _mm256_set1_epi32(bit), mi = _mm256_castps_si256(m);
    return _mm256_or_si256(x, negate ? _mm256_andnot_si256(mi, b) : _mm256_and_si256(mi, b));
  }
  // No scatter in AVX2: lane by lane, and without reading back unless a
  // lane needs it (rare: a tree's fifth split on one feature).
  static void Scatter(float* base, I raw, V value) {
    alignas(32) float values[kLanes];
    alignas(32) uint32_t indices[kLanes];
    _mm256_store_ps(values, value);
    _mm256_store_si256(reinterpret_cast<I*>(indices), raw);
    if (_mm256_movemask_ps(_mm256_castsi256_ps(raw)) == 0) {
      for (int k = 0; k < kLanes; ++k) base[indices[k]] = values[k];
      return;
    }
    for (int k = 0; k < kLanes; ++k) {
      float* cell = base + (indices[k] & ~kAddBit);
      *cell = (indices[k] & kAddBit ? *cell : 0.0f) + values[k];
    }
  }
};

struct Avx2Gather {
  const float* slots;
  __m256 operator()(__m256i index) const { return _mm256_i32gather_ps(slots, index, 4); }
};

}  // namespace

void ExplainGroupAvx2(const GroupJob& job) {
  WalkGroupOf<Avx2Ops>(job, Avx2Gather{job.slots});
  Flush(job);
}

}  // namespace vigil::tree_shap_kernel

#else  // not built for AVX2: never called (TreeShap checks the build too)
namespace vigil::tree_shap_kernel {
void ExplainGroupAvx2(const GroupJob&) {}
}  // namespace vigil::tree_shap_kernel
#endif
