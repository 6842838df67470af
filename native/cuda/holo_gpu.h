// The batched heavy path of the holographic store, as two implementations with one signature set:
// atlas_cuda_* (kernels.cu: device kernels, host arrays in and out) and atlas_emu_* (emulate.cc: the same
// per-element functions of holo_math.h run by host loops, for checking the kernel arithmetic without a GPU).
// Arrays are host memory, items are contiguous rows; twiddles are the FftPlan table of the transform size D.
// Each returns 0, a cudaError_t code, or kZeroCandidate from scores when a candidate spectrum is all zero.
#pragma once
#include <stdint.h>

enum { kZeroCandidate = -1 };

#define ATLAS_HOLO_API(P)                                                                                            \
  /* In-place unitary complex transform of `batch` rows of n points; scale = n^-1/2. */                             \
  int P##fft(double* re, double* im, uint32_t n, uint32_t batch, const double* tw_re, const double* tw_im,          \
             int inverse, double scale);                                                                            \
  /* Unitary rfft of real rows of d samples into d/2+1 bins each. */                                               \
  int P##rfft(const double* x, uint32_t d, uint32_t batch, const double* tw_re, const double* tw_im, double scale,  \
              double* out_re, double* out_im);                                                                      \
  int P##irfft(const double* re, const double* im, uint32_t d, uint32_t batch, const double* tw_re,                 \
               const double* tw_im, double scale, double* out);                                                     \
  /* ψ += Σ_j a_j·(P_j ⊙ rfft(centre(bytes_j))), items in order; row j holds lengths[j] bytes at stride. */        \
  int P##bind_content(void* f_re, void* f_im, int f32, uint32_t d, const uint8_t* bytes, const uint32_t* lengths,   \
                      uint32_t stride, uint32_t batch, const double* key_re, const double* key_im,                  \
                      const double* amps, const double* tw_re, const double* tw_im, double scale);                 \
  /* ψ += Σ_j a_j·(P_j ⊙ X_j) for item spectra given as rows of `bins`. */                                         \
  int P##bind_spectra(void* f_re, void* f_im, int f32, uint32_t bins, uint32_t batch, const double* key_re,         \
                      const double* key_im, const double* item_re, const double* item_im, const double* amps);     \
  int P##unbind(const void* f_re, const void* f_im, int f32, uint32_t bins, uint32_t batch, const double* key_re,   \
                const double* key_im, const double* amps, double* out_re, double* out_im);                         \
  /* out[p·cands + c] = score of candidate c under probe key p. */                                                  \
  int P##scores(const void* f_re, const void* f_im, int f32, uint32_t bins, uint32_t probes, const double* key_re, \
                const double* key_im, const double* amps, uint32_t cands, const double* cand_re,                   \
                const double* cand_im, double* out);                                                                \
  /* θ_0..θ_{d/2} per code from its seed halves (s0, s1). */                                                        \
  int P##code_phases(const uint64_t* seeds, uint32_t d, uint32_t count, double* theta);

extern "C" {
ATLAS_HOLO_API(atlas_cuda_)
ATLAS_HOLO_API(atlas_emu_)
/* cudaGetDeviceCount's result (0 when it fails); *error gets its cudaError_t (35 = no driver). */
int atlas_cuda_device_count(int* error);
/* The name of device 0 into buf, or "" when there is none. */
void atlas_cuda_device_name(char* buf, int size);
const char* atlas_cuda_error_string(int error);
}
