/* libatlas tests: the spec vectors, FIPS 180-4 SHA-256 vectors, seeded property tests, and 1000-thread budget and
 * commit races started by a barrier. Built plain and with ASan+UBSan (make c-test, make c-test-asan). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atlas.h"

/* libatlas-internal (hidden in the .so, linked here from the static library): the portable SHA-256 path. */
void atlas_sha256_portable(const void* data, size_t len, uint8_t out32[32]);

static int failures, checks;
#define CHECK(cond)                                                          \
  do {                                                                       \
    checks++;                                                                \
    if (!(cond)) failures++, fprintf(stderr, "%s:%d: FAILED %s\n", __FILE__, __LINE__, #cond); \
  } while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
  return rng_state;
}
static uint64_t sum_of(const uint8_t* p, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; i++) s += p[i];
  return s;
}
static void hex(const uint8_t d[32], char out[65]) {
  for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", d[i]);
}
/* Both SHA-256 paths (SHA-NI when the CPU has it, and portable C) must give the expected digest. */
static int sha_is(const void* p, size_t n, const char* expected) {
  uint8_t d[32], portable[32];
  char h[65], hp[65];
  atlas_sha256(p, n, d);
  atlas_sha256_portable(p, n, portable);
  hex(d, h);
  hex(portable, hp);
  return strcmp(h, expected) == 0 && strcmp(hp, expected) == 0;
}

static void test_errors_and_version(void) {
  CHECK(atlas_get_api_version() == 1 && ATLAS_API_VERSION == 1);
  CHECK(ATLAS_E_INVALID == 6 && ATLAS_E_DESTROYED == 7 && ATLAS_E_STATE == 5);
  CHECK(strcmp(atlas_error_string(ATLAS_E_BUDGET), "budget exhausted or out of bounds") == 0);
  CHECK(strcmp(atlas_error_string(99), "unknown error code") == 0);
}

static void test_r96(void) {
  uint8_t ramp[256], out[256];
  uint16_t hist[96];
  for (int i = 0; i < 256; i++) ramp[i] = (uint8_t)i;
  atlas_r96_classify_page(ramp, out);
  for (int i = 0; i < 256; i++) CHECK(out[i] == i % 96);
  atlas_r96_histogram_page(ramp, hist);
  for (int c = 0; c < 96; c++) CHECK(hist[c] == (c < 64 ? 3 : 2));
  CHECK(atlas_r96_harmonizes(0, 0) && atlas_r96_harmonizes(48, 48) && atlas_r96_harmonizes(1, 95) && atlas_r96_harmonizes(10, 86));
  CHECK(!atlas_r96_harmonizes(10, 85) && atlas_get_last_error() == ATLAS_OK);
  CHECK(!atlas_r96_harmonizes(48, 0));
  CHECK(!atlas_r96_harmonizes(96, 0) && atlas_get_last_error() == ATLAS_E_INVALID);
  /* many pages, random, against b % 96 */
  enum { PAGES = 49 };
  static uint8_t in[PAGES * 256 + 1], cls[PAGES * 256];
  static uint16_t h[PAGES * 96];
  for (size_t i = 0; i < sizeof in; i++) in[i] = (uint8_t)rnd();
  CHECK(atlas_r96_classify_pages(in + 1, cls, PAGES) == ATLAS_OK);
  CHECK(atlas_r96_histogram_pages(in + 1, h, PAGES) == ATLAS_OK);
  int ok = 1;
  for (size_t p = 0; p < PAGES; p++) {
    uint16_t ref[96] = {0};
    for (int i = 0; i < 256; i++) ok &= cls[p * 256 + i] == in[1 + p * 256 + i] % 96, ref[in[1 + p * 256 + i] % 96]++;
    ok &= memcmp(ref, h + p * 96, sizeof ref) == 0;
  }
  CHECK(ok);
  CHECK(atlas_r96_classify_pages(NULL, cls, 1) == ATLAS_E_INVALID);
}

