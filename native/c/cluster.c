/* CSR clusters by r96 class: the classify kernel, then a two-pass counting sort; offsets and indices in one
 * allocation. */
#include <stdlib.h>

#include "internal.h"
#include "kernels/kernels.h"

int atlas_cluster_fill(const uint8_t* base, size_t n, uint32_t offsets[97], uint32_t* indices) {
  uint8_t* classes = malloc(n ? n : 1);
  if (classes == NULL) return ATLAS_E_MEMORY;
  atlas_k_classify(base, classes, n);
  uint32_t cursor[96] = {0};
  for (size_t i = 0; i < n; i++) cursor[classes[i]]++;
  offsets[0] = 0;
  for (int c = 0; c < 96; c++) offsets[c + 1] = offsets[c] + cursor[c], cursor[c] = offsets[c];
  for (size_t i = 0; i < n; i++) indices[cursor[classes[i]]++] = (uint32_t)i;
  free(classes);
  return ATLAS_OK;
}

atlas_cluster_view atlas_cluster_by_resonance(const uint8_t* base, size_t pages) {
  atlas_cluster_view view = {NULL, NULL, 0};
  if (base == NULL || pages == 0 || pages > UINT32_MAX / 256) return atlas_set_error(ATLAS_E_INVALID), view;
  size_t n = pages * 256;
  uint32_t* arena = malloc((97 + n) * sizeof(uint32_t));
  if (arena == NULL || atlas_cluster_fill(base, n, arena, arena + 97) != ATLAS_OK) {
    free(arena);
    return atlas_set_error(ATLAS_E_MEMORY), view;
  }
  view.offsets = arena, view.indices = arena + 97, view.n = (uint32_t)n;
  atlas_set_error(ATLAS_OK);
  return view;
}

void atlas_cluster_destroy(atlas_cluster_view* clusters) {
  if (clusters == NULL) return;
  free((void*)clusters->offsets); /* the arena starts with offsets */
  clusters->offsets = NULL, clusters->indices = NULL, clusters->n = 0;
}
