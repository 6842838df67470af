/* RS(255,223) parity of an interleaved block, bit-identical to eccEncode in src/holo/ecc.ts: GF(2^8) with poly 0x11D,
 * generator roots α^0..α^31, byte j of the block feeding codeword j mod 56. Each codeword keeps a 32-byte LFSR
 * register (byte t = parity symbol t, highest degree first); one data byte is a one-byte shift of the register and an
 * XOR of the generator row of the feedback symbol. Consecutive bytes feed different registers, so the 56 dependency
 * chains overlap and all 56 registers (1.8 KB) stay in L1. */
#include "kernels.h"

#include <pthread.h>
#include <string.h>

#define RS_PARITY 32
#define DEPTH 56

/* A register as four little-endian words: byte t of the register is byte t mod 8 of word t / 8. */
typedef struct {
  uint64_t w[4];
} reg_t;

static reg_t GEN_ROW[256];
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
    for (int t = 0; t < RS_PARITY; t++) GEN_ROW[f].w[t / 8] |= (uint64_t)gf_mul(g[t + 1], (uint8_t)f) << (8 * (t % 8));
}

static inline void step(reg_t* r, uint8_t symbol) {
  const reg_t* row = &GEN_ROW[(uint8_t)(symbol ^ r->w[0])];
  r->w[0] = ((r->w[0] >> 8) | (r->w[1] << 56)) ^ row->w[0];
  r->w[1] = ((r->w[1] >> 8) | (r->w[2] << 56)) ^ row->w[1];
  r->w[2] = ((r->w[2] >> 8) | (r->w[3] << 56)) ^ row->w[2];
  r->w[3] = (r->w[3] >> 8) ^ row->w[3];
}

void atlas_k_rs_parity(const uint8_t* block, size_t len, uint8_t* parity) {
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
    size_t column = ((size_t)c + DEPTH - first) % DEPTH;
    for (int t = 0; t < RS_PARITY; t++) parity[column + (size_t)DEPTH * t] = (uint8_t)(reg[c].w[t / 8] >> (8 * (t % 8)));
  }
}
