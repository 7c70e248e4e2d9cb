//===- tmc_normalize.h - normalisations and the softmax family ------------===//
//
// BatchNormalization, InstanceNormalization, LayerNormalization,
// LpNormalization and LRN, and Softmax, LogSoftmax and Hardmax.
// MeanVarianceNormalization, which reduces over any axes, is in tmc_reduce.h.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_NORMALIZE_H
#define TMC_NORMALIZE_H

#include "tmc_base.h"

namespace tmc {

#define TMC_BATCHNORM_PARAMS(F, A)                                                             \
  F(int32_t, batch)                                                                            \
  F(int32_t, channels)                                                                         \
  F(int32_t, inner)                                                                            \
  F(float, epsilon)
TMC_DEFINE_PARAMS(BatchNormParams, TMC_BATCHNORM_PARAMS)

/// y[n, c, i] = (x[n, c, i] - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c]
template <typename T>
static inline void batchnorm(const BatchNormParams *p, const T *x, const T *scale,
                             const T *bias, const T *mean, const T *var, T *y) {
  for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t c = 0; c < p->channels; ++c) {
      const T inv = T(1) / m_sqrt(var[c] + T(p->epsilon));
      const int32_t base = (n * p->channels + c) * p->inner;
      for (int32_t i = 0; i < p->inner; ++i)
        y[base + i] = (x[base + i] - mean[c]) * inv * scale[c] + bias[c];
    }
}

#define TMC_INSTANCE_NORM_PARAMS(F, A)                                                         \
  F(int32_t, batch)                                                                            \
  F(int32_t, channels)                                                                         \
  F(int32_t, inner)                                                                            \
  F(float, epsilon)
TMC_DEFINE_PARAMS(InstanceNormParams, TMC_INSTANCE_NORM_PARAMS)

/// For each (n, c): mean and variance of the `inner` spatial values, then
/// y = (x - mean) / sqrt(var + epsilon) * scale[c] + bias[c].
template <typename T>
static inline void instance_norm(const InstanceNormParams *p, const T *x, const T *scale,
                                 const T *bias, T *y) {
  const int32_t I = p->inner;
  for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t c = 0; c < p->channels; ++c) {
      const int32_t base = (n * p->channels + c) * I;
      const T *xs = x + base;
      T sum = T(0);
      for (int32_t i = 0; i < I; ++i)
        sum += xs[i];
      const T mean = sum / T(I);
      T sq = T(0);
      for (int32_t i = 0; i < I; ++i)
        sq += (xs[i] - mean) * (xs[i] - mean);
      const T inv = T(1) / m_sqrt(sq / T(I) + T(p->epsilon));
      for (int32_t i = 0; i < I; ++i)
        y[base + i] = (xs[i] - mean) * inv * scale[c] + bias[c];
    }
}

#define TMC_LAYER_NORM_PARAMS(F, A)                                                            \
  F(int32_t, outer)                                                                            \
  F(int32_t, inner)                                                                            \
  F(float, epsilon)                                                                            \
  F(int32_t, rank)                                                                             \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, scale_strides, 8)                                                                 \
  A(int32_t, bias_strides, 8)
/// outer rows of `inner` normalised values; Scale and B are read over the
/// normalised dims `dims` (rank of them) with their own strides, 0 where
/// they broadcast.
TMC_DEFINE_PARAMS(LayerNormParams, TMC_LAYER_NORM_PARAMS)

/// Per row: mean and variance in U (the stash type), then
/// y = T((x - mean) / sqrt(var + epsilon)) * scale + bias. bias, mean and
/// inv_std_dev may be null.
template <typename T, typename U>
static inline void layer_norm(const LayerNormParams *p, const T *x, const T *scale,
                              const T *bias, T *y, U *mean, U *inv_std_dev) {
  const int32_t I = p->inner, r = p->rank;
  for (int32_t o = 0; o < p->outer; ++o) {
    const T *xs = x + o * I;
    T *ys = y + o * I;
    U sum = U(0);
    for (int32_t i = 0; i < I; ++i)
      sum += U(xs[i]);
    const U m = sum / U(I);
    U sq = U(0);
    for (int32_t i = 0; i < I; ++i)
      sq += (U(xs[i]) - m) * (U(xs[i]) - m);
    const U inv = U(1) / m_sqrt(sq / U(I) + U(p->epsilon));
    if (mean)
      mean[o] = m;
    if (inv_std_dev)
      inv_std_dev[o] = inv;
    int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
    int32_t so = 0, bo = 0;
    for (int32_t i = 0; i < I; ++i) {
      const T v = T((U(xs[i]) - m) * inv) * scale[so];
      ys[i] = bias ? T(v + bias[bo]) : v;
      for (int32_t d = r - 1; d >= 0; --d) {
        so += p->scale_strides[d];
        bo += p->bias_strides[d];
        if (++idx[d] < p->dims[d])
          break;
        so -= p->scale_strides[d] * p->dims[d];
        bo -= p->bias_strides[d] * p->dims[d];
        idx[d] = 0;
      }
    }
  }
}

