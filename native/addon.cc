// The native kernel backend: synchronous N-API calls over zero-copy TypedArray views (SharedArrayBuffer-backed
// views included, which is why nothing is typed as Napi::ArrayBuffer). src/kernels/ validates arguments; the
// checks here only keep a bad call from touching memory it does not own.
#include <napi.h>

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
    {"tableBudgetAlloc", TableBudgetAlloc},
    {"tableBudgetRelease", TableBudgetRelease},
    {"variant", Variant},
    {"select", Select},
  };
  for (const auto& f : functions) exports.Set(f.name, Napi::Function::New(env, f.fn, f.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(atlas_kernels, Init)
