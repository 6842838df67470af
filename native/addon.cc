// The native kernel backend: synchronous N-API calls over zero-copy TypedArray views (SharedArrayBuffer-backed
// views included, which is why nothing is typed as Napi::ArrayBuffer). src/kernels/ validates arguments; the
// checks here only keep a bad call from touching memory it does not own.
#include <napi.h>
#ifdef __linux__
#include <sched.h>
#endif

#include "atlas.h"
#include "c/internal.h"
#include "kernels/kernels.h"

namespace {

// napi_get_typedarray_info gives the data pointer (offset applied) for views of ArrayBuffers and SharedArrayBuffers
// alike; going through the view's ArrayBuffer would fail for a SAB.
template <typename T>
bool view(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, T** data, size_t* length) {
  napi_typedarray_type actual;
  void* raw = nullptr;
  if (info.Length() <= i || !info[i].IsTypedArray() ||
      napi_get_typedarray_info(info.Env(), info[i], &actual, length, &raw, nullptr, nullptr) != napi_ok || actual != type) {
    Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " has the wrong typed-array type").ThrowAsJavaScriptException();
    return false;
  }
  *data = static_cast<T*>(raw);
  return true;
}

bool bytes(const Napi::CallbackInfo& info, size_t i, uint8_t** data, size_t* length) {
  return view(info, i, napi_uint8_array, data, length);
}

uint32_t u32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Uint32Value(); }

Napi::Value ByteSum(const Napi::CallbackInfo& info) {
  uint8_t* p; size_t n;
  if (!bytes(info, 0, &p, &n)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(atlas_k_byte_sum(p, n)));
}

Napi::Value Update(const Napi::CallbackInfo& info) {
  uint8_t* p; size_t n;
  if (!bytes(info, 1, &p, &n)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), atlas_k_update(u32(info, 0), p, n));
}

Napi::Value Delta(const Napi::CallbackInfo& info) {
  uint8_t *a, *b; size_t na, nb;
  if (!bytes(info, 0, &a, &na) || !bytes(info, 1, &b, &nb)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), atlas_k_delta(a, b, na < nb ? na : nb));
}

Napi::Value Memset(const Napi::CallbackInfo& info) {
  uint8_t* p; size_t n;
  if (!bytes(info, 0, &p, &n)) return info.Env().Undefined();
  atlas_k_memset(p, n, static_cast<uint8_t>(u32(info, 1)));
  return info.Env().Undefined();
}

Napi::Value Memcpy(const Napi::CallbackInfo& info) {
  uint8_t *dst, *src; size_t nd, ns;
  if (!bytes(info, 0, &dst, &nd) || !bytes(info, 1, &src, &ns)) return info.Env().Undefined();
  if (nd < ns) {
    Napi::RangeError::New(info.Env(), "dst is shorter than src").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), atlas_k_memcpy(dst, src, ns));
}

Napi::Value Classify(const Napi::CallbackInfo& info) {
  uint8_t *in, *out; size_t ni, no;
  if (!bytes(info, 0, &in, &ni) || !bytes(info, 1, &out, &no)) return info.Env().Undefined();
  atlas_k_classify(in, out, ni < no ? ni : no);
  return info.Env().Undefined();
}

Napi::Value HistogramPages(const Napi::CallbackInfo& info) {
  uint8_t* in; uint16_t* out; size_t ni, no;
  if (!bytes(info, 0, &in, &ni) || !view(info, 1, napi_uint16_array, &out, &no)) return info.Env().Undefined();
  size_t pages = ni / 256;
  if (no / 96 < pages) pages = no / 96;
  atlas_k_histogram_pages(in, out, pages);
  return info.Env().Undefined();
}

