//===- tmc_linear.h - Gemm and MatMul -------------------------------------===//
#ifndef TMC_LINEAR_H
#define TMC_LINEAR_H

#include "tmc_base.h"

namespace tmc {

/// Multiplies an accumulator by a float attribute (exact when it is 1).
template <typename T> static inline T scale_by(T v, float s) {
  return s == 1.0f ? v : static_cast<T>(static_cast<double>(v) * s);
}
static inline float scale_by(float v, float s) { return v * s; }

#define TMC_GEMM_PARAMS(F, A)                                                                  \
  F(int32_t, m)                                                                                \
  F(int32_t, n)                                                                                \
  F(int32_t, k)                                                                                \
  F(int32_t, trans_a)                                                                          \
  F(int32_t, trans_b)                                                                          \
  F(float, alpha)                                                                              \
  F(float, beta)                                                                               \
  F(int32_t, c_stride_m)                                                                       \
  F(int32_t, c_stride_n)                                                                       \
  F(int32_t, act)                                                                              \
  F(float, act_alpha)                                                                          \
  F(float, act_beta)
TMC_DEFINE_PARAMS(GemmParams, TMC_GEMM_PARAMS)

/// y[i, j] = act(alpha * sum_l A[i, l] * B[l, j] + beta * c[i * c_stride_m + j * c_stride_n])
/// where A and B are read transposed when trans_a / trans_b; `c` may be null
/// (a zero stride broadcasts it).
template <typename T>
static inline void gemm(const GemmParams *p, const T *a, const T *b, const T *c, T *y) {
  const int32_t M = p->m, N = p->n, K = p->k;
  const int32_t a_si = p->trans_a ? 1 : K, a_sl = p->trans_a ? M : 1;
  const int32_t b_sl = p->trans_b ? 1 : N, b_sj = p->trans_b ? K : 1;
  for (int32_t i = 0; i < M; ++i) {
    for (int32_t j = 0; j < N; ++j) {
      T acc = T(0);
      const T *ai = a + i * a_si;
      const T *bj = b + j * b_sj;
      for (int32_t l = 0; l < K; ++l)
        acc += ai[l * a_sl] * bj[l * b_sl];
      T r = scale_by(acc, p->alpha);
      if (c)
        r += scale_by(c[i * p->c_stride_m + j * p->c_stride_n], p->beta);
      y[i * N + j] = activate(r, p->act, p->act_alpha, p->act_beta);
    }
  }
}

#define TMC_MATMUL_PARAMS(F, A)                                                                \
  F(int32_t, batch)                                                                            \
  F(int32_t, batch_rank)                                                                       \
  A(int32_t, batch_dims, 6)                                                                    \
  A(int32_t, a_batch_strides, 6)                                                               \
  A(int32_t, b_batch_strides, 6)                                                               \
  F(int32_t, m)                                                                                \
  F(int32_t, n)                                                                                \
  F(int32_t, k)                                                                                \
  F(int32_t, act)                                                                              \
  F(float, act_alpha)                                                                          \
  F(float, act_beta)
TMC_DEFINE_PARAMS(MatMulParams, TMC_MATMUL_PARAMS)

/// Batched y[..., i, j] = sum_l a[..., i, l] * b[..., l, j] with numpy
/// broadcasting of the batch dimensions (a zero batch stride repeats a
/// matrix). 1-d operands arrive promoted to matrices by the compiler.
template <typename T>
static inline void matmul(const MatMulParams *p, const T *a, const T *b, T *y) {
  const int32_t M = p->m, N = p->n, K = p->k;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  int32_t ao = 0, bo = 0;
  for (int32_t bt = 0; bt < p->batch; ++bt) {
    const T *ab = a + ao, *bb = b + bo;
    T *yb = y + bt * M * N;
    for (int32_t i = 0; i < M; ++i) {
      for (int32_t j = 0; j < N; ++j) {
        T acc = T(0);
        for (int32_t l = 0; l < K; ++l)
          acc += ab[i * K + l] * bb[l * N + j];
        yb[i * N + j] = activate(acc, p->act, p->act_alpha, p->act_beta);
      }
    }
    for (int32_t d = p->batch_rank - 1; d >= 0; --d) {
      ++idx[d];
      ao += p->a_batch_strides[d];
      bo += p->b_batch_strides[d];
      if (idx[d] < p->batch_dims[d])
        break;
      ao -= p->a_batch_strides[d] * p->batch_dims[d];
      bo -= p->b_batch_strides[d] * p->batch_dims[d];
      idx[d] = 0;
    }
  }
}

} // namespace tmc

#endif
