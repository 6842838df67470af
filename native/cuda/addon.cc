// N-API surface of the CUDA backend: device probing plus two tables with the same functions, `cuda` (kernels.cu)
// and `emulated` (emulate.cc). src/gpu/ validates arguments; the length checks here only keep a bad call from
// touching memory it does not own. Static cudart: this loads on a host with no driver, where deviceCount() is 0.
#include <napi.h>

#include <string>

#include "holo_gpu.h"

namespace {

struct Api {
  decltype(&atlas_cuda_fft) fft;
  decltype(&atlas_cuda_rfft) rfft;
  decltype(&atlas_cuda_irfft) irfft;
  decltype(&atlas_cuda_bind_content) bind_content;
  decltype(&atlas_cuda_bind_spectra) bind_spectra;
  decltype(&atlas_cuda_unbind) unbind;
  decltype(&atlas_cuda_scores) scores;
  decltype(&atlas_cuda_code_phases) code_phases;
};

const Api kCuda{atlas_cuda_fft, atlas_cuda_rfft, atlas_cuda_irfft, atlas_cuda_bind_content,
                atlas_cuda_bind_spectra, atlas_cuda_unbind, atlas_cuda_scores, atlas_cuda_code_phases};
const Api kEmulated{atlas_emu_fft, atlas_emu_rfft, atlas_emu_irfft, atlas_emu_bind_content,
                    atlas_emu_bind_spectra, atlas_emu_unbind, atlas_emu_scores, atlas_emu_code_phases};

Napi::Value mismatch(const Napi::CallbackInfo& info, const char* why) {
  Napi::TypeError::New(info.Env(), why).ThrowAsJavaScriptException();
  return info.Env().Undefined();
}

class Args {
 public:
  explicit Args(const Napi::CallbackInfo& info) : info_(info) {}
  bool ok() const { return ok_; }

  template <typename T>
  T* array(size_t i, napi_typedarray_type type, size_t need) {
    napi_typedarray_type actual;
    size_t length = 0;
    void* data = nullptr;
    if (!ok_) return nullptr;
    if (info_.Length() <= i || !info_[i].IsTypedArray() ||
        napi_get_typedarray_info(info_.Env(), info_[i], &actual, &length, &data, nullptr, nullptr) != napi_ok ||
        actual != type || length < need) {
      return fail(i, "has the wrong typed-array type or is shorter than " + std::to_string(need)), nullptr;
    }
    return static_cast<T*>(data);
  }
  double* f64(size_t i, size_t need) { return array<double>(i, napi_float64_array, need); }

  // A field component: Float64Array or Float32Array of `need` bins; *f32 tells which.
  void* field(size_t i, size_t need, int* f32) {
    if (!ok_) return nullptr;
    *f32 = info_.Length() > i && info_[i].IsTypedArray() &&
           info_[i].As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
    return *f32 ? static_cast<void*>(array<float>(i, napi_float32_array, need))
                : static_cast<void*>(array<double>(i, napi_float64_array, need));
  }

  uint32_t u32(size_t i) {
    if (ok_ && (info_.Length() <= i || !info_[i].IsNumber())) fail(i, "must be a number");
    return ok_ ? info_[i].As<Napi::Number>().Uint32Value() : 0;
  }
  double number(size_t i) {
    if (ok_ && (info_.Length() <= i || !info_[i].IsNumber())) fail(i, "must be a number");
    return ok_ ? info_[i].As<Napi::Number>().DoubleValue() : 0;
  }

