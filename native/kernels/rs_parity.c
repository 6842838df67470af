/* RS(255,223) parity of an interleaved block, bit-identical to eccEncode in src/holo/ecc.ts: GF(2^8) with poly 0x11D,
 * generator roots α^0..α^31, byte j of the block feeding codeword j mod 56. Each codeword keeps a 32-byte LFSR
 * register (byte t = parity symbol t, highest degree first); one data byte is a one-byte shift of the register and an
 * XOR of the generator row of the feedback symbol. Consecutive bytes feed different registers, so the 56 dependency
 * chains overlap and all 56 registers (1.8 KB) stay in L1. */
#include "kernels.h"

#include <pthread.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define RS_PARITY 32
#define DEPTH 56

/* GEN_ROW[f][t] = g_{t+1}·f, the generator's coefficients below x^32 times the feedback symbol f. */
static uint8_t GEN_ROW[256][RS_PARITY] __attribute__((aligned(32)));
static pthread_once_t built = PTHREAD_ONCE_INIT;

static uint8_t gf_mul(uint8_t a, uint8_t b) {
  uint8_t p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a = (uint8_t)((a << 1) ^ ((a & 0x80) ? 0x1d : 0));
    b >>= 1;
  }
  return p;
}

static void build_rows(void) {
  /* g(x) = Π_{i<32} (x − α^i), g[0] = 1 is the x^32 coefficient. */
  uint8_t g[RS_PARITY + 1] = {1};
  uint8_t root = 1;
  for (int i = 0; i < RS_PARITY; i++) {
    for (int j = i + 1; j > 0; j--) g[j] ^= gf_mul(g[j - 1], root);
    root = gf_mul(root, 2);
  }
  for (int f = 0; f < 256; f++)
    for (int t = 0; t < RS_PARITY; t++) GEN_ROW[f][t] = gf_mul(g[t + 1], (uint8_t)f);
}

#ifdef __SSE2__
/* The register as two 16-byte halves: the one-byte shift is two byte shifts and an OR. */
typedef struct {
  __m128i lo, hi;
} reg_t;

static inline void step(reg_t* r, uint8_t symbol) {
  const __m128i* row = (const __m128i*)GEN_ROW[(uint8_t)(symbol ^ _mm_cvtsi128_si32(r->lo))];
  r->lo = _mm_xor_si128(_mm_or_si128(_mm_srli_si128(r->lo, 1), _mm_slli_si128(r->hi, 15)), _mm_load_si128(row));
  r->hi = _mm_xor_si128(_mm_srli_si128(r->hi, 1), _mm_load_si128(row + 1));
}

static void read_register(const reg_t* r, uint8_t out[RS_PARITY]) {
  _mm_storeu_si128((__m128i*)out, r->lo);
  _mm_storeu_si128((__m128i*)(out + 16), r->hi);
}
#else
typedef struct {
  uint8_t b[RS_PARITY];
} reg_t;

static inline void step(reg_t* r, uint8_t symbol) {
  const uint8_t* row = GEN_ROW[(uint8_t)(symbol ^ r->b[0])];
  for (int t = 0; t < RS_PARITY - 1; t++) r->b[t] = r->b[t + 1] ^ row[t];
  r->b[RS_PARITY - 1] = row[RS_PARITY - 1];
}

static void read_register(const reg_t* r, uint8_t out[RS_PARITY]) { memcpy(out, r->b, RS_PARITY); }
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_GFNI_VARIANT 1

/* GF2P8AFFINEQB matrices of y = g_{t+1}·x: the row of output bit i (matrix byte 7 − i) holds bit i of g·α^k at bit k. */
static uint64_t GEN_AFFINE[RS_PARITY];

