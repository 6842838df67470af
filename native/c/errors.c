#include "internal.h"

static _Thread_local atlas_error_t last_error = ATLAS_OK;

static const char* const MESSAGES[] = {
    "ok",
    "conservation law violated (sum mod 96 != 0, or the data changed)",
    "witness verification failed",
    "budget exhausted or out of bounds",
    "memory allocation failed",
    "invalid state transition",
    "invalid argument",
    "domain destroyed",
};

int atlas_set_error(atlas_error_t code) {
  last_error = code;
  return (int)code;
}

atlas_error_t atlas_get_last_error(void) { return last_error; }

int atlas_get_api_version(void) { return ATLAS_API_VERSION; }

const char* atlas_error_string(int code) {
  if (code < 0 || code >= (int)(sizeof MESSAGES / sizeof MESSAGES[0])) return "unknown error code";
  return MESSAGES[code];
}
