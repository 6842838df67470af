/* The Layer 2 kernel ABI over the dispatched IR kernels. */
#include "internal.h"
#include "kernels/kernels.h"

static int bad(const void* p, size_t len) { return p == NULL && len > 0; }

uint8_t atlas_conserved_delta(const void* before, const void* after, size_t len) {
  if (bad(before, len) || bad(after, len)) return atlas_set_error(ATLAS_E_INVALID), 0;
  atlas_set_error(ATLAS_OK);
  return (uint8_t)atlas_k_delta(before, after, len);
}

uint8_t atlas_conserved_sum(const void* base, size_t len) {
  if (bad(base, len)) return atlas_set_error(ATLAS_E_INVALID), 0;
  atlas_set_error(ATLAS_OK);
  return (uint8_t)atlas_k_residue(base, len);
}

bool atlas_conserved_window_check(const void* base, size_t len) {
  if (bad(base, len)) return atlas_set_error(ATLAS_E_INVALID), false;
  atlas_set_error(ATLAS_OK);
  return atlas_k_residue(base, len) == 0;
}

int atlas_conserved_update(atlas_conserved_state* state, const void* chunk, size_t len) {
  if (state == NULL || state->residue > 95 || bad(chunk, len)) return atlas_set_error(ATLAS_E_INVALID);
  state->residue = (uint8_t)atlas_k_update(state->residue, chunk, len);
  state->bytes += len;
  return atlas_set_error(ATLAS_OK);
}

int atlas_conserved_memset(void* dst, size_t len, uint8_t value) {
  if (bad(dst, len)) return atlas_set_error(ATLAS_E_INVALID);
  atlas_k_memset(dst, len, value);
  return atlas_set_error(ATLAS_OK);
}

int atlas_conserved_memcpy(void* dst, size_t dst_len, const void* src, size_t len) {
  if (bad(src, len) || bad(dst, dst_len)) return atlas_set_error(ATLAS_E_INVALID);
  if (len == 0) return atlas_set_error(ATLAS_OK);
  if (dst_len < len) return atlas_set_error(atlas_k_residue(src, len) != 0 ? ATLAS_E_CONSERVATION : ATLAS_E_INVALID);
  return atlas_set_error(atlas_k_memcpy(dst, src, len) == 0 ? ATLAS_OK : ATLAS_E_CONSERVATION);
}
