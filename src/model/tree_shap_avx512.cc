// TreeShap's kernel for CPUs with AVX-512 (F, VL, BW, DQ): 16 trees at once.
// Built with -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma (see
// forest.cmake); called only after the CPU has been checked.
#define VIGIL_TREE_SHAP_KERNEL_IMPLEMENTATION
#include "model/tree_shap_kernel.h"

#if defined(__AVX512F__) && defined(__AVX512VL__) && defined(__AVX512BW__) && defined(__AVX512DQ__)
#include <immintrin.h>

#include "model/forest_simd.h"

// GCC 12 reports the intrinsics' deliberately undefined start vectors as
// uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace vigil::tree_shap_kernel {
namespace {

struct Avx512Ops {
  static constexpr int kLanes = 16;
  using V = __m512;
  using I = __m512i;
  using M = __mmask16;

  static V Set(float x) { return _mm512_set1_ps(x); }
  static V Zero() { return _mm512_setzero_ps(); }
  static I ZeroI() { return _mm512_setzero_si512(); }
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static I LoadI(const float* p) { return _mm512_loadu_si512(p); }
  static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  static V Select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static V AddIf(M m, V a, V b) { return _mm512_mask_add_ps(a, m, a, b); }
  static V OneIfMinus(M m, V z) {
    return _mm512_mask_sub_ps(_mm512_sub_ps(Zero(), z), m, Set(1.0f), z);
  }
  static M Less(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M And(M a, M b) { return _kand_mask16(a, b); }
  static M AndNot(M a, M b) { return _kandn_mask16(a, b); }
  static M NoneOf(I bits, I set) {
    const I missed = _mm512_andnot_si512(set, bits);
    return _mm512_testn_epi32_mask(missed, missed);
  }
  static I OrBitIf(I x, M m, bool negate, int bit) {
    return _mm512_mask_or_epi32(x, negate ? _knot_mask16(m) : m, x, _mm512_set1_epi32(bit));
  }
  static void Scatter(float* base, I raw, V value) {
    const I index = _mm512_and_si512(raw, _mm512_set1_epi32(~static_cast<int>(kAddBit)));
    const M add = _mm512_test_epi32_mask(raw, _mm512_set1_epi32(static_cast<int>(kAddBit)));
    if (add) value = _mm512_add_ps(value, _mm512_mask_i32gather_ps(Zero(), add, index, base, 4));
    _mm512_i32scatter_ps(base, index, value, 4);
  }
};

}  // namespace

void ExplainGroupAvx512(const GroupJob& job) {
  if (job.table) {
    WalkGroupOf<Avx512Ops>(job, forest_simd::TableLookup(job.slots));
  } else {
    WalkGroupOf<Avx512Ops>(job, forest_simd::GatherLookup{job.slots});
  }
  Flush(job);
}

}  // namespace vigil::tree_shap_kernel

#else  // not built for AVX-512: never called (TreeShap checks the build too)
namespace vigil::tree_shap_kernel {
void ExplainGroupAvx512(const GroupJob&) {}
}  // namespace vigil::tree_shap_kernel
#endif
