//===- tmc_normalize.h - BatchNormalization and the softmax family --------===//
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
