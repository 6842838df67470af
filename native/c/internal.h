/* Shared by the libatlas sources; not installed. */
#ifndef ATLAS_INTERNAL_H
#define ATLAS_INTERNAL_H

#include "atlas.h"

/* Records code as this thread's last error and returns it. */
int atlas_set_error(atlas_error_t code);

#endif
