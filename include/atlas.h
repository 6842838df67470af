/* atlas.h - the stable C ABI of atlas-engine for Atlas-12288 Layer 2 (conservation) and Layer 3 (resonance).
 *
 * The seed's ABI (ATLAS_API_VERSION 1) with the semantics of the TypeScript contract (docs/kernels.md,
 * src/l2, src/l3): every function that can fail returns 0 or an atlas_error_t code (never -1) and records the code as
 * this thread's last error (atlas_get_last_error); functions returning bool or a value set it as well.
 * Codes are appended, never renumbered. Build: `npm run build:c` (or `make lib`) gives dist/native/libatlas.a and
 * dist/native/libatlas.so. */
#ifndef ATLAS_H
#define ATLAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ATLAS_API_VERSION 1

#if defined(__GNUC__) && __GNUC__ >= 4
#define ATLAS_API __attribute__((visibility("default")))
#else
#define ATLAS_API
#endif

typedef enum {
  ATLAS_OK = 0,
  ATLAS_E_CONSERVATION = 1, /* Σ mod 96 != 0, or the bytes changed since attach */
  ATLAS_E_WITNESS = 2,      /* SHA-256 mismatch */
  ATLAS_E_BUDGET = 3,       /* the budget would leave 0..95; it is unchanged */
  ATLAS_E_MEMORY = 4,       /* allocation failed, or a domain table is full */
  ATLAS_E_STATE = 5,        /* not attached, attached twice, or committed twice */
  ATLAS_E_INVALID = 6,      /* a bad argument: NULL, class > 95, length mismatch ... */
  ATLAS_E_DESTROYED = 7     /* the domain was destroyed */
} atlas_error_t;

ATLAS_API int atlas_get_api_version(void);
/* The code of this thread's most recent call (ATLAS_OK after a success). */
ATLAS_API atlas_error_t atlas_get_last_error(void);
ATLAS_API const char* atlas_error_string(int code);

typedef struct atlas_domain atlas_domain_t;
typedef struct atlas_witness atlas_witness_t;

/* ---- Layer 2: domains and budgets ------------------------------------------------------------------------------
 * A domain lives in one 32-word slot of a domain table, the shared-memory layout of src/l2/domain-table.ts, so C
 * threads and JS Atomics can work on one table (a SharedArrayBuffer handed to C). atlas_domain_create uses this
 * process's default table (4096 slots); atlas_domain_create_in uses a caller's table.
 * Budget: available units in 0..95. create: budget = budget_class (> 95: INVALID). alloc(amt): amt > 95 INVALID,
 * amt > budget BUDGET; release(amt): amt > 95 INVALID, budget + amt > 95 BUDGET. States: OPEN -> COMMITTED once.
 * After destroy every call gives DESTROYED; the handle's 48 bytes stay allocated so that stays true (documented cost).
 * destroy(NULL) is a no-op. */
ATLAS_API atlas_domain_t* atlas_domain_create(size_t bytes, uint8_t budget_class);
/* Records base/len (any len > 0) and the exact Σ, once, while OPEN. Does not take ownership. */
ATLAS_API int atlas_domain_attach(atlas_domain_t* domain, void* base, size_t len);
/* Attached (else STATE), Σ ≡ 0 and Σ unchanged since attach (else CONSERVATION), bound witness matches (WITNESS). */
ATLAS_API bool atlas_domain_verify(const atlas_domain_t* domain);
/* verify, then CAS OPEN -> COMMITTED (a loser or a second commit: STATE), then binds the SHA-256. */
ATLAS_API int atlas_domain_commit(atlas_domain_t* domain);
ATLAS_API void atlas_domain_destroy(atlas_domain_t* domain);
ATLAS_API bool atlas_budget_alloc(atlas_domain_t* domain, uint8_t amt);
ATLAS_API bool atlas_budget_release(atlas_domain_t* domain, uint8_t amt);