static void build_affine(void) {
  uint8_t g[RS_PARITY + 1] = {1};
  uint8_t root = 1;
  for (int i = 0; i < RS_PARITY; i++) {
    for (int j = i + 1; j > 0; j--) g[j] ^= gf_mul(g[j - 1], root);
    root = gf_mul(root, 2);
  }
  for (int t = 0; t < RS_PARITY; t++) {
    uint64_t m = 0;
    for (int i = 0; i < 8; i++) {
      uint8_t row = 0;
      for (int k = 0; k < 8; k++) row |= (uint8_t)(((gf_mul(g[t + 1], (uint8_t)(1u << k)) >> i) & 1u) << k);
      m |= (uint64_t)row << (8 * (7 - i));
    }
    GEN_AFFINE[t] = m;
  }
}
static pthread_once_t affine_built = PTHREAD_ONCE_INIT;

/* All 56 codewords at once, transposed: zmm t holds register byte t of every codeword (lane i = output column i), so
 * one data byte per codeword is one XOR and 32 GF(2^8) constant multiplies (affine transforms). Codewords are aligned
 * at their ends (a shorter one starts with a zero, which leaves a zero register as it is), so each step's 56 bytes are
 * one contiguous load, rotated by len mod 56 exactly as the output columns are. */
__attribute__((target("avx512f,avx512bw,gfni"))) static void rs_parity_gfni(const uint8_t* block, size_t len, uint8_t* parity) {
  pthread_once(&affine_built, build_affine);
  __m512i m[RS_PARITY], reg[RS_PARITY];
  for (int t = 0; t < RS_PARITY; t++) {
    m[t] = _mm512_set1_epi64((long long)GEN_AFFINE[t]);
    reg[t] = _mm512_setzero_si512();
  }
  const __mmask64 lanes = (1ULL << DEPTH) - 1;
  const size_t steps = (len + DEPTH - 1) / DEPTH, lead = len % DEPTH ? DEPTH - len % DEPTH : 0;
  for (size_t j = 0; j < steps; j++) {
    /* Lane i reads block[j·56 − lead + i]; on the first step the lanes before the block read as zero. */
    const __mmask64 valid = j == 0 ? lanes & ~((1ULL << lead) - 1) : lanes;
    const __m512i data = _mm512_maskz_loadu_epi8(valid, (const void*)((uintptr_t)block + j * DEPTH - lead));
    const __m512i f = _mm512_xor_si512(data, reg[0]);
    for (int t = 0; t < RS_PARITY - 1; t++) reg[t] = _mm512_xor_si512(reg[t + 1], _mm512_gf2p8affine_epi64_epi8(f, m[t], 0));
    reg[RS_PARITY - 1] = _mm512_gf2p8affine_epi64_epi8(f, m[RS_PARITY - 1], 0);
  }
  for (int t = 0; t < RS_PARITY; t++) _mm512_mask_storeu_epi8(parity + (size_t)DEPTH * t, lanes, reg[t]);
}

static int has_gfni(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("gfni") && __builtin_cpu_supports("avx512bw");
}
#endif

void atlas_k_rs_parity(const uint8_t* block, size_t len, uint8_t* parity) {
#ifdef HAVE_GFNI_VARIANT
  static int gfni = -1; /* a racing first call only ever stores the same value */
  if (gfni < 0) gfni = has_gfni();
  /* With the v4 (AVX-512) variant selected, so that selecting base or v3 tests the LFSR path on the same CPU. */
  if (gfni && strcmp(atlas_k_variant(), "v4") == 0) {
    rs_parity_gfni(block, len, parity);
    return;
  }
#endif
  pthread_once(&built, build_rows);
  reg_t reg[DEPTH];
  memset(reg, 0, sizeof reg);
  size_t j = 0;
  for (; j + DEPTH <= len; j += DEPTH)
    for (int c = 0; c < DEPTH; c++) step(&reg[c], block[j + c]);
  for (int c = 0; j < len; j++, c++) step(&reg[c], block[j]);
  /* parityIndex(len, c, t) in ecc.ts: codeword c's symbols sit in column (c − len mod 56) mod 56, row t. */
  size_t first = len % DEPTH;
  for (int c = 0; c < DEPTH; c++) {
    uint8_t symbols[RS_PARITY];
    read_register(&reg[c], symbols);
    size_t column = ((size_t)c + DEPTH - first) % DEPTH;
    for (int t = 0; t < RS_PARITY; t++) parity[column + (size_t)DEPTH * t] = symbols[t];
  }
}
