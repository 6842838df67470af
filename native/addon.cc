// The native kernel backend: synchronous N-API calls over zero-copy TypedArray views (SharedArrayBuffer-backed
// views included, which is why nothing is typed as Napi::ArrayBuffer). src/kernels/ validates arguments; the
// checks here only keep a bad call from touching memory it does not own.
#include <napi.h>

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

Napi::Value Harmonizes(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), atlas_k_harmonizes(u32(info, 0), u32(info, 1)) != 0);
}

Napi::Value Variant(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), atlas_k_variant()); }

Napi::Value Select(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) return Napi::Boolean::New(info.Env(), false);
  return Napi::Boolean::New(info.Env(), atlas_k_select(info[0].As<Napi::String>().Utf8Value().c_str()) == 0);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("byteSum", Napi::Function::New(env, ByteSum));
  exports.Set("update", Napi::Function::New(env, Update));
  exports.Set("delta", Napi::Function::New(env, Delta));
  exports.Set("memset", Napi::Function::New(env, Memset));
  exports.Set("memcpy", Napi::Function::New(env, Memcpy));
  exports.Set("classify", Napi::Function::New(env, Classify));
  exports.Set("histogramPages", Napi::Function::New(env, HistogramPages));
  exports.Set("harmonizes", Napi::Function::New(env, Harmonizes));
  exports.Set("variant", Napi::Function::New(env, Variant));
  exports.Set("select", Napi::Function::New(env, Select));
  return exports;
}

}  // namespace

NODE_API_MODULE(atlas_kernels, Init)