/* Extensions: shared tables and inspection. */
#define ATLAS_TABLE_HEADER_WORDS 16
#define ATLAS_TABLE_SLOT_WORDS 32
ATLAS_API size_t atlas_domain_table_bytes(uint32_t slots);
/* Formats zeroed, 4-byte aligned memory of atlas_domain_table_bytes(slots) bytes as a table. */
ATLAS_API int atlas_domain_table_init(void* table, size_t bytes, uint32_t slots);
ATLAS_API atlas_domain_t* atlas_domain_create_in(void* table, size_t bytes, uint8_t budget_class);
/* A handle to a slot created elsewhere (e.g. by domainCreate in JS): {slot, generation} of its Domain handle. */
ATLAS_API atlas_domain_t* atlas_domain_open(void* table, uint32_t slot, int32_t generation);
/* Frees a handle from atlas_domain_open (or create) without destroying its domain; the handle is gone afterwards. */
ATLAS_API void atlas_domain_close(atlas_domain_t* domain);
ATLAS_API int atlas_domain_slot(const atlas_domain_t* domain, uint32_t* slot, int32_t* generation);
ATLAS_API int atlas_domain_budget(const atlas_domain_t* domain, uint8_t* budget);
/* 0 OPEN, 1 COMMITTED. */
ATLAS_API int atlas_domain_state(const atlas_domain_t* domain, int* state);

/* ---- Layer 2: witnesses (real SHA-256, FIPS 180-4) --------------------------------------------------------------
 * generate: len 0 is allowed; NULL base with len > 0: NULL + INVALID. verify, in order: len differs INVALID, SHA-256
 * differs WITNESS (constant-time compare), residue differs CONSERVATION. */
ATLAS_API atlas_witness_t* atlas_witness_generate(const void* base, size_t len);
ATLAS_API bool atlas_witness_verify(const atlas_witness_t* witness, const void* base, size_t len);
ATLAS_API void atlas_witness_destroy(atlas_witness_t* witness);
ATLAS_API int atlas_witness_digest(const atlas_witness_t* witness, uint8_t out32[32]);
ATLAS_API void atlas_sha256(const void* data, size_t len, uint8_t out32[32]);

/* ---- Layer 2: conservation kernels (the IR kernels, dispatched per CPU) ----------------------------------------- */
/* δ = (Σafter − Σbefore) mod 96, always 0..95. NULL with len > 0: 0 + INVALID. */
ATLAS_API uint8_t atlas_conserved_delta(const void* before, const void* after, size_t len);
ATLAS_API uint8_t atlas_conserved_sum(const void* base, size_t len);
ATLAS_API bool atlas_conserved_window_check(const void* base, size_t len);
typedef struct {
  uint8_t residue;
  uint64_t bytes;
} atlas_conserved_state;
ATLAS_API int atlas_conserved_update(atlas_conserved_state* state, const void* chunk, size_t len);
/* Fill, then fix only the last byte so Σ ≡ 0 mod 96 without overflow. */
ATLAS_API int atlas_conserved_memset(void* dst, size_t len, uint8_t value);
/* Pre-checks src (CONSERVATION, dst untouched), dst_len < len: INVALID, then memmove. */
ATLAS_API int atlas_conserved_memcpy(void* dst, size_t dst_len, const void* src, size_t len);

/* ---- Layer 3: resonance ---------------------------------------------------------------------------------------- */
ATLAS_API void atlas_r96_classify_page(const uint8_t* in256, uint8_t out256[256]);
ATLAS_API void atlas_r96_histogram_page(const uint8_t* in256, uint16_t out96[96]);
ATLAS_API int atlas_r96_classify_pages(const uint8_t* in, uint8_t* out, size_t pages);
ATLAS_API int atlas_r96_histogram_pages(const uint8_t* in, uint16_t* out96_per_page, size_t pages);
/* (r1 + r2) % 96 == 0; a class > 95 gives false + INVALID. */
ATLAS_API bool atlas_r96_harmonizes(uint8_t r1, uint8_t r2);

/* CSR by class: offsets[97] prefix sums (offsets[96] = n = pages*256), indices[n] linear coords page*256+offset,
 * ascending within each class. pages 0 or NULL base: an empty view + INVALID. */
typedef struct {
  const uint32_t* offsets;
  const uint32_t* indices;
  uint32_t n;
} atlas_cluster_view;
ATLAS_API atlas_cluster_view atlas_cluster_by_resonance(const uint8_t* base, size_t pages);
ATLAS_API void atlas_cluster_destroy(atlas_cluster_view* clusters);

/* next = now + ((96 − ((now + r) mod 96)) mod 96), exact in 64 bits, may return now. r > 95 or a result above
 * 2^64−1: returns 0 with last error INVALID (use the _checked form to tell that apart from a real 0). */
ATLAS_API uint64_t atlas_next_harmonic_window_from(uint64_t now, uint8_t r);
ATLAS_API int atlas_next_harmonic_window_checked(uint64_t now, uint8_t r, uint64_t* next);
static inline uint64_t atlas_next_harmonic_window(uint8_t r) { return atlas_next_harmonic_window_from(0, r); }

#ifdef __cplusplus
}
#endif

#endif /* ATLAS_H */
