// Host emulation of kernels.cu: the same per-element functions (holo_math.h), one loop per kernel launch, in the
// same stage order. Within a launch every element is independent, so loop order cannot change a result; this is
// what lets a host without a GPU check the kernels' arithmetic bit for bit against src/holo.
#include <cmath>
#include <vector>

#include "holo_gpu.h"
#include "holo_math.h"

namespace {

int log2u(uint32_t n) {
  int r = 0;
  while ((1u << r) < n) r++;
  return r;
}

void transform(double* re, double* im, uint32_t n, uint32_t stride, const double* tw_re, const double* tw_im,
               bool inverse) {
  int lg = log2u(n);
  for (uint32_t i = 0; i < n; i++) holo::bitrev_swap(re, im, i, lg);
  for (uint32_t p = 0; p < n / 2; p++) holo::first_stage(re, im, p);
  for (uint32_t len = 4; len <= n; len <<= 1)
    for (uint32_t q = 0; q < n / 2; q++) holo::stage_butterfly(re, im, n, len, stride, q, tw_re, tw_im, inverse);
}

void rfft_row(double* zr, double* zi, uint32_t m, const double* tw_re, const double* tw_im, double s, double* out_re,
              double* out_im) {
  transform(zr, zi, m, 2, tw_re, tw_im, false);
  for (uint32_t k = 0; k <= m; k++) holo::rfft_bin(zr, zi, m, k, tw_re, tw_im, s, out_re, out_im);
}

template <typename T>
void bind_all(T* f_re, T* f_im, uint32_t bins, uint32_t batch, const double* key_re, const double* key_im,
              const double* item_re, const double* item_im, const double* amps) {
  for (uint32_t k = 0; k < bins; k++)
    for (uint32_t j = 0; j < batch; j++) {
      size_t o = size_t(j) * bins + k;
      holo::bind_bin(f_re, f_im, k, key_re[o], key_im[o], item_re[o], item_im[o], amps[j]);
    }
}

template <typename T>
void unbind_all(const T* f_re, const T* f_im, uint32_t bins, uint32_t batch, const double* key_re,
                const double* key_im, const double* amps, double* out_re, double* out_im) {
  for (uint32_t j = 0; j < batch; j++)
    for (uint32_t k = 0; k < bins; k++) {
      size_t o = size_t(j) * bins + k;
      holo::unbind_bin(f_re[k], f_im[k], key_re[o], key_im[o], amps[j], &out_re[o], &out_im[o]);
    }
}

template <typename T>
int scores_all(const T* f_re, const T* f_im, uint32_t bins, uint32_t probes, const double* key_re,
               const double* key_im, const double* amps, uint32_t cands, const double* cand_re,
               const double* cand_im, double* out) {
  int status = 0;
  for (uint32_t p = 0; p < probes; p++)
    for (uint32_t c = 0; c < cands; c++) {
      size_t kp = size_t(p) * bins, kc = size_t(c) * bins;
      double s = holo::score(f_re, f_im, key_re + kp, key_im + kp, cand_re + kc, cand_im + kc, bins - 1, 1, amps[p]);
      if (std::isnan(s)) status = kZeroCandidate;
      out[size_t(p) * cands + c] = s;
    }
  return status;
}

}  // namespace

