// CUDA kernels of the holographic heavy path. Each kernel applies one holo_math.h function per element (grid-stride),
// one launch per FFT stage, so results match src/holo bit for bit under -fmad=false (see docs/gpu.md).
// Launchers copy host rows in, run on the default stream and copy results out; device scratch is cached per thread.
#include <cuda_runtime.h>

#include <cstring>
#include <vector>

#include "holo_gpu.h"
#include "holo_math.h"

namespace {

constexpr int kThreads = 256;

int blocks_for(size_t total) {
  size_t b = (total + kThreads - 1) / kThreads;
  return static_cast<int>(b < 65535 * 16 ? (b == 0 ? 1 : b) : 65535 * 16);
}

#define GRID_STRIDE(i, total) \
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < (total); i += size_t(gridDim.x) * blockDim.x)

__global__ void k_bitrev(double* re, double* im, uint32_t n, int lg, uint32_t batch) {
  GRID_STRIDE(i, size_t(batch) * n) holo::bitrev_swap(re + i / n * n, im + i / n * n, uint32_t(i % n), lg);
}

__global__ void k_first(double* re, double* im, uint32_t n, uint32_t batch) {
  uint32_t h = n / 2;
  GRID_STRIDE(i, size_t(batch) * h) holo::first_stage(re + i / h * n, im + i / h * n, uint32_t(i % h));
}

__global__ void k_stage(double* re, double* im, uint32_t n, uint32_t len, uint32_t stride, const double* tw_re,
                        const double* tw_im, bool inverse, uint32_t batch) {
  uint32_t h = n / 2;
  GRID_STRIDE(i, size_t(batch) * h)
  holo::stage_butterfly(re + i / h * n, im + i / h * n, n, len, stride, uint32_t(i % h), tw_re, tw_im, inverse);
}

__global__ void k_scale(double* re, double* im, size_t total, double s) {
  GRID_STRIDE(i, total) {
    re[i] = re[i] * s;
    im[i] = im[i] * s;
  }
}

__global__ void k_pack_real(const double* x, double* zr, double* zi, uint32_t m, uint32_t batch) {
  GRID_STRIDE(i, size_t(batch) * m) {
    zr[i] = x[2 * i];
    zi[i] = x[2 * i + 1];
  }
}

__global__ void k_pack_bytes(const uint8_t* bytes, const uint32_t* lengths, uint32_t stride, double* zr, double* zi,
                             uint32_t m, uint32_t batch) {
  GRID_STRIDE(i, size_t(batch) * m) {
    size_t b = i / m;
    uint32_t n = uint32_t(i % m), len = lengths[b];
    const uint8_t* row = bytes + b * stride;
    zr[i] = 2 * n < len ? holo::centre(row[2 * n]) : 0.0;
    zi[i] = 2 * n + 1 < len ? holo::centre(row[2 * n + 1]) : 0.0;
  }
}

__global__ void k_rfft_post(const double* zr, const double* zi, uint32_t m, const double* tw_re, const double* tw_im,
                            double s, double* out_re, double* out_im, uint32_t batch) {
  uint32_t bins = m + 1;
  GRID_STRIDE(i, size_t(batch) * bins) {
    size_t b = i / bins;
    holo::rfft_bin(zr + b * m, zi + b * m, m, uint32_t(i % bins), tw_re, tw_im, s, out_re + b * bins, out_im + b * bins);
  }
}

__global__ void k_irfft_pre(const double* re, const double* im, uint32_t m, const double* tw_re, const double* tw_im,
                            double* zr, double* zi, uint32_t batch) {
  GRID_STRIDE(i, size_t(batch) * m) {
    size_t b = i / m;
    holo::irfft_bin(re + b * (m + 1), im + b * (m + 1), m, uint32_t(i % m), tw_re, tw_im, zr + b * m, zi + b * m);
  }
}

__global__ void k_unpack_real(const double* zr, const double* zi, size_t total, double s, double* x) {
  GRID_STRIDE(i, total) {
    x[2 * i] = zr[i] * s;
    x[2 * i + 1] = zi[i] * s;
  }
}

// One thread per bin, items in order: the same addition sequence as repeated HoloField.superpose.
template <typename T>
__global__ void k_bind(T* f_re, T* f_im, uint32_t bins, uint32_t batch, const double* key_re, const double* key_im,
                       const double* item_re, const double* item_im, const double* amps) {
  GRID_STRIDE(k, bins) {
    for (uint32_t j = 0; j < batch; j++) {
      size_t o = size_t(j) * bins + k;
      holo::bind_bin(f_re, f_im, uint32_t(k), key_re[o], key_im[o], item_re[o], item_im[o], amps[j]);
    }
  }
}

