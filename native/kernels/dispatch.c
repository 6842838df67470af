/* Run-time choice between the llc objects of the ir/ kernels (native/ir-object.sh renames each variant's symbols) and
 * the size_t wrappers: the IR takes i32 lengths, so long buffers go through in chunks. */
#include "kernels.h"

#include <string.h>

#define DECLARE_VARIANT(v)                                                                   \
  uint64_t ak_##v##_byte_sum(const uint8_t*, uint32_t);                                      \
  uint32_t ak_##v##_update(uint32_t, const uint8_t*, uint32_t);                              \
  uint32_t ak_##v##_delta(const uint8_t*, const uint8_t*, uint32_t);                         \
  void ak_##v##_memset(uint8_t*, uint32_t, uint32_t);                                        \
  uint32_t ak_##v##_memcpy(uint8_t*, const uint8_t*, uint32_t);                              \
  void ak_##v##_r96_classify(const uint8_t*, uint8_t*, uint32_t);                            \
  void ak_##v##_r96_histogram_pages(const uint8_t*, uint16_t*, uint32_t);                    \
  uint32_t ak_##v##_r96_harmonizes(uint32_t, uint32_t);

DECLARE_VARIANT(base)
DECLARE_VARIANT(v3)
DECLARE_VARIANT(v4)

typedef struct {
  const char* name;
  uint64_t (*byte_sum)(const uint8_t*, uint32_t);
  uint32_t (*update)(uint32_t, const uint8_t*, uint32_t);
  uint32_t (*delta)(const uint8_t*, const uint8_t*, uint32_t);
  void (*memset)(uint8_t*, uint32_t, uint32_t);
  uint32_t (*memcpy)(uint8_t*, const uint8_t*, uint32_t);
  void (*classify)(const uint8_t*, uint8_t*, uint32_t);
  void (*histogram_pages)(const uint8_t*, uint16_t*, uint32_t);
  uint32_t (*harmonizes)(uint32_t, uint32_t);
} variant_t;

#define VARIANT(v) \
  { #v, ak_##v##_byte_sum, ak_##v##_update, ak_##v##_delta, ak_##v##_memset, ak_##v##_memcpy, ak_##v##_r96_classify, ak_##v##_r96_histogram_pages, ak_##v##_r96_harmonizes }

static const variant_t VARIANTS[] = {VARIANT(base), VARIANT(v3), VARIANT(v4)};

/* A multiple of 96 and of 256 below 2^31, so that chunking never changes a memset fixup or splits a page. */
#define CHUNK ((size_t)96 * 256 * 65536)

static int supported(const variant_t* v) {
  __builtin_cpu_init();
  if (v == &VARIANTS[2]) return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  if (v == &VARIANTS[1]) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2");
  return 1;
}

static const variant_t* best(void) {
  for (int i = 2; i > 0; i--)
    if (supported(&VARIANTS[i])) return &VARIANTS[i];
  return &VARIANTS[0];
}

/* Written once before any kernel runs in practice; a racing first call only ever stores the same pointer. */
static const variant_t* volatile active;

static const variant_t* k(void) {
  const variant_t* v = active;
  if (!v) active = v = best();
  return v;
}

const char* atlas_k_variant(void) { return k()->name; }

int atlas_k_select(const char* name) {
  for (size_t i = 0; i < sizeof VARIANTS / sizeof VARIANTS[0]; i++) {
    if (strcmp(VARIANTS[i].name, name) == 0 && supported(&VARIANTS[i])) {
      active = &VARIANTS[i];
      return 0;
    }
  }
  return -1;
}

static uint32_t piece(size_t left) { return (uint32_t)(left < CHUNK ? left : CHUNK); }

uint64_t atlas_k_byte_sum(const uint8_t* p, size_t len) {
  uint64_t total = 0;
  for (size_t at = 0; at < len; at += CHUNK) total += k()->byte_sum(p + at, piece(len - at));
  return total;
}

uint32_t atlas_k_update(uint32_t residue, const uint8_t* p, size_t len) {
  if (len == 0) return residue % 96;
  for (size_t at = 0; at < len; at += CHUNK) residue = k()->update(residue, p + at, piece(len - at));
  return residue;
}

uint32_t atlas_k_residue(const uint8_t* p, size_t len) { return atlas_k_update(0, p, len); }

uint32_t atlas_k_delta(const uint8_t* before, const uint8_t* after, size_t len) {
  uint32_t d = 0;
  for (size_t at = 0; at < len; at += CHUNK) d = (d + k()->delta(before + at, after + at, piece(len - at))) % 96;
  return d;
}

void atlas_k_memset(uint8_t* dst, size_t len, uint8_t val) {
  for (size_t at = 0; at < len; at += CHUNK) k()->memset(dst + at, piece(len - at), val);
}

int atlas_k_memcpy(uint8_t* dst, const uint8_t* src, size_t len) {
  if (len <= CHUNK) return (int)k()->memcpy(dst, src, (uint32_t)len);
  if (atlas_k_residue(src, len) != 0) return 1;
  memmove(dst, src, len);
  return 0;
}

void atlas_k_classify(const uint8_t* in, uint8_t* out, size_t len) {
  for (size_t at = 0; at < len; at += CHUNK) k()->classify(in + at, out + at, piece(len - at));
}

void atlas_k_histogram_pages(const uint8_t* in, uint16_t* out, size_t pages) {
  const size_t step = CHUNK / 256;
  for (size_t p = 0; p < pages; p += step) k()->histogram_pages(in + p * 256, out + p * 96, (uint32_t)(pages - p < step ? pages - p : step));
}

int atlas_k_harmonizes(uint32_t r1, uint32_t r2) { return (int)k()->harmonizes(r1, r2); }