extern "C" {

int atlas_emu_fft(double* re, double* im, uint32_t n, uint32_t batch, const double* tw_re, const double* tw_im,
                  int inverse, double scale) {
  for (uint32_t b = 0; b < batch; b++) {
    double *r = re + size_t(b) * n, *i = im + size_t(b) * n;
    transform(r, i, n, 1, tw_re, tw_im, inverse != 0);
    for (uint32_t k = 0; k < n; k++) {
      r[k] = r[k] * scale;
      i[k] = i[k] * scale;
    }
  }
  return 0;
}

int atlas_emu_rfft(const double* x, uint32_t d, uint32_t batch, const double* tw_re, const double* tw_im,
                   double scale, double* out_re, double* out_im) {
  uint32_t m = d / 2;
  std::vector<double> zr(m), zi(m);
  for (uint32_t b = 0; b < batch; b++) {
    const double* row = x + size_t(b) * d;
    for (uint32_t n = 0; n < m; n++) {
      zr[n] = row[2 * n];
      zi[n] = row[2 * n + 1];
    }
    rfft_row(zr.data(), zi.data(), m, tw_re, tw_im, scale, out_re + size_t(b) * (m + 1), out_im + size_t(b) * (m + 1));
  }
  return 0;
}

int atlas_emu_irfft(const double* re, const double* im, uint32_t d, uint32_t batch, const double* tw_re,
                    const double* tw_im, double scale, double* out) {
  uint32_t m = d / 2;
  std::vector<double> zr(m), zi(m);
  for (uint32_t b = 0; b < batch; b++) {
    const double *r = re + size_t(b) * (m + 1), *i = im + size_t(b) * (m + 1);
    for (uint32_t k = 0; k < m; k++) holo::irfft_bin(r, i, m, k, tw_re, tw_im, zr.data(), zi.data());
    transform(zr.data(), zi.data(), m, 2, tw_re, tw_im, true);
    double* row = out + size_t(b) * d;
    for (uint32_t n = 0; n < m; n++) {
      row[2 * n] = zr[n] * scale;
      row[2 * n + 1] = zi[n] * scale;
    }
  }
  return 0;
}

int atlas_emu_bind_content(void* f_re, void* f_im, int f32, uint32_t d, const uint8_t* bytes, const uint32_t* lengths,
                           uint32_t stride, uint32_t batch, const double* key_re, const double* key_im,
                           const double* amps, const double* tw_re, const double* tw_im, double scale) {
  uint32_t m = d / 2, bins = m + 1;
  std::vector<double> zr(m), zi(m), xr(size_t(batch) * bins), xi(size_t(batch) * bins);
  for (uint32_t b = 0; b < batch; b++) {
    const uint8_t* row = bytes + size_t(b) * stride;
    uint32_t len = lengths[b];
    for (uint32_t n = 0; n < m; n++) {
      zr[n] = 2 * n < len ? holo::centre(row[2 * n]) : 0.0;
      zi[n] = 2 * n + 1 < len ? holo::centre(row[2 * n + 1]) : 0.0;
    }
    rfft_row(zr.data(), zi.data(), m, tw_re, tw_im, scale, &xr[size_t(b) * bins], &xi[size_t(b) * bins]);
  }
  return atlas_emu_bind_spectra(f_re, f_im, f32, bins, batch, key_re, key_im, xr.data(), xi.data(), amps);
}

int atlas_emu_bind_spectra(void* f_re, void* f_im, int f32, uint32_t bins, uint32_t batch, const double* key_re,
                           const double* key_im, const double* item_re, const double* item_im, const double* amps) {
  if (f32)
    bind_all(static_cast<float*>(f_re), static_cast<float*>(f_im), bins, batch, key_re, key_im, item_re, item_im, amps);
  else
    bind_all(static_cast<double*>(f_re), static_cast<double*>(f_im), bins, batch, key_re, key_im, item_re, item_im, amps);
  return 0;
}

int atlas_emu_unbind(const void* f_re, const void* f_im, int f32, uint32_t bins, uint32_t batch, const double* key_re,
                     const double* key_im, const double* amps, double* out_re, double* out_im) {
  if (f32)
    unbind_all(static_cast<const float*>(f_re), static_cast<const float*>(f_im), bins, batch, key_re, key_im, amps, out_re, out_im);
  else
    unbind_all(static_cast<const double*>(f_re), static_cast<const double*>(f_im), bins, batch, key_re, key_im, amps, out_re, out_im);
  return 0;
}

int atlas_emu_scores(const void* f_re, const void* f_im, int f32, uint32_t bins, uint32_t probes, const double* key_re,
                     const double* key_im, const double* amps, uint32_t cands, const double* cand_re,
                     const double* cand_im, double* out) {
  if (f32)
    return scores_all(static_cast<const float*>(f_re), static_cast<const float*>(f_im), bins, probes, key_re, key_im, amps, cands, cand_re, cand_im, out);
  return scores_all(static_cast<const double*>(f_re), static_cast<const double*>(f_im), bins, probes, key_re, key_im, amps, cands, cand_re, cand_im, out);
}

int atlas_emu_code_phases(const uint64_t* seeds, uint32_t d, uint32_t count, double* theta) {
  uint32_t half = d / 2;
  for (uint32_t c = 0; c < count; c++) {
    double* row = theta + size_t(c) * (half + 1);
    row[0] = 0;
    for (uint32_t k = 1; k <= half; k++) row[k] = holo::code_phase(seeds[2 * c], seeds[2 * c + 1], k, half);
  }
  return 0;
}

}  // extern "C"