template <typename T>
__global__ void k_unbind(const T* f_re, const T* f_im, uint32_t bins, uint32_t batch, const double* key_re,
                         const double* key_im, const double* amps, double* out_re, double* out_im) {
  GRID_STRIDE(o, size_t(batch) * bins) {
    uint32_t k = uint32_t(o % bins);
    holo::unbind_bin(f_re[k], f_im[k], key_re[o], key_im[o], amps[o / bins], &out_re[o], &out_im[o]);
  }
}

// Rows × cols → cols × rows, so that the score threads of one warp (consecutive candidates) read adjacent words.
__global__ void k_transpose(const double* src, double* dst, uint32_t rows, uint32_t cols) {
  GRID_STRIDE(i, size_t(rows) * cols) dst[(i % cols) * rows + i / cols] = src[i];
}

// One thread per (probe, candidate), bins summed sequentially as in HoloField.score.
template <typename T>
__global__ void k_scores(const T* f_re, const T* f_im, uint32_t bins, uint32_t probes, const double* key_re,
                         const double* key_im, const double* amps, uint32_t cands, const double* cand_t_re,
                         const double* cand_t_im, double* out, int* zero_candidate) {
  GRID_STRIDE(i, size_t(probes) * cands) {
    size_t p = i / cands, c = i % cands;
    double s = holo::score(f_re, f_im, key_re + p * bins, key_im + p * bins, cand_t_re + c, cand_t_im + c, bins - 1,
                           cands, amps[p]);
    if (s != s) *zero_candidate = 1;
    out[i] = s;
  }
}

__global__ void k_code_phases(const uint64_t* seeds, uint32_t half, uint32_t count, double* theta) {
  uint32_t cols = half + 1;
  GRID_STRIDE(i, size_t(count) * cols) {
    size_t c = i / cols;
    uint32_t k = uint32_t(i % cols);
    theta[i] = k == 0 ? 0.0 : holo::code_phase(seeds[2 * c], seeds[2 * c + 1], k, half);
  }
}

// Per-thread cache of device buffers by slot, grown on demand (N-API calls may come from several worker threads).
struct Scratch {
  std::vector<void*> ptr;
  std::vector<size_t> size;
  ~Scratch() {
    for (void* p : ptr) cudaFree(p);
  }
};
thread_local Scratch scratch;

cudaError_t device(int slot, size_t bytes, void** out) {
  if (scratch.ptr.size() <= size_t(slot)) {
    scratch.ptr.resize(slot + 1, nullptr);
    scratch.size.resize(slot + 1, 0);
  }
  if (scratch.size[slot] < bytes) {
    cudaFree(scratch.ptr[slot]);
    scratch.ptr[slot] = nullptr;
    scratch.size[slot] = 0;
    cudaError_t e = cudaMalloc(&scratch.ptr[slot], bytes ? bytes : 1);
    if (e != cudaSuccess) return e;
    scratch.size[slot] = bytes;
  }
  *out = scratch.ptr[slot];
  return cudaSuccess;
}

#define CHECK(expr)                       \
  do {                                    \
    cudaError_t e_ = (expr);              \
    if (e_ != cudaSuccess) return int(e_); \
  } while (0)

template <typename T>
int upload(int slot, const T* host, size_t count, T** dev) {
  void* p;
  CHECK(device(slot, count * sizeof(T), &p));
  if (host) CHECK(cudaMemcpy(p, host, count * sizeof(T), cudaMemcpyHostToDevice));
  *dev = static_cast<T*>(p);
  return 0;
}

#define UPLOAD(slot, host, count, dev)            \
  do {                                            \
    int r_ = upload(slot, host, count, &dev);     \
    if (r_) return r_;                            \
  } while (0)

template <typename T>
int download(T* host, const T* dev, size_t count) {
  CHECK(cudaGetLastError());
  CHECK(cudaMemcpy(host, dev, count * sizeof(T), cudaMemcpyDeviceToHost));
  return 0;
}

int log2u(uint32_t n) {
  int r = 0;
  while ((1u << r) < n) r++;
  return r;
}

