/* Domains in the shared-memory table layout of src/l2/domain-table.ts: 16 header words, then 32-word slots, every
 * field an int32 updated with sequentially consistent atomics, so JS Atomics on a SharedArrayBuffer and C threads
 * can work on the same table. The logic mirrors src/l2/domain.ts step for step. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernels/kernels.h"

enum { TABLE_MAGIC = 0x324c5441, TABLE_VERSION = 1 };
enum { H_MAGIC = 0, H_VERSION = 1, H_SLOTS = 2, H_SLOT_WORDS = 3, H_HINT = 4, H_LIVE = 5 };
enum {
  F_STATE = 0, F_FLAGS = 1, F_GENERATION = 2, F_BUDGET = 3, F_BUDGET_CLASS = 4, F_BYTES_LO = 5, F_BYTES_HI = 6,
  F_LEN_LO = 7, F_LEN_HI = 8, F_SUM_LO = 9, F_SUM_HI = 10, F_RESIDUE = 11, F_DIGEST = 16
};
enum { S_OPEN = 0, S_COMMITTED = 1 };
enum { FL_LIVE = 1, FL_ATTACHING = 2, FL_ATTACHED = 4, FL_WITNESS = 8, FL_DESTROYED = 16, FL_CREATING = 32 };
enum { DEFAULT_SLOTS = 4096 };

struct atlas_domain {
  int32_t* words;
  uint32_t slot;
  int32_t generation;
  const uint8_t* base; /* the bytes recorded by attach, per handle (as on the JS side); not owned */
  size_t len;
  int handle_destroyed;
  struct atlas_domain* next_tombstone;
};

