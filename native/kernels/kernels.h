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

#ifdef __cplusplus
}
#endif

#endif
