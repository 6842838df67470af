#include "internal.h"

int atlas_next_harmonic_window_checked(uint64_t now, uint8_t r, uint64_t* next) {
  if (r > 95 || next == NULL) return atlas_set_error(ATLAS_E_INVALID);
  uint64_t wait = (96 - (now % 96 + r) % 96) % 96; /* now % 96 first: now + r could wrap */
  if (now > UINT64_MAX - wait) return atlas_set_error(ATLAS_E_INVALID);
  *next = now + wait;
  return atlas_set_error(ATLAS_OK);
}

uint64_t atlas_next_harmonic_window_from(uint64_t now, uint8_t r) {
  uint64_t next = 0;
  return atlas_next_harmonic_window_checked(now, r, &next) == ATLAS_OK ? next : 0;
}