  // true on success, false for an all-zero clean-up candidate; a CUDA error throws, carrying it in .cudaError.
  Napi::Value result(int status) {
    Napi::Env env = info_.Env();
    if (!ok_) return env.Undefined();
    if (status == kZeroCandidate) return Napi::Boolean::New(env, false);
    if (status != 0) {
      Napi::Error err = Napi::Error::New(env, std::string("CUDA error: ") + atlas_cuda_error_string(status));
      err.Set("cudaError", Napi::Number::New(env, status));
      err.ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Boolean::New(env, true);
  }

 private:
  void fail(size_t i, const std::string& why) {
    ok_ = false;
    Napi::TypeError::New(info_.Env(), "argument " + std::to_string(i) + " " + why).ThrowAsJavaScriptException();
  }
  const Napi::CallbackInfo& info_;
  bool ok_ = true;
};

template <const Api& api>
Napi::Object table(Napi::Env env) {
  Napi::Object t = Napi::Object::New(env);
  t.Set("fft", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    uint32_t n = a.u32(2), batch = a.u32(3);
    double *re = a.f64(0, size_t(n) * batch), *im = a.f64(1, size_t(n) * batch);
    double *tr = a.f64(4, n / 2), *ti = a.f64(5, n / 2);
    uint32_t inverse = a.u32(6);
    double scale = a.number(7);
    return a.result(a.ok() ? api.fft(re, im, n, batch, tr, ti, int(inverse), scale) : 0);
  }));
  t.Set("rfft", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    uint32_t d = a.u32(1), batch = a.u32(2);
    double* x = a.f64(0, size_t(d) * batch);
    double *tr = a.f64(3, d / 2), *ti = a.f64(4, d / 2);
    double scale = a.number(5);
    double *ore = a.f64(6, size_t(d / 2 + 1) * batch), *oim = a.f64(7, size_t(d / 2 + 1) * batch);
    return a.result(a.ok() ? api.rfft(x, d, batch, tr, ti, scale, ore, oim) : 0);
  }));
  t.Set("irfft", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    uint32_t d = a.u32(2), batch = a.u32(3);
    double *re = a.f64(0, size_t(d / 2 + 1) * batch), *im = a.f64(1, size_t(d / 2 + 1) * batch);
    double *tr = a.f64(4, d / 2), *ti = a.f64(5, d / 2);
    double scale = a.number(6);
    double* out = a.f64(7, size_t(d) * batch);
    return a.result(a.ok() ? api.irfft(re, im, d, batch, tr, ti, scale, out) : 0);
  }));
  t.Set("bindContent", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    int f32 = 0, f32b = 0;
    uint32_t d = a.u32(2), stride = a.u32(5), batch = a.u32(6), bins = d / 2 + 1;
    void *fr = a.field(0, bins, &f32), *fi = a.field(1, bins, &f32b);
    uint8_t* bytes = a.array<uint8_t>(3, napi_uint8_array, size_t(stride) * batch);
    uint32_t* lengths = a.array<uint32_t>(4, napi_uint32_array, batch);
    double *kr = a.f64(7, size_t(bins) * batch), *ki = a.f64(8, size_t(bins) * batch), *amps = a.f64(9, batch);
    double *tr = a.f64(10, d / 2), *ti = a.f64(11, d / 2);
    double scale = a.number(12);
    for (uint32_t j = 0; a.ok() && j < batch; j++)
      if (lengths[j] > stride || lengths[j] > d) return mismatch(info, "a content length exceeds its row or D");
    if (f32 != f32b) return mismatch(info, "field components differ in type");
    return a.result(a.ok() ? api.bind_content(fr, fi, f32, d, bytes, lengths, stride, batch, kr, ki, amps, tr, ti, scale) : 0);
  }));
  t.Set("bindSpectra", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    int f32 = 0, f32b = 0;
    uint32_t bins = a.u32(2), batch = a.u32(3);
    size_t rows = size_t(bins) * batch;
    void *fr = a.field(0, bins, &f32), *fi = a.field(1, bins, &f32b);
    double *kr = a.f64(4, rows), *ki = a.f64(5, rows), *xr = a.f64(6, rows), *xi = a.f64(7, rows), *amps = a.f64(8, batch);
    if (f32 != f32b) return mismatch(info, "field components differ in type");
    return a.result(a.ok() ? api.bind_spectra(fr, fi, f32, bins, batch, kr, ki, xr, xi, amps) : 0);
  }));
  t.Set("unbind", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    int f32 = 0, f32b = 0;
    uint32_t bins = a.u32(2), batch = a.u32(3);
    size_t rows = size_t(bins) * batch;
    void *fr = a.field(0, bins, &f32), *fi = a.field(1, bins, &f32b);
    double *kr = a.f64(4, rows), *ki = a.f64(5, rows), *amps = a.f64(6, batch), *ore = a.f64(7, rows), *oim = a.f64(8, rows);
    if (f32 != f32b) return mismatch(info, "field components differ in type");
    return a.result(a.ok() ? api.unbind(fr, fi, f32, bins, batch, kr, ki, amps, ore, oim) : 0);
  }));
  t.Set("scores", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    int f32 = 0, f32b = 0;
    uint32_t bins = a.u32(2), probes = a.u32(3), cands = a.u32(7);
    void *fr = a.field(0, bins, &f32), *fi = a.field(1, bins, &f32b);
    double *kr = a.f64(4, size_t(bins) * probes), *ki = a.f64(5, size_t(bins) * probes), *amps = a.f64(6, probes);
    double *cr = a.f64(8, size_t(bins) * cands), *ci = a.f64(9, size_t(bins) * cands);
    double* out = a.f64(10, size_t(probes) * cands);
    if (f32 != f32b) return mismatch(info, "field components differ in type");
    return a.result(a.ok() && bins >= 2 ? api.scores(fr, fi, f32, bins, probes, kr, ki, amps, cands, cr, ci, out) : 0);
  }));
  t.Set("codePhases", Napi::Function::New(env, [](const Napi::CallbackInfo& info) -> Napi::Value {
    Args a(info);
    uint32_t d = a.u32(1), count = a.u32(2);
    uint64_t* seeds = a.array<uint64_t>(0, napi_biguint64_array, size_t(count) * 2);
    double* theta = a.f64(3, size_t(d / 2 + 1) * count);
    return a.result(a.ok() ? api.code_phases(seeds, d, count, theta) : 0);
  }));
  return t;
}

Napi::Value DeviceCount(const Napi::CallbackInfo& info) {
  int error = 0;
  int count = atlas_cuda_device_count(&error);
  Napi::Object r = Napi::Object::New(info.Env());
  r.Set("count", count);
  r.Set("error", error);
  r.Set("message", atlas_cuda_error_string(error));
  return r;
}

Napi::Value DeviceName(const Napi::CallbackInfo& info) {
  char name[256];
  atlas_cuda_device_name(name, sizeof name);
  return Napi::String::New(info.Env(), name);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("deviceCount", Napi::Function::New(env, DeviceCount));
  exports.Set("deviceName", Napi::Function::New(env, DeviceName));
  exports.Set("cuda", table<kCuda>(env));
  exports.Set("emulated", table<kEmulated>(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(atlas_cuda, Init)