// (base, offsets: Uint32Array(97), indices: Uint32Array(n)): CSR by class of the first n bytes of base.
Napi::Value Cluster(const Napi::CallbackInfo& info) {
  uint8_t* base; uint32_t *offsets, *indices; size_t nb, no, ni;
  if (!bytes(info, 0, &base, &nb) || !view(info, 1, napi_uint32_array, &offsets, &no) || !view(info, 2, napi_uint32_array, &indices, &ni)) {
    return info.Env().Undefined();
  }
  if (no < 97 || ni > nb) {
    Napi::RangeError::New(info.Env(), "offsets needs 97 counters and base at least indices.length bytes").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::Number::New(info.Env(), atlas_cluster_fill(base, ni, offsets, indices));
}

// (block, parity: Uint8Array(1792)): RS(255,223) parity of a block of at most 12,488 bytes into parity.
Napi::Value EccParity(const Napi::CallbackInfo& info) {
  uint8_t *block, *parity; size_t nb, np;
  if (!bytes(info, 0, &block, &nb) || !bytes(info, 1, &parity, &np)) return info.Env().Undefined();
  if (nb > 223 * 56 || np != 32 * 56) {
    Napi::RangeError::New(info.Env(), "block holds at most 12488 bytes and parity exactly 1792").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  atlas_k_rs_parity(block, nb, parity);
  return info.Env().Undefined();
}

// The phase-pair kernels: (key: Uint32Array(4), [value: Uint32Array(4)], dimension, from, to, ...views from bin `from`).
bool seed(const Napi::CallbackInfo& info, size_t i, uint32_t** words) {
  size_t n;
  if (!view(info, i, napi_uint32_array, words, &n)) return false;
  if (n == 4) return true;
  Napi::RangeError::New(info.Env(), "a code seed is 4 words").ThrowAsJavaScriptException();
  return false;
}

template <typename T>
bool bins(const Napi::CallbackInfo& info, size_t at, napi_typedarray_type type, uint32_t dimension, uint32_t from, uint32_t to, T** re, T** im) {
  size_t nr, ni;
  if (!view(info, at, type, re, &nr) || !view(info, at + 1, type, im, &ni)) return false;
  if (dimension < 2 || (dimension & (dimension - 1)) != 0 || from > to || to > dimension / 2 + 1 || nr < to - from || ni < to - from) {
    Napi::RangeError::New(info.Env(), "bad dimension, bin range or view length").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

Napi::Value BindPhasePair(const Napi::CallbackInfo& info) {
  uint32_t *key, *value; float *re, *im;
  const uint32_t d = u32(info, 2), from = u32(info, 3), to = u32(info, 4);
  if (!seed(info, 0, &key) || !seed(info, 1, &value) || !bins(info, 6, napi_float32_array, d, from, to, &re, &im)) return info.Env().Undefined();
  atlas_k_bind_phase_pair(key, value, d, from, to, info[5].As<Napi::Number>().DoubleValue(), re, im);
  return info.Env().Undefined();
}

Napi::Value PhasePairDot(const Napi::CallbackInfo& info) {
  uint32_t *key, *value; float *re, *im;
  const uint32_t d = u32(info, 2), from = u32(info, 3), to = u32(info, 4);
  if (!seed(info, 0, &key) || !seed(info, 1, &value) || !bins(info, 5, napi_float32_array, d, from, to, &re, &im)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), atlas_k_phase_pair_dot(key, value, d, from, to, re, im));
}

Napi::Value PhaseCodeDotF32(const Napi::CallbackInfo& info) {
  uint32_t* key; float *re, *im;
  const uint32_t d = u32(info, 1), from = u32(info, 2), to = u32(info, 3);
  if (!seed(info, 0, &key) || !bins(info, 4, napi_float32_array, d, from, to, &re, &im)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), atlas_k_phase_code_dot_f32(key, d, from, to, re, im));
}

Napi::Value PhaseCodeRange(const Napi::CallbackInfo& info) {
  uint32_t* key; double *re, *im;
  const uint32_t d = u32(info, 1), from = u32(info, 2), to = u32(info, 3);
  if (!seed(info, 0, &key) || !bins(info, 4, napi_float64_array, d, from, to, &re, &im)) return info.Env().Undefined();
  atlas_k_phase_code(key, d, from, to, re, im);
  return info.Env().Undefined();
}

Napi::Value Harmonizes(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), atlas_k_harmonizes(u32(info, 0), u32(info, 1)) != 0);
}

// Budget alloc/release by libatlas (C atomics) on a slot of a JS DomainTable: the shared layout in action.
// Arguments: (table: Int32Array over the table's SharedArrayBuffer, slot, generation, amt); returns an ErrorCode.
Napi::Value TableBudget(const Napi::CallbackInfo& info, bool release) {
  int32_t* words; size_t n;
  if (!view(info, 0, napi_int32_array, &words, &n)) return info.Env().Undefined();
  if (n < ATLAS_TABLE_HEADER_WORDS || n < atlas_domain_table_bytes(static_cast<uint32_t>(words[2])) / 4) {
    return Napi::Number::New(info.Env(), ATLAS_E_INVALID);
  }
  atlas_domain_t* d = atlas_domain_open(words, u32(info, 1), info[2].As<Napi::Number>().Int32Value());
  if (d == nullptr) return Napi::Number::New(info.Env(), atlas_get_last_error());
  uint32_t amt = u32(info, 3);
  uint8_t a = amt > 255 ? 255 : static_cast<uint8_t>(amt);
  if (release) atlas_budget_release(d, a); else atlas_budget_alloc(d, a);
  atlas_error_t code = atlas_get_last_error();
  atlas_domain_close(d);
  return Napi::Number::New(info.Env(), code);
}

Napi::Value TableBudgetAlloc(const Napi::CallbackInfo& info) { return TableBudget(info, false); }
Napi::Value TableBudgetRelease(const Napi::CallbackInfo& info) { return TableBudget(info, true); }

Napi::Value Variant(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), atlas_k_variant()); }

Napi::Value Select(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), atlas_k_select(info[0].As<Napi::String>().Utf8Value().c_str()) == 0);
}

// Moves the calling thread to SCHED_IDLE (Linux; no privilege needed): the store's binder threads then run only on a
// CPU no other thread wants, and any thread that wakes there preempts them at once. Nice 19 alone still left them a
// share and a slice to finish: batched stores/s were 10 % lower in an A/B of the two (docs/benchmarks/holo.md,
// 2026-12-06).
Napi::Value IdleThread(const Napi::CallbackInfo& info) {
#ifdef __linux__
  const struct sched_param param = {};
  return Napi::Boolean::New(info.Env(), sched_setscheduler(0, SCHED_IDLE, &param) == 0);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static const struct {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  } functions[] = {
    {"byteSum", ByteSum},
    {"update", Update},
    {"delta", Delta},
    {"memset", Memset},
    {"memcpy", Memcpy},
    {"classify", Classify},
    {"histogramPages", HistogramPages},
    {"cluster", Cluster},
    {"harmonizes", Harmonizes},
    {"eccParity", EccParity},
    {"bindPhasePair", BindPhasePair},
    {"phasePairDot", PhasePairDot},
    {"phaseCodeDotF32", PhaseCodeDotF32},
    {"phaseCodeRange", PhaseCodeRange},
    {"tableBudgetAlloc", TableBudgetAlloc},
    {"tableBudgetRelease", TableBudgetRelease},
    {"variant", Variant},
    {"select", Select},
    {"idleThread", IdleThread},
  };
  for (const auto& f : functions) exports.Set(f.name, Napi::Function::New(env, f.fn, f.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(atlas_kernels, Init)
