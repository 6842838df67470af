/* The holographic store's O(D) loops over seeded phase codes (holo-store.md §3.2), the reference being
 * src/holo/phase-pair.ts. θ_k = 2π·t_k with t_k = (x_k >> 11)·2^-53 turns for 1 <= k < D/2, t_{D/2} = (x_{D/2} >> 63)/2,
 * t_0 = 0, x_k = mix64(s0 + k·golden) ^ s1. The interior bins run in phase_pair_simd.h, compiled once per CPU variant
 * (dispatched like the IR kernels) or, for dist/wasm/atlas.wasm, once for wasm simd128. Dot products and codes agree
 * with the reference (V8's fdlibm on 2π·t) to about 1e-16 per term; binds, which add into float32 fields, compute
 * cos/sin in float32 (within ~1.2e-7 of it), so a bound field stays within one float32 rounding step of the
 * reference's. Bins 0 and D/2 are real: cos is exactly ±1 there. */
#include "kernels.h"

#define PP_GOLDEN 0x9E3779B97F4A7C15ULL

typedef struct {
  uint64_t k0, k1, v0, v1;
  int has_value;
} pp_seeds;

#ifdef __wasm__
/* Four v128 per step: in V8 on x86-64, 30% faster binds than one (10% than two). */
#define LANES 8
#define SUFFIX wasm
#define PP_TARGET
#include "phase_pair_simd.h"
#define CALL(kernel, ...) kernel##_wasm(__VA_ARGS__)
#else
#include <string.h>

/* Two SSE2 vectors per step: 20% faster than one. The kernels are static, so the ABI of 32-byte vectors without AVX,
 * which -Wpsabi warns about (binding.gyp turns it off), is moot. */
#define PP_TARGET __attribute__((target("arch=x86-64")))
#define LANES 4
#define SUFFIX base
#include "phase_pair_simd.h"
#undef PP_TARGET
#undef LANES
#undef SUFFIX

#define PP_TARGET __attribute__((target("arch=x86-64-v3")))
#define LANES 4
#define SUFFIX v3
#include "phase_pair_simd.h"
#undef PP_TARGET
#undef LANES
#undef SUFFIX

/* Sixteen lanes: the float32 cos/sin of a bind then fill whole 512-bit vectors. Binds at D = 2^19 on an AVX-512 VM took
 * 0.18 ms against 0.27 with eight lanes; dot and code (float64) were unchanged; 32 lanes gained nothing more. */
#define PP_TARGET __attribute__((target("arch=x86-64-v4")))
#define LANES 16
#define SUFFIX v4
#include "phase_pair_simd.h"

#define CALL(kernel, ...)                                                   \
  (strcmp(atlas_k_variant(), "v4") == 0   ? kernel##_v4(__VA_ARGS__)        \
   : strcmp(atlas_k_variant(), "v3") == 0 ? kernel##_v3(__VA_ARGS__)        \
                                          : kernel##_base(__VA_ARGS__))
#endif

static pp_seeds seeds_of(const uint32_t key[4], const uint32_t value[4]) {
  pp_seeds p = {key[0] | (uint64_t)key[1] << 32, key[2] | (uint64_t)key[3] << 32, 0, 0, value != NULL};
  if (value) {
    p.v0 = value[0] | (uint64_t)value[1] << 32;
    p.v1 = value[2] | (uint64_t)value[3] << 32;
  }
  return p;
}

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* cos θ of the real bin k = D/2: its turns are halves, so cos is exactly 1 or -1 (at bin 0, θ = 0). */
static double half_cos(pp_seeds p, uint32_t k) {
  uint64_t odd = (mix64(p.k0 + k * PP_GOLDEN) ^ p.k1) >> 63;
  if (p.has_value) odd ^= (mix64(p.v0 + k * PP_GOLDEN) ^ p.v1) >> 63;
  return odd ? -1 : 1;
}

/* The interior bins [lo, hi) of [from, to), and whether each real bin is in range. */
typedef struct {
  uint32_t lo, hi, half;
  int has0, has_half;
} pp_range;

static pp_range range_of(uint32_t dimension, uint32_t from, uint32_t to) {
  const uint32_t half = dimension / 2, lo = from > 1 ? from : 1, hi = to < half ? to : half;
  return (pp_range){lo, hi > lo ? hi : lo, half, from == 0 && to > 0, from <= half && half < to};
}

void atlas_k_bind_phase_pair(const uint32_t key[4], const uint32_t value[4], uint32_t dimension, uint32_t from, uint32_t to, double scale, float* restrict re, float* restrict im) {
  const pp_seeds p = seeds_of(key, value);
  const pp_range g = range_of(dimension, from, to);
  CALL(bind, p, g.lo, g.hi, scale, re + (g.lo - from), im + (g.lo - from));
  if (g.has0) re[0] = (float)((double)re[0] + scale);
  if (g.has_half) re[g.half - from] = (float)((double)re[g.half - from] + scale * half_cos(p, g.half));
}

/* A dot over [from, to) from its interior bins' sum: those weigh 2, the real bins 0 and D/2 (in range) 1. */
static double with_real_bins(pp_seeds p, pp_range g, uint32_t from, const float* re, double interior) {
  double sum = 2 * interior;
  if (g.has0) sum += re[0];
  if (g.has_half) sum += re[g.half - from] * half_cos(p, g.half);
  return sum;
}

double atlas_k_phase_pair_dot(const uint32_t key[4], const uint32_t value[4], uint32_t dimension, uint32_t from, uint32_t to, const float* re, const float* im) {
  const pp_seeds p = seeds_of(key, value);
  const pp_range g = range_of(dimension, from, to);
  return with_real_bins(p, g, from, re, CALL(dot, p, g.lo, g.hi, re + (g.lo - from), im + (g.lo - from)));
}

double atlas_k_phase_code_dot_f32(const uint32_t seed[4], uint32_t dimension, uint32_t from, uint32_t to, const float* re, const float* im) {
  const pp_seeds p = seeds_of(seed, NULL);
  const pp_range g = range_of(dimension, from, to);
  return with_real_bins(p, g, from, re, CALL(code_dot32, p, g.lo, g.hi, re + (g.lo - from), im + (g.lo - from)));
}

void atlas_k_phase_code(const uint32_t seed[4], uint32_t dimension, uint32_t from, uint32_t to, double* restrict re, double* restrict im) {
  const pp_seeds p = seeds_of(seed, NULL);
  const pp_range g = range_of(dimension, from, to);
  CALL(code, p, g.lo, g.hi, re + (g.lo - from), im + (g.lo - from));
  if (g.has0) re[0] = 1, im[0] = 0;
  if (g.has_half) re[g.half - from] = half_cos(p, g.half), im[g.half - from] = 0;
}