static int32_t load(int32_t* w, size_t i) { return __atomic_load_n(&w[i], __ATOMIC_SEQ_CST); }
static void store(int32_t* w, size_t i, int32_t v) { __atomic_store_n(&w[i], v, __ATOMIC_SEQ_CST); }
static int cas(int32_t* w, size_t i, int32_t expected, int32_t desired) {
  return __atomic_compare_exchange_n(&w[i], &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static void store64(int32_t* w, size_t i, uint64_t v) { store(w, i, (int32_t)(uint32_t)v), store(w, i + 1, (int32_t)(uint32_t)(v >> 32)); }
static uint64_t load64(int32_t* w, size_t i) { return (uint64_t)(uint32_t)load(w, i) | (uint64_t)(uint32_t)load(w, i + 1) << 32; }
static size_t slot_base(uint32_t slot) { return ATLAS_TABLE_HEADER_WORDS + (size_t)slot * ATLAS_TABLE_SLOT_WORDS; }

static int table_ok(int32_t* w) {
  return w != NULL && ((uintptr_t)w & 3) == 0 && load(w, H_MAGIC) == TABLE_MAGIC && load(w, H_VERSION) == TABLE_VERSION &&
         load(w, H_SLOT_WORDS) == ATLAS_TABLE_SLOT_WORDS && load(w, H_SLOTS) >= 1;
}

size_t atlas_domain_table_bytes(uint32_t slots) { return (ATLAS_TABLE_HEADER_WORDS + (size_t)slots * ATLAS_TABLE_SLOT_WORDS) * 4; }

int atlas_domain_table_init(void* table, size_t bytes, uint32_t slots) {
  int32_t* w = table;
  if (w == NULL || ((uintptr_t)w & 3) != 0 || slots < 1 || slots > (1u << 24) || bytes < atlas_domain_table_bytes(slots)) return atlas_set_error(ATLAS_E_INVALID);
  memset(w, 0, atlas_domain_table_bytes(slots));
  store(w, H_VERSION, TABLE_VERSION);
  store(w, H_SLOTS, (int32_t)slots);
  store(w, H_SLOT_WORDS, ATLAS_TABLE_SLOT_WORDS);
  store(w, H_MAGIC, TABLE_MAGIC);
  return atlas_set_error(ATLAS_OK);
}

static int32_t* default_table;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;
static void make_default_table(void) {
  int32_t* w = calloc(1, atlas_domain_table_bytes(DEFAULT_SLOTS));
  if (w != NULL && atlas_domain_table_init(w, atlas_domain_table_bytes(DEFAULT_SLOTS), DEFAULT_SLOTS) == ATLAS_OK) default_table = w;
}

/* Destroyed handles stay allocated (and reachable from here) so later calls on them return DESTROYED. */
static atlas_domain_t* tombstones;
static pthread_mutex_t tombstone_lock = PTHREAD_MUTEX_INITIALIZER;

static atlas_domain_t* new_handle(int32_t* w, uint32_t slot, int32_t generation) {
  atlas_domain_t* d = calloc(1, sizeof *d);
  if (d == NULL) return NULL;
  d->words = w, d->slot = slot, d->generation = generation;
  return d;
}

/* The base word of d's live slot, or the code that says why d cannot be used (as resolve() in src/l2/domain.ts). */
static int resolve(const atlas_domain_t* d, size_t* base) {
  if (d == NULL || !table_ok(d->words) || d->slot >= (uint32_t)load(d->words, H_SLOTS)) return ATLAS_E_INVALID;
  size_t b = slot_base(d->slot);
  int32_t flags = load(d->words, b + F_FLAGS);
  if (load(d->words, b + F_GENERATION) != d->generation || (flags & FL_DESTROYED) || !(flags & FL_LIVE)) return ATLAS_E_DESTROYED;
  *base = b;
  return ATLAS_OK;
}

atlas_domain_t* atlas_domain_create_in(void* table, size_t bytes, uint8_t budget_class) {
  int32_t* w = table;
  if (bytes < 1 || budget_class > 95 || !table_ok(w)) return atlas_set_error(ATLAS_E_INVALID), NULL;
  uint32_t slots = (uint32_t)load(w, H_SLOTS);
  uint32_t start = (uint32_t)__atomic_fetch_add(&w[H_HINT], 1, __ATOMIC_SEQ_CST) % slots;
  for (uint32_t i = 0; i < slots; i++) {
    uint32_t slot = (start + i) % slots;
    size_t b = slot_base(slot);
    int32_t flags = load(w, b + F_FLAGS);
    if (flags != 0 && flags != FL_DESTROYED) continue;
    if (!cas(w, b + F_FLAGS, flags, FL_CREATING)) continue;
    atlas_domain_t* d = new_handle(w, slot, 0);
    if (d == NULL) {
      store(w, b + F_FLAGS, flags);
      return atlas_set_error(ATLAS_E_MEMORY), NULL;
    }
    int32_t generation = (int32_t)((uint32_t)load(w, b + F_GENERATION) + 1u);
    for (size_t f = F_GENERATION; f < ATLAS_TABLE_SLOT_WORDS; f++) store(w, b + f, 0);
    store(w, b + F_GENERATION, generation);
    store(w, b + F_STATE, S_OPEN);
    store(w, b + F_BUDGET, budget_class);
    store(w, b + F_BUDGET_CLASS, budget_class);
    store64(w, b + F_BYTES_LO, bytes);
    __atomic_fetch_add(&w[H_LIVE], 1, __ATOMIC_SEQ_CST);
    store(w, b + F_FLAGS, FL_LIVE);
    d->generation = generation;
    atlas_set_error(ATLAS_OK);
    return d;
  }
  return atlas_set_error(ATLAS_E_MEMORY), NULL;
}

atlas_domain_t* atlas_domain_create(size_t bytes, uint8_t budget_class) {
  pthread_once(&default_once, make_default_table);
  if (default_table == NULL) return atlas_set_error(ATLAS_E_MEMORY), NULL;
  return atlas_domain_create_in(default_table, bytes, budget_class);
}

atlas_domain_t* atlas_domain_open(void* table, uint32_t slot, int32_t generation) {
  int32_t* w = table;
  if (!table_ok(w) || slot >= (uint32_t)load(w, H_SLOTS)) return atlas_set_error(ATLAS_E_INVALID), NULL;
  atlas_domain_t* d = new_handle(w, slot, generation);
  if (d == NULL) return atlas_set_error(ATLAS_E_MEMORY), NULL;
  size_t b;
  int code = resolve(d, &b);
  if (code != ATLAS_OK) {
    free(d);
    return atlas_set_error(code), NULL;
  }
  return atlas_set_error(ATLAS_OK), d;
}

void atlas_domain_close(atlas_domain_t* d) {
  if (d != NULL && !d->handle_destroyed) free(d);
}

int atlas_domain_attach(atlas_domain_t* d, void* base, size_t len) {
  size_t b;
  int code = resolve(d, &b);
  if (code != ATLAS_OK) return atlas_set_error(code);
  if (base == NULL || len == 0) return atlas_set_error(ATLAS_E_INVALID);
  int32_t* w = d->words;
  if (load(w, b + F_STATE) != S_OPEN) return atlas_set_error(ATLAS_E_STATE);
  if (!cas(w, b + F_FLAGS, FL_LIVE, FL_LIVE | FL_ATTACHING)) return atlas_set_error(ATLAS_E_STATE);
  uint64_t sum = atlas_k_byte_sum(base, len);
  store64(w, b + F_LEN_LO, len);
  store64(w, b + F_SUM_LO, sum);
  store(w, b + F_RESIDUE, (int32_t)(sum % 96));
  if (!cas(w, b + F_FLAGS, FL_LIVE | FL_ATTACHING, FL_LIVE | FL_ATTACHED)) return atlas_set_error(ATLAS_E_DESTROYED);
  d->base = base, d->len = len;
  return atlas_set_error(ATLAS_OK);
}

static int verify_code(const atlas_domain_t* d) {
  size_t b;
  int code = resolve(d, &b);
  if (code != ATLAS_OK) return code;
  int32_t* w = d->words;
  int32_t flags = load(w, b + F_FLAGS);
  if (!(flags & FL_ATTACHED) || d->base == NULL) return ATLAS_E_STATE;
  uint64_t sum = atlas_k_byte_sum(d->base, d->len);
  if (sum % 96 != 0) return ATLAS_E_CONSERVATION;
  if (d->len != load64(w, b + F_LEN_LO) || sum != load64(w, b + F_SUM_LO)) return ATLAS_E_CONSERVATION;
  if (flags & FL_WITNESS) {
    uint8_t digest[32];
    atlas_sha256(d->base, d->len, digest);
    uint32_t diff = 0;
    for (int i = 0; i < 8; i++) {
      int32_t word;
      memcpy(&word, digest + 4 * i, 4); /* little-endian words, as readInt32LE on the JS side */
      diff |= (uint32_t)(word ^ load(w, b + F_DIGEST + (size_t)i));
    }
    if (diff != 0) return ATLAS_E_WITNESS;
  }
  return ATLAS_OK;
}

bool atlas_domain_verify(const atlas_domain_t* d) { return atlas_set_error(verify_code(d)) == ATLAS_OK; }

static int set_flag_while_live(int32_t* w, size_t b, int32_t flag) {
  for (;;) {
    int32_t flags = load(w, b + F_FLAGS);
    if (!(flags & FL_LIVE)) return 0;
    if (cas(w, b + F_FLAGS, flags, flags | flag)) return 1;
  }
}

int atlas_domain_commit(atlas_domain_t* d) {
  int code = verify_code(d);
  if (code != ATLAS_OK) return atlas_set_error(code);
  size_t b;
  if ((code = resolve(d, &b)) != ATLAS_OK) return atlas_set_error(code);
  int32_t* w = d->words;
  if (!cas(w, b + F_STATE, S_OPEN, S_COMMITTED)) return atlas_set_error(ATLAS_E_STATE);
  if (!(load(w, b + F_FLAGS) & FL_WITNESS)) {
    uint8_t digest[32];
    atlas_sha256(d->base, d->len, digest);
    for (int i = 0; i < 8; i++) {
      int32_t word;
      memcpy(&word, digest + 4 * i, 4);
      store(w, b + F_DIGEST + (size_t)i, word);
    }
    if (!set_flag_while_live(w, b, FL_WITNESS)) return atlas_set_error(ATLAS_E_DESTROYED);
  }
  return atlas_set_error(ATLAS_OK);
}

void atlas_domain_destroy(atlas_domain_t* d) {
  if (d == NULL) return;
  size_t b;
  if (resolve(d, &b) == ATLAS_OK) {
    int32_t* w = d->words;
    for (;;) {
      int32_t flags = load(w, b + F_FLAGS);
      if (!(flags & FL_LIVE) || load(w, b + F_GENERATION) != d->generation) break;
      if (cas(w, b + F_FLAGS, flags, FL_DESTROYED)) {
        __atomic_fetch_sub(&w[H_LIVE], 1, __ATOMIC_SEQ_CST);
        break;
      }
    }
  }
  int expected = 0;
  if (!__atomic_compare_exchange_n(&d->handle_destroyed, &expected, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
  d->base = NULL, d->len = 0;
  pthread_mutex_lock(&tombstone_lock);
  d->next_tombstone = tombstones;
  tombstones = d;
  pthread_mutex_unlock(&tombstone_lock);
}

static bool budget_update(atlas_domain_t* d, uint8_t amt, int sign) {
  size_t b;
  int code = resolve(d, &b);
  if (code != ATLAS_OK) return atlas_set_error(code), false;
  if (amt > 95) return atlas_set_error(ATLAS_E_INVALID), false;
  int32_t* w = d->words;
  for (;;) {
    int32_t current = load(w, b + F_BUDGET);
    int32_t next = current + sign * (int32_t)amt;
    if (next < 0 || next > 95) return atlas_set_error(ATLAS_E_BUDGET), false;
    if (cas(w, b + F_BUDGET, current, next)) return atlas_set_error(ATLAS_OK), true;
  }
}

bool atlas_budget_alloc(atlas_domain_t* d, uint8_t amt) { return budget_update(d, amt, -1); }
bool atlas_budget_release(atlas_domain_t* d, uint8_t amt) { return budget_update(d, amt, 1); }

int atlas_domain_slot(const atlas_domain_t* d, uint32_t* slot, int32_t* generation) {
  if (d == NULL || slot == NULL || generation == NULL) return atlas_set_error(ATLAS_E_INVALID);
  *slot = d->slot, *generation = d->generation;
  return atlas_set_error(ATLAS_OK);
}

/* Reads one field of d's live slot into *out. */
static int read_field(const atlas_domain_t* d, size_t field, int32_t* out) {
  size_t b;
  int code = resolve(d, &b);
  if (code != ATLAS_OK) return atlas_set_error(code);
  *out = load(d->words, b + field);
  return atlas_set_error(ATLAS_OK);
}

int atlas_domain_budget(const atlas_domain_t* d, uint8_t* budget) {
  int32_t v = 0;
  if (budget == NULL) return atlas_set_error(ATLAS_E_INVALID);
  int code = read_field(d, F_BUDGET, &v);
  if (code == ATLAS_OK) *budget = (uint8_t)v;
  return code;
}

int atlas_domain_state(const atlas_domain_t* d, int* state) {
  int32_t v = 0;
  if (state == NULL) return atlas_set_error(ATLAS_E_INVALID);
  int code = read_field(d, F_STATE, &v);
  if (code == ATLAS_OK) *state = v;
  return code;
}
