//===- tmc_signal.h - signal processing: DFT, STFT, windows, mel filters ----===//
//
// DFT and STFT share one transform of a complex line held in scratch memory:
// - the twiddle factors e^(-+2 pi i j / n) are computed once per call into
//   scratch (angles folded into [0, pi] for accuracy);
// - a power-of-two length runs an iterative radix-2 FFT in place;
// - any other length runs the direct sum, only for the output bins kept
//   (onesided output computes half of them), the twiddle index stepping by k
//   modulo n without divisions.
// Complex values are (re, im) pairs, the ONNX layout of a trailing dim of 2.
//
// The window functions and MelWeightMatrix have constant inputs in practice,
// so their kernels run in the compiler when it folds constants; they compute
// in double and round once to the output type.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_SIGNAL_H
#define TMC_SIGNAL_H

#include "tmc_base.h"

namespace tmc {

/// tw[2j], tw[2j+1] = cos, -+sin of 2 pi j / n (the sign of sin is + for
/// the inverse transform).
template <typename T> static inline void dft_twiddles(int32_t n, int32_t inverse, T *tw) {
  const T two_pi = T(6.283185307179586476925286766559);
  for (int32_t j = 0; j < n; ++j) {
    const bool upper = 2 * j > n;
    const T a = two_pi * T(upper ? n - j : j) / T(n);
    const T s = upper ? T(-m_sin(a)) : m_sin(a);
    tw[2 * j] = m_cos(a);
    tw[2 * j + 1] = inverse ? s : T(-s);
  }
}

/// Transforms the n complex values in `work` (overwritten by the FFT) and
/// writes bins 0..out_length-1 to out[k * out_stride] (re) and
/// out[k * out_stride + 1] (im), multiplied by `scale`.
template <typename T>
static inline void dft_line(int32_t n, int32_t out_length, int32_t fft, T scale, T *work,
                            const T *tw, T *out, int32_t out_stride) {
  if (fft) {
    // Bit-reversal permutation, then butterflies of growing span.
    for (int32_t i = 1, j = 0; i < n; ++i) {
      int32_t bit = n >> 1;
      for (; j & bit; bit >>= 1)
        j ^= bit;
      j ^= bit;
      if (i < j) {
        const T re = work[2 * i], im = work[2 * i + 1];
        work[2 * i] = work[2 * j];
        work[2 * i + 1] = work[2 * j + 1];
        work[2 * j] = re;
        work[2 * j + 1] = im;
      }
    }
    for (int32_t half = 1; half < n; half <<= 1) {
      const int32_t step = n / (2 * half);
      for (int32_t start = 0; start < n; start += 2 * half) {
        for (int32_t j = 0; j < half; ++j) {
          const T wr = tw[2 * j * step], wi = tw[2 * j * step + 1];
          T *a = work + 2 * (start + j), *b = work + 2 * (start + j + half);
          const T tr = b[0] * wr - b[1] * wi, ti = b[0] * wi + b[1] * wr;
          b[0] = a[0] - tr;
          b[1] = a[1] - ti;
          a[0] += tr;
          a[1] += ti;
        }
      }
    }
    for (int32_t k = 0; k < out_length; ++k) {
      out[k * out_stride] = work[2 * k] * scale;
      out[k * out_stride + 1] = work[2 * k + 1] * scale;
    }
    return;
  }
  for (int32_t k = 0; k < out_length; ++k) {
    T re = T(0), im = T(0);
    int32_t idx = 0; // j * k mod n
    for (int32_t j = 0; j < n; ++j) {
      const T wr = tw[2 * idx], wi = tw[2 * idx + 1];
      re += work[2 * j] * wr - work[2 * j + 1] * wi;
      im += work[2 * j] * wi + work[2 * j + 1] * wr;
      idx += k;
      if (idx >= n)
        idx -= n;
    }
    out[k * out_stride] = re * scale;
    out[k * out_stride + 1] = im * scale;
  }
}

#define TMC_DFT_PARAMS(F, A)                                                                   \
  F(int32_t, outer)                                                                            \
  F(int32_t, inner)                                                                            \
  F(int32_t, in_length)                                                                        \
  F(int32_t, length)                                                                           \
  F(int32_t, out_length)                                                                       \
  F(int32_t, in_complex)                                                                       \
  F(int32_t, inverse)                                                                          \
  F(int32_t, fft)
TMC_DEFINE_PARAMS(DftParams, TMC_DFT_PARAMS)

/// DFT along one axis of x viewed as [outer, in_length, inner, 1 or 2]
/// (in_complex), giving y [outer, out_length, inner, 2]. The signal is cut or
/// zero-padded to `length`; the inverse transform divides by `length`.
/// Scratch: 4 * length elements.
template <typename T> static inline void dft(const DftParams *p, const T *x, T *y, T *scratch) {
  const int32_t n = p->length, c = p->in_complex ? 2 : 1;
  const int32_t used = p->in_length < n ? p->in_length : n;
  T *tw = scratch, *work = scratch + 2 * n;
  dft_twiddles(n, p->inverse, tw);
  const T scale = p->inverse ? T(1) / T(n) : T(1);
  const int32_t in_stride = p->inner * c, out_stride = p->inner * 2;
  for (int32_t o = 0; o < p->outer; ++o) {
    for (int32_t i = 0; i < p->inner; ++i) {
      const T *xl = x + (o * p->in_length * p->inner + i) * c;
      for (int32_t j = 0; j < used; ++j) {
        work[2 * j] = xl[j * in_stride];
        work[2 * j + 1] = c == 2 ? xl[j * in_stride + 1] : T(0);
      }
      for (int32_t j = used; j < n; ++j)
        work[2 * j] = work[2 * j + 1] = T(0);
      dft_line(n, p->out_length, p->fft, scale, work, tw,
               y + (o * p->out_length * p->inner + i) * 2, out_stride);
    }
  }
}

#define TMC_STFT_PARAMS(F, A)                                                                  \
  F(int32_t, batch)                                                                            \
  F(int32_t, signal_length)                                                                    \
  F(int32_t, in_complex)                                                                       \
  F(int32_t, frame_step)                                                                       \
  F(int32_t, frames)                                                                           \
  F(int32_t, length)                                                                           \
  F(int32_t, out_length)                                                                       \
  F(int32_t, fft)                                                                              \
  F(int32_t, has_window)
TMC_DEFINE_PARAMS(StftParams, TMC_STFT_PARAMS)

/// Short-time Fourier transform of x [batch, signal_length, 1 or 2]: frame f
/// is samples f * frame_step .. + length - 1, times `window` (length values;
/// without has_window a rectangular window), transformed; y [batch, frames,
/// out_length, 2].
/// Scratch: 4 * length elements.
template <typename T>
static inline void stft(const StftParams *p, const T *x, const T *window, T *y, T *scratch) {
  const int32_t n = p->length, c = p->in_complex ? 2 : 1;
  T *tw = scratch, *work = scratch + 2 * n;
  dft_twiddles(n, 0, tw);
  for (int32_t b = 0; b < p->batch; ++b) {
    for (int32_t f = 0; f < p->frames; ++f) {
      const T *xs = x + (b * p->signal_length + f * p->frame_step) * c;
      for (int32_t j = 0; j < n; ++j) {
        const T w = p->has_window ? window[j] : T(1);
        work[2 * j] = xs[j * c] * w;
        work[2 * j + 1] = c == 2 ? T(xs[j * c + 1] * w) : T(0);
      }
      dft_line(n, p->out_length, p->fft, T(1), work, tw,
               y + (b * p->frames + f) * p->out_length * 2, 2);
    }
  }
}

enum WindowKind { kWindowHann = 0, kWindowHamming = 1, kWindowBlackman = 2 };

#define TMC_WINDOW_PARAMS(F, A)                                                                \
  F(int32_t, size)                                                                             \
  F(int32_t, denominator)                                                                      \
  F(int32_t, kind)
TMC_DEFINE_PARAMS(WindowParams, TMC_WINDOW_PARAMS)

/// A window value in the output type. Integer types truncate the value
/// rounded to float first, as the ONNX function bodies (float arithmetic, then
/// Cast) do: the Blackman peak, 0.9999999999999999 in double, is 1.
template <typename T> struct WindowValue {
  static T get(double v) { return static_cast<T>(static_cast<float>(v)); }
};
template <> struct WindowValue<double> {
  static double get(double v) { return v; }
};

/// y[i] = a0 - a1 cos(2 pi i / N) + a2 cos(4 pi i / N) for i < size, with
/// N = `denominator` (size when periodic, size - 1 when symmetric) and the
/// coefficients of the window `kind`; a one-point symmetric window is 1.
template <typename T> static inline void window(const WindowParams *p, T *y) {
  double a0 = 0.5, a1 = 0.5, a2 = 0.0;
  if (p->kind == kWindowHamming) {
    a0 = 25.0 / 46.0;
    a1 = 21.0 / 46.0;
  } else if (p->kind == kWindowBlackman) {
    a0 = 0.42;
    a2 = 0.08;
  }
  for (int32_t i = 0; i < p->size; ++i) {
    double v = 1.0;
    if (p->denominator > 0) {
      const double a = 6.283185307179586476925286766559 * i / p->denominator;
      v = a0 - a1 * cos(a) + a2 * cos(2.0 * a);
    }
    y[i] = WindowValue<T>::get(v);
  }
}

#define TMC_MEL_PARAMS(F, A)                                                                   \
  F(int32_t, num_mel_bins)                                                                     \
  F(int32_t, dft_length)
TMC_DEFINE_PARAMS(MelParams, TMC_MEL_PARAMS)

/// Spectrogram bin of mel-band edge i (of num_mel_bins + 2 edges spaced
/// evenly in mel between lo and hi): floor((dft_length + 1) * hz / rate),
/// kept as a double (it may be out of range).
static inline double mel_edge_bin(const MelParams *p, int32_t i, double lo_mel, double step,
                                  double rate) {
  const double mel = i * step + lo_mel;
  const double hz = 700.0 * (pow(10.0, mel / 2595.0) - 1.0);
  return floor((p->dft_length + 1.0) * hz / rate);
}

/// The mel filter bank y [dft_length / 2 + 1, num_mel_bins]: triangle m rises
/// from 0 at edge m to 1 at edge m + 1 and falls to 0 at edge m + 2 (the ONNX
/// reference's integer bin edges; bins outside the matrix are skipped).
template <typename TI, typename TF, typename TO>
static inline void mel_weight_matrix(const MelParams *p, const TI *sample_rate,
                                     const TF *lower_edge_hertz, const TF *upper_edge_hertz,
                                     TO *y) {
  const int32_t bins = p->dft_length / 2 + 1, m = p->num_mel_bins;
  for (int32_t i = 0; i < bins * m; ++i)
    y[i] = TO(0);
  const double rate = static_cast<double>(*sample_rate);
  if (!(rate > 0.0))
    return;
  const double lo_mel = 2595.0 * log10(1.0 + static_cast<double>(*lower_edge_hertz) / 700.0);
  const double hi_mel = 2595.0 * log10(1.0 + static_cast<double>(*upper_edge_hertz) / 700.0);
  const double step = (hi_mel - lo_mel) / (m + 2);
  for (int32_t b = 0; b < m; ++b) {
    const double l = mel_edge_bin(p, b, lo_mel, step, rate);
    const double c = mel_edge_bin(p, b + 1, lo_mel, step, rate);
    const double h = mel_edge_bin(p, b + 2, lo_mel, step, rate);
    // Only bins inside the matrix are visited (also when an edge is not finite).
    if (c == l) {
      if (c >= 0.0 && c < bins)
        y[static_cast<int32_t>(c) * m + b] = TO(1);
    } else {
      for (int32_t j = 0; j < bins; ++j)
        if (j >= l && j <= c)
          y[j * m + b] = static_cast<TO>((j - l) / (c - l));
    }
    if (h > c)
      for (int32_t j = 0; j < bins; ++j)
        if (j >= c && j < h)
          y[j * m + b] = static_cast<TO>((h - j) / (h - c));
  }
}

} // namespace tmc

#endif
