/* The Layer 3 classification ABI over the dispatched IR kernels. */
#include "internal.h"
#include "kernels/kernels.h"

void atlas_r96_classify_page(const uint8_t* in256, uint8_t out256[256]) {
  if (in256 == NULL || out256 == NULL) return (void)atlas_set_error(ATLAS_E_INVALID);
  atlas_k_classify(in256, out256, 256);
  atlas_set_error(ATLAS_OK);
}

void atlas_r96_histogram_page(const uint8_t* in256, uint16_t out96[96]) {
  if (in256 == NULL || out96 == NULL) return (void)atlas_set_error(ATLAS_E_INVALID);
  atlas_k_histogram_pages(in256, out96, 1);
  atlas_set_error(ATLAS_OK);
}

int atlas_r96_classify_pages(const uint8_t* in, uint8_t* out, size_t pages) {
  if (pages > 0 && (in == NULL || out == NULL)) return atlas_set_error(ATLAS_E_INVALID);
  atlas_k_classify(in, out, pages * 256);
  return atlas_set_error(ATLAS_OK);
}

int atlas_r96_histogram_pages(const uint8_t* in, uint16_t* out, size_t pages) {
  if (pages > 0 && (in == NULL || out == NULL)) return atlas_set_error(ATLAS_E_INVALID);
  atlas_k_histogram_pages(in, out, pages);
  return atlas_set_error(ATLAS_OK);
}

bool atlas_r96_harmonizes(uint8_t r1, uint8_t r2) {
  if (r1 > 95 || r2 > 95) return atlas_set_error(ATLAS_E_INVALID), false;
  atlas_set_error(ATLAS_OK);
  return atlas_k_harmonizes(r1, r2) != 0;
}