// Slots 0-1 data, 2-3 twiddles, 4+ per operation.
void transform(double* re, double* im, uint32_t n, uint32_t batch, uint32_t stride, const double* tw_re,
               const double* tw_im, bool inverse) {
  size_t butterflies = size_t(batch) * (n / 2);
  k_bitrev<<<blocks_for(size_t(batch) * n), kThreads>>>(re, im, n, log2u(n), batch);
  k_first<<<blocks_for(butterflies), kThreads>>>(re, im, n, batch);
  for (uint32_t len = 4; len <= n; len <<= 1)
    k_stage<<<blocks_for(butterflies), kThreads>>>(re, im, n, len, stride, tw_re, tw_im, inverse, batch);
}

int twiddles(const double* tw_re, const double* tw_im, uint32_t size, double** d_re, double** d_im) {
  UPLOAD(2, tw_re, size / 2, *d_re);
  UPLOAD(3, tw_im, size / 2, *d_im);
  return 0;
}

template <typename T>
int bind_device(T* f_re_h, T* f_im_h, uint32_t bins, uint32_t batch, const double* d_key_re, const double* d_key_im,
                const double* d_item_re, const double* d_item_im, const double* d_amps) {
  T *f_re, *f_im;
  UPLOAD(10, f_re_h, bins, f_re);
  UPLOAD(11, f_im_h, bins, f_im);
  k_bind<<<blocks_for(bins), kThreads>>>(f_re, f_im, bins, batch, d_key_re, d_key_im, d_item_re, d_item_im, d_amps);
  int r = download(f_re_h, f_re, bins);
  return r ? r : download(f_im_h, f_im, bins);
}

int keys_and_amps(const double* key_re, const double* key_im, const double* amps, size_t rows, uint32_t bins,
                  double** k_re, double** k_im, double** a) {
  UPLOAD(4, key_re, rows * bins, *k_re);
  UPLOAD(5, key_im, rows * bins, *k_im);
  UPLOAD(6, amps, rows, *a);
  return 0;
}

template <typename T>
int scores_device(const T* f_re_h, const T* f_im_h, uint32_t bins, uint32_t probes, const double* key_re,
                  const double* key_im, const double* amps, uint32_t cands, const double* cand_re,
                  const double* cand_im, double* out) {
  T *f_re, *f_im;
  double *k_re, *k_im, *a, *c_re, *c_im, *ct_re, *ct_im, *d_out;
  int* d_flag;
  UPLOAD(10, f_re_h, bins, f_re);
  UPLOAD(11, f_im_h, bins, f_im);
  if (int r = keys_and_amps(key_re, key_im, amps, probes, bins, &k_re, &k_im, &a)) return r;
  size_t cn = size_t(cands) * bins;
  UPLOAD(7, cand_re, cn, c_re);
  UPLOAD(8, cand_im, cn, c_im);
  UPLOAD(0, static_cast<const double*>(nullptr), cn, ct_re);
  UPLOAD(1, static_cast<const double*>(nullptr), cn, ct_im);
  UPLOAD(9, static_cast<const double*>(nullptr), size_t(probes) * cands, d_out);
  UPLOAD(12, static_cast<const int*>(nullptr), 1, d_flag);
  CHECK(cudaMemset(d_flag, 0, sizeof(int)));
  k_transpose<<<blocks_for(cn), kThreads>>>(c_re, ct_re, cands, bins);
  k_transpose<<<blocks_for(cn), kThreads>>>(c_im, ct_im, cands, bins);
  k_scores<<<blocks_for(size_t(probes) * cands), kThreads>>>(f_re, f_im, bins, probes, k_re, k_im, a, cands, ct_re,
                                                            ct_im, d_out, d_flag);
  int flag = 0;
  if (int r = download(out, d_out, size_t(probes) * cands)) return r;
  if (int r = download(&flag, d_flag, 1)) return r;
  return flag ? kZeroCandidate : 0;
}

}  // namespace

