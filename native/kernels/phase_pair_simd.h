/* The body of the phase-pair kernels (phase_pair.c) in GCC/clang vector extensions, LANES bins per step. Included once
 * per target: the includer defines LANES, SUFFIX (the variant's name suffix) and PP_TARGET (a function attribute list,
 * empty for wasm). Explicit vectors because GCC 12 left the scalar loop scalar below AVX-512: it needs 64-bit
 * multiplies and int64 -> double conversions, and the quadrant select read as control flow.
 *
 * Exactness of the float64 paths (dot, code): the turns of key and value bins are 53-bit fixed-point numbers
 * (x >> 11), so their sum, its nearest quarter turn q and the remainder are computed in integers, exactly; only the
 * remainder (|rem| <= 2^50, converted exactly by the 1.5·2^52 trick) meets floating point, as r = rem·(π/2)·2^-51 in
 * [-π/4, π/4]. */

#define PP_CAT2(a, b) a##_##b
#define PP_CAT(a, b) PP_CAT2(a, b)
#define PP(name) PP_CAT(name, SUFFIX)

typedef uint64_t PP(vu64) __attribute__((vector_size(8 * LANES)));
typedef int64_t PP(vi64) __attribute__((vector_size(8 * LANES)));
typedef double PP(vf64) __attribute__((vector_size(8 * LANES)));
typedef float PP(vf32) __attribute__((vector_size(4 * LANES)));
typedef int32_t PP(vi32) __attribute__((vector_size(4 * LANES)));
typedef uint32_t PP(vu32) __attribute__((vector_size(4 * LANES)));
#define vu64 PP(vu64)
#define vi64 PP(vi64)
#define vf64 PP(vf64)
#define vf32 PP(vf32)
#define vi32 PP(vi32)
#define vu32 PP(vu32)

