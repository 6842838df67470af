/* Shared by the libatlas sources and the addon; not installed. */
#ifndef ATLAS_INTERNAL_H
#define ATLAS_INTERNAL_H

#include "atlas.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Records code as this thread's last error and returns it. */
int atlas_set_error(atlas_error_t code);

/* SHA-256 without the SHA-NI path, for tests. */
void atlas_sha256_portable(const void* data, size_t len, uint8_t out32[32]);

/* CSR by class of n bytes into caller arrays (offsets: 97, indices: n). ATLAS_OK or ATLAS_E_MEMORY; sets no error. */
int atlas_cluster_fill(const uint8_t* base, size_t n, uint32_t offsets[97], uint32_t* indices);

#ifdef __cplusplus
}
#endif

#endif