static void test_sum_delta_stream(void) {
  uint8_t b[64];
  memset(b, 16, 64);
  CHECK(atlas_conserved_sum(b, 64) == 64);
  for (int i = 0; i < 64; i++) b[i] = (uint8_t)i;
  CHECK(atlas_conserved_window_check(b, 64) && atlas_conserved_window_check(NULL, 0));
  uint8_t x = 100, y = 95;
  CHECK(atlas_conserved_delta(&x, &y, 1) == 91);
  uint8_t p32[32], q32[32];
  memset(p32, 10, 32), memset(q32, 10, 32), q32[31] = 5;
  CHECK(atlas_conserved_delta(p32, q32, 32) == 91);
  uint8_t f[2] = {255, 255}, z[2] = {0, 0};
  CHECK(atlas_conserved_delta(f, z, 2) == 66);
  x = 95, y = 0;
  CHECK(atlas_conserved_delta(&x, &y, 1) == 1);
  x = 0, y = 95;
  CHECK(atlas_conserved_delta(&x, &y, 1) == 95);
  CHECK(atlas_conserved_delta(NULL, z, 2) == 0 && atlas_get_last_error() == ATLAS_E_INVALID);
  static const size_t lens[] = {0, 1, 96, 256, 512, 12288};
  static uint8_t a[12288 + 3], c[12288 + 3];
  for (int round = 0; round < 50; round++) {
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
      size_t n = lens[k];
      for (size_t i = 0; i < n + 3; i++) a[i] = (uint8_t)rnd(), c[i] = (uint8_t)rnd();
      uint8_t d = atlas_conserved_delta(a + 3, c + 1, n);
      CHECK(d < 96 && (sum_of(a + 3, n) + d) % 96 == sum_of(c + 1, n) % 96);
      CHECK(atlas_conserved_sum(a + round % 3, n) == sum_of(a + round % 3, n) % 96);
    }
  }
  atlas_conserved_state s = {0, 0};
  uint8_t chunk[16];
  memset(chunk, 7, 16);
  static const uint8_t expected[] = {16, 32, 48, 64, 80, 0};
  for (int i = 0; i < 6; i++) CHECK(atlas_conserved_update(&s, chunk, 16) == ATLAS_OK && s.residue == expected[i]);
  CHECK(s.bytes == 96);
  s.residue = 96;
  CHECK(atlas_conserved_update(&s, chunk, 16) == ATLAS_E_INVALID);
}

static void test_memset_memcpy(void) {
  static uint8_t buf[401];
  int ok = 1;
  for (int val = 0; val < 256; val++) {
    for (size_t len = 0; len < 400; len++) {
      memset(buf, 0x5a, sizeof buf);
      atlas_conserved_memset(buf, len, (uint8_t)val);
      ok &= sum_of(buf, len) % 96 == 0 && buf[len] == 0x5a;
      for (size_t i = 0; i + 1 < len; i++) ok &= buf[i] == val;
    }
  }
  CHECK(ok);
  uint8_t two[2];
  atlas_conserved_memset(two, 2, 200);
  CHECK(two[0] == 200 && two[1] == 184);
  atlas_conserved_memset(two, 1, 200);
  CHECK(two[0] == 192);
  atlas_conserved_memset(buf, 300, 250);
  CHECK(buf[298] == 250 && buf[299] == 226);
  uint8_t five[5];
  atlas_conserved_memset(five, 5, 7);
  CHECK(five[4] == 68);
  atlas_conserved_memset(five, 3, 255);
  CHECK(five[2] == 162);

  uint8_t src[3] = {1, 2, 3}, dst[64];
  memset(dst, 0xAA, sizeof dst);
  CHECK(atlas_conserved_memcpy(dst, 3, src, 3) == ATLAS_E_CONSERVATION);
  CHECK(dst[0] == 0xAA && dst[1] == 0xAA && dst[2] == 0xAA);
  uint8_t ramp[64];
  for (int i = 0; i < 64; i++) ramp[i] = (uint8_t)i;
  CHECK(atlas_conserved_memcpy(dst, 64, ramp, 64) == ATLAS_OK && memcmp(dst, ramp, 64) == 0);
  CHECK(atlas_conserved_memcpy(dst, 63, ramp, 64) == ATLAS_E_INVALID);
  memcpy(buf, ramp, 64);
  CHECK(atlas_conserved_memcpy(buf + 5, 64, buf, 64) == ATLAS_OK && memcmp(buf + 5, ramp, 64) == 0);
}

