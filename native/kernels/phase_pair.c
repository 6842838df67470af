/* The holographic store's O(D) loops over seeded phase codes (holo-store.md §3.2), the reference being
 * src/holo/phase-pair.ts. θ_k = 2π·t_k with t_k = (x_k >> 11)·2^-53 turns for 1 <= k < D/2, t_{D/2} = (x_{D/2} >> 63)/2,
 * t_0 = 0, x_k = mix64(s0 + k·golden) ^ s1. Sines and cosines come from a branch-free reduction in turns (exact) and
 * fdlibm's kernel polynomials on [-π/4, π/4], so every bin is independent and the loops vectorise; the results agree
 * with the reference (V8's fdlibm on 2π·t) to about 1e-16 per term. Compiled once per CPU variant and dispatched like
 * the IR kernels. */
#pragma GCC optimize("O3")
#include "kernels.h"

#include <math.h>
#include <string.h>

#define GOLDEN 0x9E3779B97F4A7C15ULL
#define HALF_PI 1.57079632679489661923

static inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Turns of bin k (1 <= k < half) of the code with seed (s0, s1), as an exact multiple of 2^-53. */
static inline double turns(uint64_t s0, uint64_t s1, uint64_t k) {
  return (double)(int64_t)((mix64(s0 + k * GOLDEN) ^ s1) >> 11) * 0x1p-53;
}

/* cos and sin of 2π·u for u in [0, 2). */
static inline void cos_sin_turns(double u, double* c_out, double* s_out) {
  const double y = u * 4.0;
  const double q = __builtin_rint(y);
  const double r = (y - q) * HALF_PI;
  const int64_t quadrant = (int64_t)q & 3;
  const double z = r * r;
  const double sr = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));
  const double s = r + z * r * (-1.66666666666666324348e-01 + z * sr);
  const double cr = 4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11))));
  const double c = 1.0 - (0.5 * z - z * z * cr);
  const int64_t swap = quadrant & 1;
  const double cos_sign = 1.0 - 2.0 * (double)(((quadrant + 1) >> 1) & 1);
  const double sin_sign = 1.0 - 2.0 * (double)((quadrant >> 1) & 1);
  *c_out = cos_sign * (swap ? s : c);
  *s_out = sin_sign * (swap ? c : s);
}

typedef struct {
  uint64_t k0, k1, v0, v1;
} pair_seeds;

static inline pair_seeds seeds_of(const uint32_t key[4], const uint32_t value[4]) {
  pair_seeds p = {key[0] | (uint64_t)key[1] << 32, key[2] | (uint64_t)key[3] << 32, 0, 0};
  if (value) {
    p.v0 = value[0] | (uint64_t)value[1] << 32;
    p.v1 = value[2] | (uint64_t)value[3] << 32;
  }
  return p;
}

/* Turns of bin k of the key code plus (when has_value) the value code, any k in 0..half. */
static inline double edge_turns(pair_seeds p, int has_value, uint64_t k, uint64_t half) {
  if (k == 0) return 0;
  if (k < half) return turns(p.k0, p.k1, k) + (has_value ? turns(p.v0, p.v1, k) : 0);
  double t = (double)((mix64(p.k0 + k * GOLDEN) ^ p.k1) >> 63) * 0.5;
  if (has_value) t += (double)((mix64(p.v0 + k * GOLDEN) ^ p.v1) >> 63) * 0.5;
  return t;
}

