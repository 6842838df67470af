#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "kernels/kernels.h"

struct atlas_witness {
  uint64_t len;
  uint8_t sha256[32];
  uint8_t residue;
  uint64_t created_at_ms; /* a real clock value; not part of equality */
};

atlas_witness_t* atlas_witness_generate(const void* base, size_t len) {
  if (base == NULL && len > 0) return atlas_set_error(ATLAS_E_INVALID), NULL;
  atlas_witness_t* w = malloc(sizeof *w);
  if (w == NULL) return atlas_set_error(ATLAS_E_MEMORY), NULL;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  w->len = len;
  w->residue = len ? (uint8_t)atlas_k_residue(base, len) : 0;
  w->created_at_ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
  atlas_sha256(base, len, w->sha256);
  atlas_set_error(ATLAS_OK);
  return w;
}

bool atlas_witness_verify(const atlas_witness_t* w, const void* base, size_t len) {
  if (w == NULL || (base == NULL && len > 0) || len != w->len) return atlas_set_error(ATLAS_E_INVALID), false;
  uint8_t digest[32];
  atlas_sha256(base, len, digest);
  uint8_t diff = 0; /* constant time over the 32 bytes */
  for (int i = 0; i < 32; i++) diff |= (uint8_t)(digest[i] ^ w->sha256[i]);
  if (diff != 0) return atlas_set_error(ATLAS_E_WITNESS), false;
  if ((len ? atlas_k_residue(base, len) : 0) != w->residue) return atlas_set_error(ATLAS_E_CONSERVATION), false;
  return atlas_set_error(ATLAS_OK), true;
}

int atlas_witness_digest(const atlas_witness_t* w, uint8_t out32[32]) {
  if (w == NULL || out32 == NULL) return atlas_set_error(ATLAS_E_INVALID);
  memcpy(out32, w->sha256, 32);
  return atlas_set_error(ATLAS_OK);
}

void atlas_witness_destroy(atlas_witness_t* w) { free(w); }