static void test_sha256_and_witness(void) {
  CHECK(sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  const char* two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(sha_is(two_blocks, strlen(two_blocks), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  static uint8_t million[1000000];
  memset(million, 'a', sizeof million);
  CHECK(sha_is(million, sizeof million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
  uint8_t ramp[256];
  for (int i = 0; i < 256; i++) ramp[i] = (uint8_t)i;
  CHECK(sha_is(ramp, 256, "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880"));
  static uint8_t zeros[12288];
  CHECK(sha_is(zeros, sizeof zeros, "f3cc103136423a57975750907ebc1d367e2985ac6338976d4d5a439f50323f4a"));
  CHECK(sha_is(ramp, 64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"));
  /* every length across block boundaries: both paths agree */
  static uint8_t msg[300];
  for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)rnd();
  int agree = 1;
  for (size_t n = 0; n <= sizeof msg; n++) {
    uint8_t x[32], y[32];
    atlas_sha256(msg, n, x);
    atlas_sha256_portable(msg, n, y);
    agree &= memcmp(x, y, 32) == 0;
  }
  CHECK(agree);
  uint8_t tampered[64];
  memcpy(tampered, ramp, 64);
  tampered[3] = 35, tampered[35] = 3;
  CHECK(sha_is(tampered, 64, "10ea8a2f8f33d84b2ecd8e3058733e9721f4b2415cbb0ee5dc27f297c18e0b3f"));

  atlas_witness_t* w = atlas_witness_generate(ramp, 64);
  CHECK(w != NULL && atlas_witness_verify(w, ramp, 64));
  CHECK(!atlas_witness_verify(w, tampered, 64) && atlas_get_last_error() == ATLAS_E_WITNESS);
  CHECK(!atlas_witness_verify(w, ramp, 63) && atlas_get_last_error() == ATLAS_E_INVALID);
  uint8_t flipped[64];
  memcpy(flipped, ramp, 64);
  flipped[10] ^= 1;
  CHECK(!atlas_witness_verify(w, flipped, 64) && atlas_get_last_error() == ATLAS_E_WITNESS);
  atlas_witness_t* again = atlas_witness_generate(ramp, 64);
  uint8_t d1[32], d2[32];
  CHECK(atlas_witness_digest(w, d1) == ATLAS_OK && atlas_witness_digest(again, d2) == ATLAS_OK && memcmp(d1, d2, 32) == 0);
  atlas_witness_t* empty = atlas_witness_generate(NULL, 0);
  CHECK(empty != NULL && atlas_witness_verify(empty, NULL, 0));
  CHECK(atlas_witness_generate(NULL, 5) == NULL && atlas_get_last_error() == ATLAS_E_INVALID);
  atlas_witness_destroy(w), atlas_witness_destroy(again), atlas_witness_destroy(empty), atlas_witness_destroy(NULL);
}

static void test_budget_and_domain(void) {
  atlas_domain_t* d = atlas_domain_create(12288, 50);
  uint8_t budget = 0;
  CHECK(d != NULL && atlas_domain_budget(d, &budget) == ATLAS_OK && budget == 50);
  CHECK(atlas_budget_alloc(d, 30) && atlas_domain_budget(d, &budget) == ATLAS_OK && budget == 20);
  CHECK(!atlas_budget_alloc(d, 25) && atlas_get_last_error() == ATLAS_E_BUDGET);
  CHECK(!atlas_budget_release(d, 80) && atlas_get_last_error() == ATLAS_E_BUDGET);
  CHECK(atlas_domain_budget(d, &budget) == ATLAS_OK && budget == 20);
  CHECK(atlas_budget_release(d, 75) && atlas_domain_budget(d, &budget) == ATLAS_OK && budget == 95);
  CHECK(!atlas_budget_alloc(d, 96) && atlas_get_last_error() == ATLAS_E_INVALID);
  CHECK(atlas_budget_alloc(d, 95) && !atlas_budget_alloc(d, 1) && atlas_get_last_error() == ATLAS_E_BUDGET);
  CHECK(atlas_domain_create(12288, 96) == NULL && atlas_get_last_error() == ATLAS_E_INVALID);
  CHECK(atlas_domain_create(0, 1) == NULL && atlas_get_last_error() == ATLAS_E_INVALID);

  static uint8_t page[12288];
  for (size_t i = 0; i < sizeof page; i++) page[i] = (uint8_t)i;
  CHECK(!atlas_domain_verify(d) && atlas_get_last_error() == ATLAS_E_STATE);
  CHECK(atlas_domain_commit(d) == ATLAS_E_STATE);
  CHECK(atlas_domain_attach(d, page, sizeof page) == ATLAS_OK);
  CHECK(atlas_domain_attach(d, page, sizeof page) == ATLAS_E_STATE);
  CHECK(atlas_domain_verify(d));
  page[0] = 96; /* Σ changes by 96: still ≡ 0, but not the attached Σ */
  CHECK(!atlas_domain_verify(d) && atlas_get_last_error() == ATLAS_E_CONSERVATION);
  page[0] = 1;
  CHECK(!atlas_domain_verify(d) && atlas_get_last_error() == ATLAS_E_CONSERVATION);
  page[0] = 0;
  CHECK(atlas_domain_commit(d) == ATLAS_OK);
  int state = -1;
  CHECK(atlas_domain_state(d, &state) == ATLAS_OK && state == 1);
  CHECK(atlas_domain_commit(d) == ATLAS_E_STATE);
  page[3] = 35, page[35] = 3; /* same Σ, different bytes: the bound witness catches it */
  CHECK(!atlas_domain_verify(d) && atlas_get_last_error() == ATLAS_E_WITNESS);
  page[3] = 3, page[35] = 35;
  CHECK(atlas_domain_verify(d));
  atlas_domain_destroy(d);
  CHECK(!atlas_domain_verify(d) && atlas_get_last_error() == ATLAS_E_DESTROYED);
  CHECK(!atlas_budget_alloc(d, 1) && atlas_get_last_error() == ATLAS_E_DESTROYED);
  CHECK(atlas_domain_commit(d) == ATLAS_E_DESTROYED);
  atlas_domain_destroy(d);
  atlas_domain_destroy(NULL);
}

static void test_shared_table(void) {
  size_t bytes = atlas_domain_table_bytes(4);
  int32_t* table = calloc(1, bytes);
  CHECK(atlas_domain_table_init(table, bytes, 4) == ATLAS_OK);
  CHECK(table[0] == 0x324c5441 && table[2] == 4 && table[3] == 32);
  atlas_domain_t* ds[5];
  for (int i = 0; i < 4; i++) CHECK((ds[i] = atlas_domain_create_in(table, 12288, (uint8_t)i)) != NULL);
  CHECK(atlas_domain_create_in(table, 12288, 1) == NULL && atlas_get_last_error() == ATLAS_E_MEMORY);
  CHECK(table[5] == 4); /* LIVE */
  uint32_t slot;
  int32_t gen;
  CHECK(atlas_domain_slot(ds[2], &slot, &gen) == ATLAS_OK);
  atlas_domain_t* other = atlas_domain_open(table, slot, gen);
  CHECK(other != NULL && atlas_budget_release(other, 5));
  uint8_t budget;
  CHECK(atlas_domain_budget(ds[2], &budget) == ATLAS_OK && budget == 7);
  CHECK(table[16 + slot * 32 + 3] == 7); /* BUDGET word, where JS Atomics read it */
  atlas_domain_destroy(ds[2]);
  CHECK(!atlas_budget_alloc(other, 1) && atlas_get_last_error() == ATLAS_E_DESTROYED);
  CHECK(atlas_domain_open(table, slot, gen) == NULL && atlas_get_last_error() == ATLAS_E_DESTROYED);
  CHECK((ds[4] = atlas_domain_create_in(table, 12288, 9)) != NULL);
  CHECK(atlas_domain_slot(ds[4], &slot, &gen) == ATLAS_OK && gen == 2); /* the freed slot, next generation */
  CHECK(!atlas_budget_alloc(other, 1) && atlas_get_last_error() == ATLAS_E_DESTROYED);
  for (int i = 0; i < 5; i++) atlas_domain_destroy(ds[i]);
  atlas_domain_destroy(other);
  CHECK(table[5] == 0);
  free(table);
}

static void test_scheduler(void) {
  static const struct { uint64_t now; uint8_t r; uint64_t next; } table[] = {
      {0, 0, 0}, {0, 1, 95}, {1, 0, 96}, {95, 1, 95}, {100, 5, 187},
      {4294967295u, 0, 4294967328u}, {4294967296u, 0, 4294967328u}, {4294967296u, 95, 4294967329u}, {4294967327u, 1, 4294967327u},
      {9007199254740991u, 0, 9007199254741056u}, {18446744073709551520u, 0, 18446744073709551552u},
      {18446744073709551615u, 33, 18446744073709551615u}};
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    uint64_t next = 1;
    CHECK(atlas_next_harmonic_window_checked(table[i].now, table[i].r, &next) == ATLAS_OK && next == table[i].next);
    CHECK(atlas_next_harmonic_window_from(table[i].now, table[i].r) == table[i].next);
  }
  uint64_t next;
  CHECK(atlas_next_harmonic_window_checked(18446744073709551615u, 0, &next) == ATLAS_E_INVALID);
  CHECK(atlas_next_harmonic_window_checked(5, 96, &next) == ATLAS_E_INVALID);
  CHECK(atlas_next_harmonic_window(1) == 95);
  for (int i = 0; i < 10000; i++) {
    uint64_t now = rnd() >> (rnd() % 64);
    uint8_t r = (uint8_t)(rnd() % 96);
    if (atlas_next_harmonic_window_checked(now, r, &next) == ATLAS_OK) CHECK(next >= now && next - now < 96 && (next % 96 + r) % 96 == 0);
  }
}

static int cluster_valid(const atlas_cluster_view* v, const uint8_t* base) {
  if (v->offsets[0] != 0 || v->offsets[96] != v->n) return 0;
  for (int c = 0; c < 96; c++) {
    if (v->offsets[c] > v->offsets[c + 1]) return 0;
    for (uint32_t k = v->offsets[c]; k < v->offsets[c + 1]; k++) {
      if (v->indices[k] >= v->n || base[v->indices[k]] % 96 != c) return 0;
      if (k > v->offsets[c] && v->indices[k - 1] >= v->indices[k]) return 0;
    }
  }
  return 1;
}

static void test_cluster(void) {
  uint8_t ramp[256];
  for (int i = 0; i < 256; i++) ramp[i] = (uint8_t)i;
  atlas_cluster_view v = atlas_cluster_by_resonance(ramp, 1);
  CHECK(v.n == 256 && v.offsets[1] == 3 && v.offsets[63] == 189 && v.offsets[64] == 192 && v.offsets[65] == 194 && v.offsets[95] == 254 && v.offsets[96] == 256);
  CHECK(v.indices[0] == 0 && v.indices[1] == 96 && v.indices[2] == 192 && v.indices[v.offsets[95]] == 95 && v.indices[v.offsets[95] + 1] == 191);
  atlas_cluster_destroy(&v);
  CHECK(v.offsets == NULL && v.n == 0);
  atlas_cluster_destroy(&v);
  atlas_cluster_destroy(NULL);
  static uint8_t pages[48 * 256];
  for (int round = 0; round < 20; round++) {
    for (size_t i = 0; i < sizeof pages; i++) pages[i] = (uint8_t)(rnd() % (round + 1 < 16 ? 16 * (round + 1) : 256));
    atlas_cluster_view r = atlas_cluster_by_resonance(pages, 48);
    CHECK(r.n == 48 * 256 && cluster_valid(&r, pages));
    atlas_cluster_destroy(&r);
  }
  atlas_cluster_view bad = atlas_cluster_by_resonance(ramp, 0);
  CHECK(bad.offsets == NULL && atlas_get_last_error() == ATLAS_E_INVALID);
}

enum { THREADS = 1000 };
static pthread_barrier_t barrier;
static atlas_domain_t* contended;
static atlas_domain_t* racing[10];
static int out_of_range, commit_ok, commit_state, commit_other;

static void* budget_worker(void* arg) {
  (void)arg;
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < 100; i++) {
    bool took = atlas_budget_alloc(contended, 1);
    uint8_t b = 0;
    if (atlas_domain_budget(contended, &b) != ATLAS_OK || b > 95) __atomic_fetch_add(&out_of_range, 1, __ATOMIC_RELAXED);
    if (took && !atlas_budget_release(contended, 1)) __atomic_fetch_add(&out_of_range, 1, __ATOMIC_RELAXED);
  }
  return NULL;
}

static void* commit_worker(void* arg) {
  atlas_domain_t* d = racing[(size_t)arg % 10];
  pthread_barrier_wait(&barrier);
  int code = atlas_domain_commit(d);
  __atomic_fetch_add(code == ATLAS_OK ? &commit_ok : code == ATLAS_E_STATE ? &commit_state : &commit_other, 1, __ATOMIC_RELAXED);
  return NULL;
}

static void run_threads(void* (*fn)(void*)) {
  pthread_t threads[THREADS];
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_barrier_init(&barrier, NULL, THREADS);
  int started = 0;
  for (size_t i = 0; i < THREADS; i++) started += pthread_create(&threads[i], &attr, fn, (void*)i) == 0;
  CHECK(started == THREADS);
  for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&barrier);
  pthread_attr_destroy(&attr);
}

static void test_races(void) {
  contended = atlas_domain_create(12288, 50);
  run_threads(budget_worker);
  uint8_t b = 0;
  CHECK(atlas_domain_budget(contended, &b) == ATLAS_OK && b == 50);
  CHECK(out_of_range == 0);
  atlas_domain_destroy(contended);

  static uint8_t data[10][256];
  for (int d = 0; d < 10; d++) {
    for (int i = 0; i < 256; i++) data[d][i] = (uint8_t)i;
    racing[d] = atlas_domain_create(256, 10);
    CHECK(atlas_domain_attach(racing[d], data[d], 256) == ATLAS_OK);
  }
  run_threads(commit_worker);
  CHECK(commit_ok == 10 && commit_state == THREADS - 10 && commit_other == 0);
  for (int d = 0; d < 10; d++) atlas_domain_destroy(racing[d]);
}

int main(void) {
  test_errors_and_version();
  test_r96();
  test_sum_delta_stream();
  test_memset_memcpy();
  test_sha256_and_witness();
  test_budget_and_domain();
  test_shared_table();
  test_scheduler();
  test_cluster();
  test_races();
  printf("libatlas: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