#define DEFINE_VARIANT(v, isa)                                                                                     \
  __attribute__((target(isa))) static void bind_##v(const uint32_t* key, const uint32_t* value, uint32_t half,     \
                                                       uint32_t from, uint32_t to, double scale, float* restrict re, float* restrict im) { \
    const pair_seeds p = seeds_of(key, value);                                                                        \
    const uint32_t lo = from > 1 ? from : 1, hi = to < half ? to : half;                                              \
    float* restrict r = re + (lo - from);                                                                             \
    float* restrict m = im + (lo - from);                                                                             \
    for (size_t i = 0; i < (size_t)(hi > lo ? hi - lo : 0); i++) {                                                    \
      double c, s;                                                                                                    \
      cos_sin_turns(turns(p.k0, p.k1, lo + i) + turns(p.v0, p.v1, lo + i), &c, &s);                                   \
      r[i] = (float)((double)r[i] + scale * c);                                                                       \
      m[i] = (float)((double)m[i] + scale * s);                                                                       \
    }                                                                                                                 \
    for (int e = 0; e < 2; e++) {                                                                                     \
      const uint32_t k = e ? half : 0;                                                                                \
      if (k < from || k >= to) continue;                                                                              \
      double c, s;                                                                                                    \
      cos_sin_turns(edge_turns(p, 1, k, half), &c, &s);                                                               \
      re[k - from] = (float)((double)re[k - from] + scale * c);                                                       \
    }                                                                                                                 \
  }                                                                                                                   \
  __attribute__((target(isa))) static double dot_##v(const uint32_t* key, const uint32_t* value, uint32_t half,    \
                                                        uint32_t from, uint32_t to, const float* re, const float* im) { \
    const pair_seeds p = seeds_of(key, value);                                                                        \
    const uint32_t lo = from > 1 ? from : 1, hi = to < half ? to : half;                                              \
    double sum = 0;                                                                                                   \
    const float* r = re + (lo - from);                                                                                \
    const float* m = im + (lo - from);                                                                                \
    _Pragma("omp simd reduction(+ : sum)") for (size_t i = 0; i < (size_t)(hi > lo ? hi - lo : 0); i++) {             \
      double c, s;                                                                                                    \
      cos_sin_turns(turns(p.k0, p.k1, lo + i) + turns(p.v0, p.v1, lo + i), &c, &s);                                   \
      sum += (double)r[i] * c + (double)m[i] * s;                                                                     \
    }                                                                                                                 \
    sum *= 2;                                                                                                         \
    for (int e = 0; e < 2; e++) {                                                                                     \
      const uint32_t k = e ? half : 0;                                                                                \
      if (k < from || k >= to) continue;                                                                              \
      double c, s;                                                                                                    \
      cos_sin_turns(edge_turns(p, 1, k, half), &c, &s);                                                               \
      sum += (double)re[k - from] * c;                                                                                \
    }                                                                                                                 \
    return sum;                                                                                                       \
  }                                                                                                                   \
  __attribute__((target(isa))) static void code_##v(const uint32_t* key, uint32_t half, uint32_t from,             \
                                                       uint32_t to, double* restrict re, double* restrict im) {                        \
    const pair_seeds p = seeds_of(key, NULL);                                                                         \
    const uint32_t lo = from > 1 ? from : 1, hi = to < half ? to : half;                                              \
    double* restrict r = re + (lo - from);                                                                            \
    double* restrict m = im + (lo - from);                                                                            \
    for (size_t i = 0; i < (size_t)(hi > lo ? hi - lo : 0); i++) {                                                    \
      double c, s;                                                                                                    \
      cos_sin_turns(turns(p.k0, p.k1, lo + i), &c, &s);                                                               \
      r[i] = c;                                                                                                       \
      m[i] = s;                                                                                                       \
    }                                                                                                                 \
    for (int e = 0; e < 2; e++) {                                                                                     \
      const uint32_t k = e ? half : 0;                                                                                \
      if (k < from || k >= to) continue;                                                                              \
      double s;                                                                                                       \
      cos_sin_turns(edge_turns(p, 0, k, half), &re[k - from], &s);                                                    \
      im[k - from] = 0;                                                                                               \
    }                                                                                                                 \
  }

DEFINE_VARIANT(base, "arch=x86-64")
DEFINE_VARIANT(v3, "arch=x86-64-v3")
DEFINE_VARIANT(v4, "arch=x86-64-v4")

typedef struct {
  void (*bind)(const uint32_t*, const uint32_t*, uint32_t, uint32_t, uint32_t, double, float*, float*);
  double (*dot)(const uint32_t*, const uint32_t*, uint32_t, uint32_t, uint32_t, const float*, const float*);
  void (*code)(const uint32_t*, uint32_t, uint32_t, uint32_t, double*, double*);
} phase_variant;

static phase_variant current(void) {
  const char* v = atlas_k_variant();
  if (strcmp(v, "v4") == 0) return (phase_variant){bind_v4, dot_v4, code_v4};
  if (strcmp(v, "v3") == 0) return (phase_variant){bind_v3, dot_v3, code_v3};
  return (phase_variant){bind_base, dot_base, code_base};
}

void atlas_k_bind_phase_pair(const uint32_t key[4], const uint32_t value[4], uint32_t dimension, uint32_t from, uint32_t to, double scale, float* restrict re, float* restrict im) {
  current().bind(key, value, dimension / 2, from, to, scale, re, im);
}

double atlas_k_phase_pair_dot(const uint32_t key[4], const uint32_t value[4], uint32_t dimension, uint32_t from, uint32_t to, const float* re, const float* im) {
  return current().dot(key, value, dimension / 2, from, to, re, im);
}

void atlas_k_phase_code(const uint32_t seed[4], uint32_t dimension, uint32_t from, uint32_t to, double* restrict re, double* restrict im) {
  current().code(seed, dimension / 2, from, to, re, im);
}