extern "C" {

int atlas_cuda_device_count(int* error) {
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  *error = int(e);
  return e == cudaSuccess ? n : 0;
}

void atlas_cuda_device_name(char* buf, int size) {
  cudaDeviceProp prop;
  int n = 0;
  buf[0] = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0 || cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return;
  std::strncpy(buf, prop.name, size - 1);
  buf[size - 1] = 0;
}

const char* atlas_cuda_error_string(int error) { return cudaGetErrorString(cudaError_t(error)); }

int atlas_cuda_fft(double* re, double* im, uint32_t n, uint32_t batch, const double* tw_re, const double* tw_im,
                   int inverse, double scale) {
  double *d_re, *d_im, *t_re, *t_im;
  size_t total = size_t(batch) * n;
  UPLOAD(0, re, total, d_re);
  UPLOAD(1, im, total, d_im);
  if (int r = twiddles(tw_re, tw_im, n, &t_re, &t_im)) return r;
  transform(d_re, d_im, n, batch, 1, t_re, t_im, inverse != 0);
  k_scale<<<blocks_for(total), kThreads>>>(d_re, d_im, total, scale);
  int r = download(re, d_re, total);
  return r ? r : download(im, d_im, total);
}

int atlas_cuda_rfft(const double* x, uint32_t d, uint32_t batch, const double* tw_re, const double* tw_im,
                    double scale, double* out_re, double* out_im) {
  uint32_t m = d / 2, bins = m + 1;
  double *d_x, *zr, *zi, *t_re, *t_im, *o_re, *o_im;
  UPLOAD(4, x, size_t(batch) * d, d_x);
  UPLOAD(0, static_cast<const double*>(nullptr), size_t(batch) * m, zr);
  UPLOAD(1, static_cast<const double*>(nullptr), size_t(batch) * m, zi);
  UPLOAD(5, static_cast<const double*>(nullptr), size_t(batch) * bins, o_re);
  UPLOAD(6, static_cast<const double*>(nullptr), size_t(batch) * bins, o_im);
  if (int r = twiddles(tw_re, tw_im, d, &t_re, &t_im)) return r;
  k_pack_real<<<blocks_for(size_t(batch) * m), kThreads>>>(d_x, zr, zi, m, batch);
  transform(zr, zi, m, batch, 2, t_re, t_im, false);
  k_rfft_post<<<blocks_for(size_t(batch) * bins), kThreads>>>(zr, zi, m, t_re, t_im, scale, o_re, o_im, batch);
  int r = download(out_re, o_re, size_t(batch) * bins);
  return r ? r : download(out_im, o_im, size_t(batch) * bins);
}

int atlas_cuda_irfft(const double* re, const double* im, uint32_t d, uint32_t batch, const double* tw_re,
                     const double* tw_im, double scale, double* out) {
  uint32_t m = d / 2, bins = m + 1;
  double *i_re, *i_im, *zr, *zi, *t_re, *t_im, *d_out;
  UPLOAD(4, re, size_t(batch) * bins, i_re);
  UPLOAD(5, im, size_t(batch) * bins, i_im);
  UPLOAD(0, static_cast<const double*>(nullptr), size_t(batch) * m, zr);
  UPLOAD(1, static_cast<const double*>(nullptr), size_t(batch) * m, zi);
  UPLOAD(6, static_cast<const double*>(nullptr), size_t(batch) * d, d_out);
  if (int r = twiddles(tw_re, tw_im, d, &t_re, &t_im)) return r;
  k_irfft_pre<<<blocks_for(size_t(batch) * m), kThreads>>>(i_re, i_im, m, t_re, t_im, zr, zi, batch);
  transform(zr, zi, m, batch, 2, t_re, t_im, true);
  k_unpack_real<<<blocks_for(size_t(batch) * m), kThreads>>>(zr, zi, size_t(batch) * m, scale, d_out);
  return download(out, d_out, size_t(batch) * d);
}

int atlas_cuda_bind_content(void* f_re, void* f_im, int f32, uint32_t d, const uint8_t* bytes, const uint32_t* lengths,
                            uint32_t stride, uint32_t batch, const double* key_re, const double* key_im,
                            const double* amps, const double* tw_re, const double* tw_im, double scale) {
  uint32_t m = d / 2, bins = m + 1;
  uint8_t* d_bytes;
  uint32_t* d_len;
  double *zr, *zi, *t_re, *t_im, *k_re, *k_im, *a, *x_re, *x_im;
  UPLOAD(13, bytes, size_t(batch) * stride, d_bytes);
  UPLOAD(14, lengths, batch, d_len);
  UPLOAD(0, static_cast<const double*>(nullptr), size_t(batch) * m, zr);
  UPLOAD(1, static_cast<const double*>(nullptr), size_t(batch) * m, zi);
  UPLOAD(7, static_cast<const double*>(nullptr), size_t(batch) * bins, x_re);
  UPLOAD(8, static_cast<const double*>(nullptr), size_t(batch) * bins, x_im);
  if (int r = twiddles(tw_re, tw_im, d, &t_re, &t_im)) return r;
  if (int r = keys_and_amps(key_re, key_im, amps, batch, bins, &k_re, &k_im, &a)) return r;
  k_pack_bytes<<<blocks_for(size_t(batch) * m), kThreads>>>(d_bytes, d_len, stride, zr, zi, m, batch);
  transform(zr, zi, m, batch, 2, t_re, t_im, false);
  k_rfft_post<<<blocks_for(size_t(batch) * bins), kThreads>>>(zr, zi, m, t_re, t_im, scale, x_re, x_im, batch);
  if (f32) return bind_device(static_cast<float*>(f_re), static_cast<float*>(f_im), bins, batch, k_re, k_im, x_re, x_im, a);
  return bind_device(static_cast<double*>(f_re), static_cast<double*>(f_im), bins, batch, k_re, k_im, x_re, x_im, a);
}

int atlas_cuda_bind_spectra(void* f_re, void* f_im, int f32, uint32_t bins, uint32_t batch, const double* key_re,
                            const double* key_im, const double* item_re, const double* item_im, const double* amps) {
  double *k_re, *k_im, *a, *x_re, *x_im;
  if (int r = keys_and_amps(key_re, key_im, amps, batch, bins, &k_re, &k_im, &a)) return r;
  UPLOAD(7, item_re, size_t(batch) * bins, x_re);
  UPLOAD(8, item_im, size_t(batch) * bins, x_im);
  if (f32) return bind_device(static_cast<float*>(f_re), static_cast<float*>(f_im), bins, batch, k_re, k_im, x_re, x_im, a);
  return bind_device(static_cast<double*>(f_re), static_cast<double*>(f_im), bins, batch, k_re, k_im, x_re, x_im, a);
}

int atlas_cuda_unbind(const void* f_re, const void* f_im, int f32, uint32_t bins, uint32_t batch, const double* key_re,
                      const double* key_im, const double* amps, double* out_re, double* out_im) {
  double *k_re, *k_im, *a, *o_re, *o_im;
  if (int r = keys_and_amps(key_re, key_im, amps, batch, bins, &k_re, &k_im, &a)) return r;
  size_t total = size_t(batch) * bins;
  UPLOAD(7, static_cast<const double*>(nullptr), total, o_re);
  UPLOAD(8, static_cast<const double*>(nullptr), total, o_im);
  if (f32) {
    float *fr, *fi;
    UPLOAD(10, static_cast<const float*>(f_re), bins, fr);
    UPLOAD(11, static_cast<const float*>(f_im), bins, fi);
    k_unbind<<<blocks_for(total), kThreads>>>(fr, fi, bins, batch, k_re, k_im, a, o_re, o_im);
  } else {
    double *fr, *fi;
    UPLOAD(10, static_cast<const double*>(f_re), bins, fr);
    UPLOAD(11, static_cast<const double*>(f_im), bins, fi);
    k_unbind<<<blocks_for(total), kThreads>>>(fr, fi, bins, batch, k_re, k_im, a, o_re, o_im);
  }
  int r = download(out_re, o_re, total);
  return r ? r : download(out_im, o_im, total);
}

int atlas_cuda_scores(const void* f_re, const void* f_im, int f32, uint32_t bins, uint32_t probes, const double* key_re,
                      const double* key_im, const double* amps, uint32_t cands, const double* cand_re,
                      const double* cand_im, double* out) {
  if (f32)
    return scores_device(static_cast<const float*>(f_re), static_cast<const float*>(f_im), bins, probes, key_re, key_im, amps, cands, cand_re, cand_im, out);
  return scores_device(static_cast<const double*>(f_re), static_cast<const double*>(f_im), bins, probes, key_re, key_im, amps, cands, cand_re, cand_im, out);
}

int atlas_cuda_code_phases(const uint64_t* seeds, uint32_t d, uint32_t count, double* theta) {
  uint64_t* d_seeds;
  double* d_theta;
  size_t total = size_t(count) * (d / 2 + 1);
  UPLOAD(4, seeds, size_t(count) * 2, d_seeds);
  UPLOAD(5, static_cast<const double*>(nullptr), total, d_theta);
  k_code_phases<<<blocks_for(total), kThreads>>>(d_seeds, d / 2, count, d_theta);
  return download(theta, d_theta, total);
}

}  // extern "C"
