/* Size_t entry points over the IR kernels (the ir/ kernels), dispatched once per process to the best CPU variant.
 * Shared by the Node addon and libatlas. Internal header: the public ABI is include/atlas.h. */
#ifndef ATLAS_KERNELS_H
#define ATLAS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "base" (x86-64), "v3" (AVX2) or "v4" (AVX-512): the variant in use. */
const char* atlas_k_variant(void);
/* Selects a variant by name if this CPU supports it; returns 0 on success, -1 otherwise. For tests and benches. */
int atlas_k_select(const char* name);

uint64_t atlas_k_byte_sum(const uint8_t* p, size_t len);
uint32_t atlas_k_residue(const uint8_t* p, size_t len);
uint32_t atlas_k_update(uint32_t residue, const uint8_t* p, size_t len);
uint32_t atlas_k_delta(const uint8_t* before, const uint8_t* after, size_t len);
void atlas_k_memset(uint8_t* dst, size_t len, uint8_t val);
/* 0, or 1 (CONSERVATION) with dst untouched when src is not conserved. memmove semantics. */
int atlas_k_memcpy(uint8_t* dst, const uint8_t* src, size_t len);
void atlas_k_classify(const uint8_t* in, uint8_t* out, size_t len);
void atlas_k_histogram_pages(const uint8_t* in, uint16_t* out, size_t pages);
int atlas_k_harmonizes(uint32_t r1, uint32_t r2);
/* The 1,792 RS(255,223) parity bytes of a block of len <= 12,488 bytes interleaved over 56 codewords, in eccEncode's
 * layout (src/holo/ecc.ts). native/kernels/rs_parity.c. */
void atlas_k_rs_parity(const uint8_t* block, size_t len, uint8_t* parity);
/* Seeded phase codes (holo-store.md §3.2; seeds are the u32 words s0 lo, s0 hi, s1 lo, s1 hi) over bins [from, to) of a
 * dimension-D code, 0 <= from <= to <= D/2 + 1; re/im are views that start at bin `from`. native/kernels/phase_pair.c.
 * bind: re/im (f32) += scale·e^{i(θ_key + θ_value)} (the imaginary parts of bins 0 and D/2 untouched). */
void atlas_k_bind_phase_pair(const uint32_t key[4], const uint32_t value[4], uint32_t dimension, uint32_t from, uint32_t to, double scale, float* re, float* im);
/* Σ w_k (re_k cos(θ_key + θ_value) + im_k sin(θ_key + θ_value)), w = 1 at bins 0 and D/2, else 2: Re⟨ψ, P_key ⊙ P_value⟩. */
double atlas_k_phase_pair_dot(const uint32_t key[4], const uint32_t value[4], uint32_t dimension, uint32_t from, uint32_t to, const float* re, const float* im);
/* Σ w_k (re_k cos θ_k + im_k sin θ_k) of one code, cos/sin in float32 like a bind's (each term within 2^-22 (|re_k| + |im_k|)
 * of the float64 value): Re⟨ψ, P_seed⟩ for ranking. */
double atlas_k_phase_code_dot_f32(const uint32_t seed[4], uint32_t dimension, uint32_t from, uint32_t to, const float* re, const float* im);
/* re/im (f64) = cos θ, sin θ of one code (sin = 0 at bins 0 and D/2). */
void atlas_k_phase_code(const uint32_t seed[4], uint32_t dimension, uint32_t from, uint32_t to, double* re, double* im);

#ifdef __cplusplus
}
#endif

#endif
