/* CSR clusters by r96 class: the classify kernel, then a two-pass counting sort; offsets and indices in one
 * allocation. */
#include <stdlib.h>

#include "internal.h"
#include "kernels/kernels.h"

/* One Atlas-12288 structure (48 pages) classifies into a stack buffer; larger inputs take a heap one. */
enum { STACK_CLASSES = 48 * 256 };

int atlas_cluster_fill(const uint8_t* base, size_t n, uint32_t offsets[97], uint32_t* indices) {
  uint8_t local[STACK_CLASSES];
  uint8_t* classes = n <= STACK_CLASSES ? local : malloc(n);
  if (classes == NULL) return ATLAS_E_MEMORY;
  atlas_k_classify(base, classes, n);
  /* Four interleaved counter sets, so repeated classes do not serialize on one counter. */
  uint32_t count[4][96] = {{0}};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) count[0][classes[i]]++, count[1][classes[i + 1]]++, count[2][classes[i + 2]]++, count[3][classes[i + 3]]++;
  for (; i < n; i++) count[0][classes[i]]++;
  uint32_t cursor[96];
  for (int c = 0; c < 96; c++) cursor[c] = count[0][c] + count[1][c] + count[2][c] + count[3][c];
  offsets[0] = 0;
  for (int c = 0; c < 96; c++) offsets[c + 1] = offsets[c] + cursor[c], cursor[c] = offsets[c];
  for (i = 0; i < n; i++) indices[cursor[classes[i]]++] = (uint32_t)i;
  if (classes != local) free(classes);
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