PP_TARGET static inline vu64 PP(mix64)(vu64 z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* z_key, z_value: s0 + k·golden per lane. The turns of the key's code, plus the value's when `pair` (a constant), as a
 * fixed-point number of 64 - shift bits (a constant): 53 (shift 11) for the float64 paths, any whole turns above; 64
 * (shift 0) for the float32 ones, whole turns dropped, which differs from the 53-bit sum·2^11 only by the carry out of
 * the 11 low bits that sum drops, below 2^-52 turns. */
PP_TARGET static inline vu64 PP(turns)(pp_seeds p, vu64 z_key, vu64 z_value, const int pair, const int shift) {
  vu64 a = (PP(mix64)(z_key) ^ p.k1) >> shift;
  if (pair) a += (PP(mix64)(z_value) ^ p.v1) >> shift;
  return a;
}

/* cos and sin of 2π·a·2^-53 (fdlibm's kernel polynomials on [-π/4, π/4]). */
PP_TARGET static inline void PP(cos_sin)(vu64 a, vf64* c_out, vf64* s_out) {
  const vu64 b = a + (1ULL << 50);
  const vu64 q = b >> 51;
  const vi64 rem = (vi64)(b & ((1ULL << 51) - 1)) - (1LL << 50);
  const vf64 r = ((vf64)((vu64)rem + 0x4338000000000000ULL) - 0x1.8p52) * 0x1.921fb54442d18p-51;
  const vf64 z = r * r;
  const vf64 sr = 8.33333333332248946124e-03 + z * (-1.98412698298579493134e-04 + z * (2.75573137070700676789e-06 + z * (-2.50507602534068634195e-08 + z * 1.58969099521155010221e-10)));
  const vf64 s = r + z * r * (-1.66666666666666324348e-01 + z * sr);
  const vf64 cr = 4.16666666666666019037e-02 + z * (-1.38888888888741095749e-03 + z * (2.48015872894767294178e-05 + z * (-2.75573143513906633035e-07 + z * (2.08757232129817482790e-09 + z * -1.13596475577881948265e-11))));
  const vf64 c = 1.0 - (0.5 * z - z * z * cr);
  /* Quadrant q: (cos, sin) = (c, s), (-s, c), (-c, -s), (s, -c). */
  const vu64 swap = -(q & 1), cs = (vu64)c, ss = (vu64)s;
  *c_out = (vf64)(((cs & ~swap) | (ss & swap)) ^ ((((q + 1) >> 1) & 1) << 63));
  *s_out = (vf64)(((ss & ~swap) | (cs & swap)) ^ (((q >> 1) & 1) << 63));
}

/* cos and sin in float32 of 2π·a·2^-64, for binds into float32 fields and clean-up's ranking dot. Only the top 32 bits
 * of the turns are kept (an error below 1.5e-9 rad), so quadrant and remainder come from 32-bit lanes: with half a
 * quadrant (2^29) added, the quadrant is bits 31..30 and the remainder the 30 bits below, re-centred on zero, which
 * meets float32 polynomials (Cephes sinf/cosf on [-π/4, π/4]). Off the float64 values by at most ~1.2e-7, the size of
 * the float32 field's own rounding step at 1. Against the 53-bit split in 64-bit lanes it replaced, binds at D = 2^19
 * on a 2.6 GHz AVX-512 Xeon went from 0.25 to 0.23 ms (v4), 0.67 to 0.58 (v3), 0.99 to 0.91 (base). What is left is
 * mix64: its four 64-bit multiplies per bin, three uops each on Intel, and its shifts, all on port 0 at 512 bits. */
PP_TARGET static inline void PP(cos_sin_f32)(vu64 a, vf32* c_out, vf32* s_out) {
  const vu32 t = __builtin_convertvector(a >> 32, vu32) + (1u << 29);
  const vi32 rem = (vi32)(t & ((1u << 30) - 1)) - (1 << 29);
  const vf32 r = __builtin_convertvector(rem, vf32) * 0x1.921fb6p-30f;
  const vf32 z = r * r;
  const vf32 s = r + r * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
  const vf32 c = 1.0f - 0.5f * z + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
  /* Quadrant q = t >> 30: (cos, sin) = (c, s), (-s, c), (-c, -s), (s, -c); swap on odd q, sin negative when bit 1 of q
   * is set, cos when bit 1 of q + 1 is. */
  const vu32 swap = (vu32)((vi32)(t << 1) >> 31), cs = (vu32)c, ss = (vu32)s, sign = (vu32){0} + 0x80000000u;
  *c_out = (vf32)(((cs & ~swap) | (ss & swap)) ^ ((t + (1u << 30)) & sign));
  *s_out = (vf32)(((ss & ~swap) | (cs & swap)) ^ (t & sign));
}

PP_TARGET static inline vf64 PP(widen)(vf32 x) {
#ifdef __clang__
  return __builtin_convertvector(x, vf64);
#else
  /* GCC 12 splits __builtin_convertvector here through the stack; this loop becomes one vcvtps2pd (5% faster binds). */
  vf64 d;
  for (int j = 0; j < LANES; j++) d[j] = x[j];
  return d;
#endif
}

/* Bins [lo, hi) (1 <= lo <= hi <= D/2) in steps of LANES bins; the body gets the step's cos/sin c, s, the offset i of
 * its first bin and the number n of real bins: LANES (a constant, so the copies are plain vector loads and stores), or
 * fewer on the last, partial step, whose copies are zero-padded. */
#define PP_FOR_BINS(p, pair, lo, hi, ...) PP_FOR_BINS_AS(vf64, 11, PP(cos_sin), p, pair, lo, hi, __VA_ARGS__)
/* The same with the step's c, s of vector type VT from COS_SIN of the turns shifted right by SHIFT. */
#define PP_FOR_BINS_F32(p, pair, lo, hi, ...) PP_FOR_BINS_AS(vf32, 0, PP(cos_sin_f32), p, pair, lo, hi, __VA_ARGS__)
#define PP_FOR_BINS_AS(VT, SHIFT, COS_SIN, p, pair, lo, hi, ...)              \
  do {                                                                        \
    vu64 zk, zv;                                                              \
    for (int j = 0; j < LANES; j++) {                                         \
      zk[j] = p.k0 + ((uint64_t)(lo) + j) * PP_GOLDEN;                        \
      zv[j] = p.v0 + ((uint64_t)(lo) + j) * PP_GOLDEN;                        \
    }                                                                         \
    const size_t total = (size_t)((hi) - (lo));                               \
    size_t i = 0;                                                             \
    for (; i + LANES <= total; i += LANES) {                                  \
      const size_t n = LANES;                                                 \
      VT c, s;                                                                \
      COS_SIN(PP(turns)(p, zk, zv, pair, SHIFT), &c, &s);                      \
      __VA_ARGS__                                                             \
      zk += LANES * PP_GOLDEN;                                                \
      zv += LANES * PP_GOLDEN;                                                \
    }                                                                         \
    if (i < total) {                                                          \
      const size_t n = total - i;                                             \
      VT c, s;                                                                \
      COS_SIN(PP(turns)(p, zk, zv, pair, SHIFT), &c, &s);                      \
      __VA_ARGS__                                                             \
    }                                                                         \
  } while (0)

/* re/im += scale·(cos, sin) over bins [lo, hi), in float32 like the field; r/m point at bin lo. */
PP_TARGET static void PP(bind)(pp_seeds p, uint32_t lo, uint32_t hi, double scale, float* restrict r, float* restrict m) {
  const float scale32 = (float)scale;
  PP_FOR_BINS_F32(p, 1, lo, hi, {
    vf32 vr = {0}, vm = {0};
    __builtin_memcpy(&vr, r + i, n * sizeof(float));
    __builtin_memcpy(&vm, m + i, n * sizeof(float));
    vr += scale32 * c;
    vm += scale32 * s;
    __builtin_memcpy(r + i, &vr, n * sizeof(float));
    __builtin_memcpy(m + i, &vm, n * sizeof(float));
  });
}

/* Σ re·cos + im·sin over bins [lo, hi). */
PP_TARGET static double PP(dot)(pp_seeds p, uint32_t lo, uint32_t hi, const float* r, const float* m) {
  vf64 sum = {0};
  PP_FOR_BINS(p, 1, lo, hi, {
    vf32 vr = {0}, vm = {0};
    __builtin_memcpy(&vr, r + i, n * sizeof(float));
    __builtin_memcpy(&vm, m + i, n * sizeof(float));
    sum += PP(widen)(vr) * c + PP(widen)(vm) * s;
  });
  double total = 0;
  for (int j = 0; j < LANES; j++) total += sum[j];
  return total;
}

/* Σ re·cos + im·sin of one code (the key's) over bins [lo, hi), cos/sin in float32 as binds compute them, float32
 * products summed in float64: clean-up's first, ranking stage, over a field already unbound from the key code. */
PP_TARGET static double PP(code_dot32)(pp_seeds p, uint32_t lo, uint32_t hi, const float* r, const float* m) {
  vf64 sum = {0};
  PP_FOR_BINS_F32(p, 0, lo, hi, {
    vf32 vr = {0}, vm = {0};
    __builtin_memcpy(&vr, r + i, n * sizeof(float));
    __builtin_memcpy(&vm, m + i, n * sizeof(float));
    sum += PP(widen)(vr * c + vm * s);
  });
  double total = 0;
  for (int j = 0; j < LANES; j++) total += sum[j];
  return total;
}

/* re/im = cos, sin over bins [lo, hi). */
PP_TARGET static void PP(code)(pp_seeds p, uint32_t lo, uint32_t hi, double* restrict r, double* restrict m) {
  PP_FOR_BINS(p, 0, lo, hi, {
    __builtin_memcpy(r + i, &c, n * sizeof(double));
    __builtin_memcpy(m + i, &s, n * sizeof(double));
  });
}

#undef PP_FOR_BINS
#undef PP_FOR_BINS_F32
#undef PP_FOR_BINS_AS
#undef vu64
#undef vi64
#undef vf64
#undef vf32
#undef vi32
#undef vu32
#undef PP
#undef PP_CAT
#undef PP_CAT2
