// The per-element arithmetic of the holographic heavy path, shared by the CUDA kernels (kernels.cu) and their host
// emulation (emulate.cc). Every expression copies src/holo/{fft,field,codebook}.ts operation for operation, so with
// no FMA contraction (nvcc -fmad=false, g++ -ffp-contract=off) each element rounds exactly as the JS path does.
#pragma once
#include <stdint.h>

#ifdef __CUDACC__
#define HD __host__ __device__ __forceinline__
#else
#define HD inline
#endif

namespace holo {

constexpr double kPi = 3.141592653589793;  // == Math.PI

HD uint32_t bit_reverse(uint32_t i, int log2n) {
  uint32_t r = 0;
  for (int b = 0; b < log2n; b++) r |= ((i >> b) & 1u) << (log2n - 1 - b);
  return r;
}

// The radix-2 pair swap of the bit-reversal permutation: only the lower index of each pair moves data.
HD void bitrev_swap(double* re, double* im, uint32_t i, int log2n) {
  uint32_t j = bit_reverse(i, log2n);
  if (i < j) {
    double tr = re[i]; re[i] = re[j]; re[j] = tr;
    double ti = im[i]; im[i] = im[j]; im[j] = ti;
  }
}

// Stage len = 2 has no twiddle multiply in fft.ts (plain add/sub), so neither does this.
HD void first_stage(double* re, double* im, uint32_t pair) {
  uint32_t a = 2 * pair;
  double xr = re[a + 1], xi = im[a + 1];
  re[a + 1] = re[a] - xr;
  im[a + 1] = im[a] - xi;
  re[a] = re[a] + xr;
  im[a] = im[a] + xi;
}

// Butterfly q (0 <= q < n/2) of the stage of length len; twiddle index k·(n/len)·stride into the plan's table.
HD void stage_butterfly(double* re, double* im, uint32_t n, uint32_t len, uint32_t stride, uint32_t q,
                        const double* tw_re, const double* tw_im, bool inverse) {
  uint32_t half = len >> 1;
  uint32_t k = q % half;
  uint32_t a = (q / half) * len + k, b = a + half;
  uint32_t t = k * (n / len) * stride;
  double wr = tw_re[t], wi = inverse ? -tw_im[t] : tw_im[t];
  double br = re[b], bi = im[b];
  double xr = br * wr - bi * wi, xi = br * wi + bi * wr;
  double ar = re[a], ai = im[a];
  re[b] = ar - xr;
  im[b] = ai - xi;
  re[a] = ar + xr;
  im[a] = ai + xi;
}

// rfft post-processing of bin k (0 <= k <= m) from the half-size transform z (length m).
HD void rfft_bin(const double* zr, const double* zi, uint32_t m, uint32_t k, const double* tw_re, const double* tw_im,
                 double s, double* out_re, double* out_im) {
  if (k == 0) {
    out_re[0] = (zr[0] + zi[0]) * s;
    out_im[0] = 0;
    return;
  }
  if (k == m) {
    out_re[m] = (zr[0] - zi[0]) * s;
    out_im[m] = 0;
    return;
  }
  double ar = zr[k], ai = zi[k];
  double br = zr[m - k], bi = -zi[m - k];
  double er = (ar + br) / 2, ei = (ai + bi) / 2;
  double odr = (ai - bi) / 2, odi = -(ar - br) / 2;
  double wr = tw_re[k], wi = tw_im[k];
  out_re[k] = (er + wr * odr - wi * odi) * s;
  out_im[k] = (ei + wr * odi + wi * odr) * s;
}

// irfft pre-processing of z[k] (0 <= k < m) from the half spectrum (bins 0..m).
HD void irfft_bin(const double* re, const double* im, uint32_t m, uint32_t k, const double* tw_re, const double* tw_im,
                  double* zr, double* zi) {
  double ar = re[k], ai = k == 0 ? 0.0 : im[k];
  double br = re[m - k], bi = k == 0 ? 0.0 : -im[m - k];
  double er = ar + br, ei = ai + bi;
  double dr = ar - br, di = ai - bi;
  double wr = tw_re[k], wi = -tw_im[k];
  double odr = dr * wr - di * wi, odi = dr * wi + di * wr;
  zr[k] = er - odi;
  zi[k] = ei + odr;
}

// x = b/255 − ½ (field.ts centre).
HD double centre(uint8_t b) { return b / 255.0 - 0.5; }

// ψ[k] += a·(P[k]·X[k]) for one item; T is the field's storage (double or float), widened for the sum as in JS.
template <typename T>
HD void bind_bin(T* f_re, T* f_im, uint32_t k, double pr, double pi, double xr, double xi, double a) {
  f_re[k] = static_cast<T>(static_cast<double>(f_re[k]) + a * (pr * xr - pi * xi));
  f_im[k] = static_cast<T>(static_cast<double>(f_im[k]) + a * (pr * xi + pi * xr));
}

// conj(P[k])·ψ[k]/a.
HD void unbind_bin(double fr, double fi, double pr, double pi, double a, double* out_re, double* out_im) {
  *out_re = (pr * fr + pi * fi) / a;
  *out_im = (pr * fi - pi * fr) / a;
}

// HoloField.score: ⟨ψ, P⊙X⟩/(a‖X‖²) over the half spectrum, summed sequentially in bin order like the JS loop.
// Candidate bins are read at candidate stride cs (1 for row-major, the candidate count for bin-major layouts).
// Returns NaN for an all-zero candidate (the JS path throws there; the caller reports it).
template <typename T>
HD double score(const T* f_re, const T* f_im, const double* kr, const double* ki, const double* xre,
                const double* xim, uint32_t m, uint32_t cs, double a) {
  double sum = 0, norm = 0;
  for (uint32_t k = 1; k < m; k++) {
    double pr = kr[k], pi = ki[k], xr = xre[k * cs], xi = xim[k * cs];
    double fr = f_re[k], fi = f_im[k];
    sum += fr * (pr * xr - pi * xi) + fi * (pr * xi + pi * xr);
    norm += xr * xr + xi * xi;
  }
  double x0 = xre[0], xm = xre[m * cs];
  sum = 2 * sum + static_cast<double>(f_re[0]) * kr[0] * x0 + static_cast<double>(f_re[m]) * kr[m] * xm;
  norm = 2 * norm + x0 * x0 + xm * xm;
  if (norm == 0) return 0.0 / 0.0;
  return sum / (a * norm);
}

// splitmix64 finaliser.
HD uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// θ_k of codebook.ts codePhases for 1 <= k <= half, from the HMAC seed halves s0, s1.
HD double code_phase(uint64_t s0, uint64_t s1, uint32_t k, uint32_t half) {
  uint64_t x = mix64(s0 + static_cast<uint64_t>(k) * 0x9E3779B97F4A7C15ull) ^ s1;
  return k < half ? 2 * kPi * (static_cast<double>(x >> 11) * 0x1p-53) : kPi * static_cast<double>(x >> 63);
}

}  // namespace holo
