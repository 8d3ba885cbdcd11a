// Internal to FlatForest and TreeShap: CPU checks, and the AVX-512 pieces
// both use to look up a row's values (slots) for 16 trees at once. Compiled only on x86-64
// with GCC or Clang; the functions carry their own target attribute and must
// only run after CpuHasAvx512(). Stateless apart from the lookup objects,
// which live on the caller's stack.
#ifndef VIGIL_MODEL_FOREST_SIMD_H_
#define VIGIL_MODEL_FOREST_SIMD_H_

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VIGIL_FOREST_AVX512 1
#define VIGIL_TARGET_AVX512 __attribute__((target("avx512f")))

#include <immintrin.h>

namespace vigil::forest_simd {

// AVX-512 F, VL, BW and DQ (TreeShap's AVX-512 kernel is built for all four).
inline bool CpuHasAvx512() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
}
inline bool CpuHasAvx2() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

// Up to this many slots, TableLookup holds them all in registers.
inline constexpr int kTableSlots = 128;

// The lookups have internal linkage, one copy per file, on purpose: their
// users compile them under different target options (flat_forest.cc through
// VIGIL_TARGET_AVX512, tree_shap_avx512.cc with -mavx512*), and inline
// members with external linkage would let the linker keep one file's copy
// for both — an ODR violation that, in a clang build, made every AVX-512
// SHAP value wrong while g++'s happened to work.
namespace {

// Values for 16 slot indices, gathered from memory.
struct GatherLookup {
  const float* slots;
  VIGIL_TARGET_AVX512 __m512 operator()(__m512i index) const {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xffff, index, slots, 4);
  }
};

// Values for 16 slot indices below kTableSlots, from 8 registers: four
// two-register permutes and three blends cost a fraction of a gather.
// `slots` must be readable for kTableSlots floats.
struct TableLookup {
  __m512 table[8];
  VIGIL_TARGET_AVX512 explicit TableLookup(const float* slots) {
    for (int i = 0; i < 8; ++i) table[i] = _mm512_loadu_ps(slots + 16 * i);
  }
  VIGIL_TARGET_AVX512 __m512 operator()(__m512i index) const {
    const __m512 a = _mm512_permutex2var_ps(table[0], index, table[1]);
    const __m512 b = _mm512_permutex2var_ps(table[2], index, table[3]);
    const __m512 c = _mm512_permutex2var_ps(table[4], index, table[5]);
    const __m512 d = _mm512_permutex2var_ps(table[6], index, table[7]);
    const __mmask16 bit5 = _mm512_test_epi32_mask(index, _mm512_set1_epi32(32));
    const __mmask16 bit6 = _mm512_test_epi32_mask(index, _mm512_set1_epi32(64));
    return _mm512_mask_blend_ps(bit6, _mm512_mask_blend_ps(bit5, a, b),
                                _mm512_mask_blend_ps(bit5, c, d));
  }
};

}  // namespace

}  // namespace vigil::forest_simd

#endif  // x86-64 with GCC or Clang
#endif  // VIGIL_MODEL_FOREST_SIMD_H_