#define TMC_LP_NORM_PARAMS(F, A)                                                               \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, p)
TMC_DEFINE_PARAMS(LpNormParams, TMC_LP_NORM_PARAMS)

/// x / ||x||_p along the axis of an [outer, axis_size, inner] view, p 1 or 2
/// (a zero vector gives NaN, as x / 0 does).
template <typename T> static inline void lp_norm(const LpNormParams *p, const T *x, T *y) {
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *ys = y + o * A * I + i;
      T norm = T(0);
      for (int32_t a = 0; a < A; ++a)
        norm += p->p == 1 ? m_fabs(xs[a * I]) : xs[a * I] * xs[a * I];
      if (p->p != 1)
        norm = m_sqrt(norm);
      for (int32_t a = 0; a < A; ++a)
        ys[a * I] = xs[a * I] / norm;
    }
}

#define TMC_LRN_PARAMS(F, A)                                                                   \
  F(int32_t, batch)                                                                            \
  F(int32_t, channels)                                                                         \
  F(int32_t, inner)                                                                            \
  F(int32_t, size)                                                                             \
  F(float, alpha)                                                                              \
  F(float, beta)                                                                               \
  F(float, bias)
TMC_DEFINE_PARAMS(LRNParams, TMC_LRN_PARAMS)

/// Local response normalisation across channels:
/// y = x / (bias + alpha / size * sum of x^2 over channels
///     [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]) ^ beta.
template <typename T> static inline void lrn(const LRNParams *p, const T *x, T *y) {
  const int32_t C = p->channels, I = p->inner;
  const int32_t before = (p->size - 1) / 2, after = p->size / 2;
  const T scale = T(p->alpha) / T(p->size);
  for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t c = 0; c < C; ++c) {
      const int32_t lo = c < before ? 0 : c - before;
      const int32_t hi = C - 1 - c < after ? C - 1 : c + after;
      for (int32_t i = 0; i < I; ++i) {
        T sq = T(0);
        for (int32_t k = lo; k <= hi; ++k) {
          const T v = x[(n * C + k) * I + i];
          sq += v * v;
        }
        const int32_t at = (n * C + c) * I + i;
        y[at] = x[at] / m_pow(T(p->bias) + scale * sq, T(p->beta));
      }
    }
}

#define TMC_SOFTMAX_PARAMS(F, A)                                                               \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)
TMC_DEFINE_PARAMS(SoftmaxParams, TMC_SOFTMAX_PARAMS)

/// The largest of n values spaced `stride` apart.
template <typename T> static inline T strided_max(const T *x, int32_t n, int32_t stride) {
  T mx = x[0];
  for (int32_t a = 1; a < n; ++a)
    mx = t_max(mx, x[a * stride]);
  return mx;
}

/// Softmax along one axis of an [outer, axis_size, inner] view, computed as
/// exp(x - max) / sum(exp(x - max)) for range safety.
template <typename T> static inline void softmax(const SoftmaxParams *p, const T *x, T *y) {
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *ys = y + o * A * I + i;
      const T mx = strided_max(xs, A, I);
      T sum = T(0);
      for (int32_t a = 0; a < A; ++a) {
        const T e = m_exp(xs[a * I] - mx);
        ys[a * I] = e;
        sum += e;
      }
      for (int32_t a = 0; a < A; ++a)
        ys[a * I] = ys[a * I] / sum;
    }
}

/// x - max - log(sum(exp(x - max))) along one axis.
template <typename T> static inline void log_softmax(const SoftmaxParams *p, const T *x, T *y) {
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *ys = y + o * A * I + i;
      const T mx = strided_max(xs, A, I);
      T sum = T(0);
      for (int32_t a = 0; a < A; ++a)
        sum += m_exp(xs[a * I] - mx);
      const T lse = m_log(sum);
      for (int32_t a = 0; a < A; ++a)
        ys[a * I] = xs[a * I] - mx - lse;
    }
}

/// 1 at the first maximum along the axis, 0 elsewhere.
template <typename T> static inline void hardmax(const SoftmaxParams *p, const T *x, T *y) {
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *ys = y + o * A * I + i;
      int32_t best = 0;
      for (int32_t a = 1; a < A; ++a)
        if (xs[best * I] < xs[a * I])
          best = a;
      for (int32_t a = 0; a < A; ++a)
        ys[a * I] = a == best ? T(1) : T(0);
    }
}

} // namespace tmc

#endif
