//===- tmc_quant.h - quantisation and integer kernels ---------------------===//
//
// Two groups of kernels:
// - ONNX's own quantised ops (QuantizeLinear, DequantizeLinear,
//   DynamicQuantizeLinear, ConvInteger, MatMulInteger, QLinearConv,
//   QLinearMatMul) with their scales and zero points as tensors, so they also
//   run when those are graph inputs. Rounding is ONNX's: half to even, then
//   saturation to the target type. QLinear* requantise in float, as ONNX's
//   reference does.
// - the integer kernels the QDQ pass produces (qconv, qfc, qadd, qmul,
//   qavg_pool, qlut, qsoftmax),
//   where everything about the quantisation is known at compile time: int8
//   weights, int32 biases, and a per-channel fixed-point multiplier and shift
//   (requantise below). No float on their path.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_QUANT_H
#define TMC_QUANT_H

#include "tmc_base.h"
#include "tmc_conv.h"
#include "tmc_elementwise.h"
#include "tmc_linear.h"

namespace tmc {

/// Rounds half to even and saturates to TQ.
template <typename TQ> static inline TQ saturate_round(float v) {
  v = m_rint(v);
  const float lo = static_cast<float>(Limits<TQ>::lowest());
  const float hi = static_cast<float>(Limits<TQ>::highest());
  if (!(v > lo)) // also NaN
    return Limits<TQ>::lowest();
  if (v >= hi)
    return Limits<TQ>::highest();
  return static_cast<TQ>(v);
}

/// Saturates an int32 to TQ.
template <typename TQ> static inline TQ saturate_i32(int32_t v) {
  const int32_t lo = static_cast<int32_t>(Limits<TQ>::lowest());
  const int32_t hi = static_cast<int32_t>(Limits<TQ>::highest());
  return static_cast<TQ>(v < lo ? lo : (v > hi ? hi : v));
}

/// Per-axis layout of a quantisation: the tensor is [outer, axis_size,
/// inner] and the scale and zero point have axis_size entries (1 for
/// per-tensor quantisation, with outer = 1 and inner = the element count).
#define TMC_QUANTIZE_PARAMS(F, A)                                                              \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)
TMC_DEFINE_PARAMS(QuantizeParams, TMC_QUANTIZE_PARAMS)

/// y = saturate(round_half_even(x / scale) + zero_point); `zp` may be null (0).
template <typename TQ>
static inline void quantize_linear(const QuantizeParams *p, const float *x, const float *scale,
                                   const TQ *zp, TQ *y) {
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t a = 0; a < p->axis_size; ++a) {
      const float s = scale[a];
      const float z = zp ? static_cast<float>(zp[a]) : 0.0f;
      const int32_t base = (o * p->axis_size + a) * p->inner;
      for (int32_t i = 0; i < p->inner; ++i)
        y[base + i] = saturate_round<TQ>(m_rint(x[base + i] / s) + z);
    }
}

/// y = (x - zero_point) * scale; `zp` may be null (0).
template <typename TQ>
static inline void dequantize_linear(const QuantizeParams *p, const TQ *x, const float *scale,
                                     const TQ *zp, float *y) {
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t a = 0; a < p->axis_size; ++a) {
      const float s = scale[a];
      const int64_t z = zp ? static_cast<int64_t>(zp[a]) : 0;
      const int32_t base = (o * p->axis_size + a) * p->inner;
      for (int32_t i = 0; i < p->inner; ++i)
        y[base + i] = static_cast<float>(static_cast<int64_t>(x[base + i]) - z) * s;
    }
}

#define TMC_DYNAMIC_QUANTIZE_PARAMS(F, A) F(int32_t, count)
TMC_DEFINE_PARAMS(DynamicQuantizeParams, TMC_DYNAMIC_QUANTIZE_PARAMS)

/// uint8 quantisation over the range of x widened to include 0:
/// scale = (max - min) / 255, zero_point = saturate(round(-min / scale)).
/// An all-zero x gets scale 0 and zero point 0, and quantises to 0.
static inline void dynamic_quantize_linear(const DynamicQuantizeParams *p, const float *x,
                                           uint8_t *y, float *scale, uint8_t *zp) {
  float lo = 0.0f, hi = 0.0f;
  for (int32_t i = 0; i < p->count; ++i) {
    lo = t_min(lo, x[i]);
    hi = t_max(hi, x[i]);
  }
  const float s = (hi - lo) / 255.0f;
  const uint8_t z = s > 0.0f ? saturate_round<uint8_t>(-lo / s) : uint8_t(0);
  *scale = s;
  *zp = z;
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = s > 0.0f ? saturate_round<uint8_t>(m_rint(x[i] / s) + static_cast<float>(z))
                    : uint8_t(0);
}

//===----------------------------------------------------------------------===//
// Integer convolution and matrix product: the shared accumulation loops
//===----------------------------------------------------------------------===//

/// Calls out.store(m, index, acc) for every output element of a convolution
/// with acc = sum of (x - x_zp) * (w - w_zp[m]) over the window; taps in the
/// padding contribute nothing (they are the real value 0). `w_zp` has one entry
/// per output channel when w_zp_count > 1, else one.
template <typename TX, typename TW, typename Out>
static inline void conv_accumulate(const ConvParams *p, const TX *x, int32_t x_zp, const TW *w,
                                   const TW *w_zp, int32_t w_zp_count, Out &out) {
  const int32_t icg = p->in_channels / p->group;
  const int32_t ocg = p->out_channels / p->group;
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t KD = p->kernel[0], KH = p->kernel[1], KW = p->kernel[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW, k_size = KD * KH * KW;
  for (int32_t n = 0; n < p->batch; ++n) {
    for (int32_t g = 0; g < p->group; ++g) {
      const TX *xg = x + (n * p->in_channels + g * icg) * in_plane;
      for (int32_t oc = 0; oc < ocg; ++oc) {
        const int32_t m = g * ocg + oc;
        const TW *wm = w + m * icg * k_size;
        const int32_t wz = w_zp ? static_cast<int32_t>(w_zp[w_zp_count > 1 ? m : 0]) : 0;
        const int32_t ybase = (n * p->out_channels + m) * out_plane;
        for (int32_t od = 0; od < OD; ++od) {
          const int32_t d0 = od * p->stride[0] - p->pad[0];
          for (int32_t oh = 0; oh < OH; ++oh) {
            const int32_t h0 = oh * p->stride[1] - p->pad[1];
            for (int32_t ow = 0; ow < OW; ++ow) {
              const int32_t w0 = ow * p->stride[2] - p->pad[2];
              int32_t acc = 0;
              for (int32_t ic = 0; ic < icg; ++ic) {
                const TX *xc = xg + ic * in_plane;
                const TW *wc = wm + ic * k_size;
                for (int32_t kd = 0; kd < KD; ++kd) {
                  const int32_t id = d0 + kd * p->dilation[0];
                  if (id < 0 || id >= ID)
                    continue;
                  for (int32_t kh = 0; kh < KH; ++kh) {
                    const int32_t ih = h0 + kh * p->dilation[1];
                    if (ih < 0 || ih >= IH)
                      continue;
                    const TX *xrow = xc + (id * IH + ih) * IW;
                    const TW *wrow = wc + (kd * KH + kh) * KW;
                    for (int32_t kw = 0; kw < KW; ++kw) {
                      const int32_t iw = w0 + kw * p->dilation[2];
                      if (iw < 0 || iw >= IW)
                        continue;
                      acc += (static_cast<int32_t>(xrow[iw]) - x_zp) *
                             (static_cast<int32_t>(wrow[kw]) - wz);
                    }
                  }
                }
              }
              out.store(m, ybase + (od * OH + oh) * OW + ow, acc);
            }
          }
        }
      }
    }
  }
}

/// Calls out.store(j, index, acc) for every output element of a batched
/// matrix product with acc = sum_l (a - a_zp) * (b - b_zp[j]); `b_zp` has one
/// entry per column when b_zp_count > 1, else one.
template <typename TA, typename TB, typename Out>
static inline void matmul_accumulate(const MatMulParams *p, const TA *a, int32_t a_zp,
                                     const TB *b, const TB *b_zp, int32_t b_zp_count, Out &out) {
  const int32_t M = p->m, N = p->n, K = p->k;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  int32_t ao = 0, bo = 0;
  for (int32_t bt = 0; bt < p->batch; ++bt) {
    const TA *ab = a + ao;
    const TB *bb = b + bo;
    for (int32_t i = 0; i < M; ++i) {
      for (int32_t j = 0; j < N; ++j) {
        const int32_t bz = b_zp ? static_cast<int32_t>(b_zp[b_zp_count > 1 ? j : 0]) : 0;
        int32_t acc = 0;
        for (int32_t l = 0; l < K; ++l)
          acc += (static_cast<int32_t>(ab[i * K + l]) - a_zp) *
                 (static_cast<int32_t>(bb[l * N + j]) - bz);
        out.store(j, (bt * M + i) * N + j, acc);
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

/// Writes the int32 accumulator (ConvInteger, MatMulInteger).
struct StoreInt32 {
  int32_t *y;
  void store(int32_t, int32_t i, int32_t acc) { y[i] = acc; }
};

/// Requantises in float, as ONNX's QLinearConv/QLinearMatMul define it:
/// y = saturate(round_half_even((acc + bias) * x_scale * w_scale / y_scale) + y_zp).
template <typename TY> struct StoreFloatRequant {
  const float *x_scale;
  const float *w_scale;
  int32_t w_scale_count;
  const float *y_scale;
  int32_t y_zp;
  const int32_t *bias;
  TY *y;
  void store(int32_t m, int32_t i, int32_t acc) {
    const float s = x_scale[0] * w_scale[w_scale_count > 1 ? m : 0] / y_scale[0];
    const int32_t v = acc + (bias ? bias[m] : 0);
    y[i] = saturate_round<TY>(m_rint(static_cast<float>(v) * s) + static_cast<float>(y_zp));
  }
};

template <typename T> static inline int32_t zp_or_zero(const T *zp) {
  return zp ? static_cast<int32_t>(zp[0]) : 0;
}

#define TMC_QLINEAR_CONV_PARAMS(F, A)                                                          \
  TMC_CONV_PARAMS(F, A)                                                                        \
  F(int32_t, w_quant_count)
TMC_DEFINE_PARAMS(QLinearConvParams, TMC_QLINEAR_CONV_PARAMS)

/// ConvInteger: int32 y = conv(x - x_zp, w - w_zp); zero points may be null.
template <typename TX, typename TW>
static inline void conv_integer(const QLinearConvParams *p, const TX *x, const TW *w,
                                const TX *x_zp, const TW *w_zp, int32_t *y) {
  ConvParams c;
  memcpy(&c, p, sizeof(c));
  StoreInt32 out = {y};
  conv_accumulate(&c, x, zp_or_zero(x_zp), w, w_zp, p->w_quant_count, out);
}

/// QLinearConv with its quantisation parameters as tensors; `b` (int32, in
/// units of x_scale * w_scale) may be null.
template <typename TX, typename TW, typename TY>
static inline void qlinear_conv(const QLinearConvParams *p, const TX *x, const float *x_scale,
                                const TX *x_zp, const TW *w, const float *w_scale,
                                const TW *w_zp, const float *y_scale, const TY *y_zp,
                                const int32_t *b, TY *y) {
  ConvParams c;
  memcpy(&c, p, sizeof(c));
  StoreFloatRequant<TY> out = {x_scale, w_scale, p->w_quant_count, y_scale, zp_or_zero(y_zp),
                               b, y};
  conv_accumulate(&c, x, zp_or_zero(x_zp), w, w_zp, p->w_quant_count, out);
}

#define TMC_QLINEAR_MATMUL_PARAMS(F, A)                                                        \
  TMC_MATMUL_PARAMS(F, A)                                                                      \
  F(int32_t, b_quant_count)
TMC_DEFINE_PARAMS(QLinearMatMulParams, TMC_QLINEAR_MATMUL_PARAMS)

/// MatMulInteger: int32 y = (a - a_zp) x (b - b_zp); zero points may be null.
template <typename TA, typename TB>
static inline void matmul_integer(const QLinearMatMulParams *p, const TA *a, const TB *b,
                                  const TA *a_zp, const TB *b_zp, int32_t *y) {
  MatMulParams m;
  memcpy(&m, p, sizeof(m));
  StoreInt32 out = {y};
  matmul_accumulate(&m, a, zp_or_zero(a_zp), b, b_zp, p->b_quant_count, out);
}

/// QLinearMatMul with its quantisation parameters as tensors.
template <typename TA, typename TB, typename TY>
static inline void qlinear_matmul(const QLinearMatMulParams *p, const TA *a,
                                  const float *a_scale, const TA *a_zp, const TB *b,
                                  const float *b_scale, const TB *b_zp, const float *y_scale,
                                  const TY *y_zp, TY *y) {
  MatMulParams m;
  memcpy(&m, p, sizeof(m));
  StoreFloatRequant<TY> out = {a_scale, b_scale, p->b_quant_count, y_scale, zp_or_zero(y_zp),
                               0, y};
  matmul_accumulate(&m, a, zp_or_zero(a_zp), b, b_zp, p->b_quant_count, out);
}


//===----------------------------------------------------------------------===//
// Integer kernels with compile-time requantisation (the QDQ pass's ops)
//===----------------------------------------------------------------------===//

/// round(acc * multiplier / 2^shift), halves rounded up: the real factor
/// multiplier * 2^-shift (multiplier < 2^31, 1 <= shift <= 62) is computed by
/// the compiler from the scales. One 32x32->64-bit product.
static inline int32_t requantize(int32_t acc, int32_t multiplier, int32_t shift) {
  if (shift > 32) {
    // the usual case (a factor below 1/2): the rounding term and the shift
    // touch only the high word, so no variable 64-bit shift
    const int64_t t = static_cast<int64_t>(acc) * multiplier +
                      static_cast<int64_t>(static_cast<uint64_t>(1u << (shift - 33)) << 32);
    return static_cast<int32_t>(t >> 32) >> (shift - 32);
  }
  const int64_t t = static_cast<int64_t>(acc) * multiplier + (static_cast<int64_t>(1) << (shift - 1));
  return static_cast<int32_t>(t >> shift);
}

/// Adds the output zero point and clamps to [act_min, act_max] (the type's
/// range, narrowed by a fused Relu or Clip).
template <typename TY>
static inline TY requant_store(int32_t v, int32_t y_zp, int32_t act_min, int32_t act_max) {
  // clamp v to [act_min - y_zp, act_max - y_zp] (no int32 overflow: both
  // bounds are 8-bit codes) and then add y_zp
  const int32_t lo = act_min - y_zp, hi = act_max - y_zp;
  return static_cast<TY>((v < lo ? lo : (v > hi ? hi : v)) + y_zp);
}

template <typename TY> struct StoreFixedRequant {
  const int32_t *bias;
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t y_zp, act_min, act_max;
  TY *y;
  void store(int32_t m, int32_t i, int32_t acc) {
    const int32_t v = requantize(acc + (bias ? bias[m] : 0), multiplier[m], shift[m]);
    y[i] = requant_store<TY>(v, y_zp, act_min, act_max);
  }
};

#define TMC_QCONV_PARAMS(F, A)                                                                 \
  TMC_CONV_PARAMS(F, A)                                                                        \
  F(int32_t, x_zp)                                                                             \
  F(int32_t, w_zp)                                                                             \
  F(int32_t, y_zp)                                                                             \
  F(int32_t, act_min)                                                                          \
  F(int32_t, act_max)
TMC_DEFINE_PARAMS(QConvParams, TMC_QCONV_PARAMS)

/// The integer dot products below read their activations as int16 x - x_zp
/// from a scratch buffer (a "patch"; padding taps are 0 there, which is exact),
/// so the inner loops have no zero point and no bounds check. With the Arm DSP
/// extension (Cortex-M4/M7/M33) each group of four patch values is stored as
/// x0, x2, x1, x3, the order in which SXTB16 unpacks four int8 weights, so two
/// SMLADs take four multiply-accumulates. Elsewhere the order is natural.
#ifndef TMC_QPATCH_PAIRED
#if defined(__ARM_FEATURE_DSP) && !defined(__ARM_FEATURE_MVE)
#define TMC_QPATCH_PAIRED 1
#else
#define TMC_QPATCH_PAIRED 0
#endif
#endif

} // namespace tmc

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif
#if defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif

namespace tmc {

#if defined(__GNUC__)
#define TMC_QNOINLINE __attribute__((noinline))
#else
#define TMC_QNOINLINE
#endif

#if TMC_QPATCH_PAIRED
/// Bytes 1 and 3 of x sign-extended to two int16 (SXTB16 with its rotation,
/// one instruction; the ACLE has no intrinsic for the rotated form).
static inline int32_t qsxtb16_ror8(uint32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#endif

/// Where patch element i of k is stored.
static inline int32_t qpatch_slot(int32_t i, int32_t k) {
#if TMC_QPATCH_PAIRED
  if (i < (k & ~3)) {
    const int32_t j = i & 3;
    return (i & ~3) | (j == 1 ? 2 : (j == 2 ? 1 : j));
  }
#else
  (void)k;
#endif
  return i;
}

/// Puts a patch written in natural order into qpatch_slot's order.
static inline void qpatch_finish(int16_t *a, int32_t k) {
#if TMC_QPATCH_PAIRED
  for (int32_t i = 0, k4 = k & ~3; i < k4; i += 4) {
    const int16_t t = a[i + 1];
    a[i + 1] = a[i + 2];
    a[i + 2] = t;
  }
#else
  (void)a;
  (void)k;
#endif
}

/// acc[c] += sum_i patch[i] * (w_c[i] - wz) for the `ch` (1 or 2) weight
/// rows w_0 = w and w_1 = w + k. Not inlined: the loop keeps its own
/// registers rather than sharing them with a whole convolution.
template <typename TW>
static inline TMC_QNOINLINE void qpatch_dot(const int16_t *a, const TW *w, int32_t k, int32_t ch,
                                            int32_t wz, int32_t *acc) {
  for (int32_t c = 0; c < ch; ++c) {
    const TW *wc = w + c * k;
    int32_t sum = acc[c];
    for (int32_t i = 0; i < k; ++i)
      sum += static_cast<int32_t>(a[qpatch_slot(i, k)]) * (static_cast<int32_t>(wc[i]) - wz);
    acc[c] = sum;
  }
}

/// The same for int8 weights, vectorised when their zero point is 0 (the
/// usual symmetric quantisation).
static inline TMC_QNOINLINE void qpatch_dot(const int16_t *a, const int8_t *w, int32_t k,
                                            int32_t ch, int32_t wz, int32_t *acc) {
  if (wz != 0) {
    qpatch_dot<int8_t>(a, w, k, ch, wz, acc);
    return;
  }
  const int8_t *w1 = w + k;
  int32_t s0 = acc[0], s1 = ch > 1 ? acc[1] : 0;
  int32_t i = 0;
  if (ch > 1) {
#if TMC_QPATCH_PAIRED
    for (const int32_t k4 = k & ~3; i < k4; i += 4) {
      uint32_t u0, u1;
      int32_t a02, a13;
      memcpy(&a02, a + i, 4);
      memcpy(&a13, a + i + 2, 4);
      memcpy(&u0, w + i, 4);
      memcpy(&u1, w1 + i, 4);
      s0 = __smlad(__sxtb16(static_cast<int32_t>(u0)), a02, s0);
      s0 = __smlad(qsxtb16_ror8(u0), a13, s0);
      s1 = __smlad(__sxtb16(static_cast<int32_t>(u1)), a02, s1);
      s1 = __smlad(qsxtb16_ror8(u1), a13, s1);
    }
#elif defined(__ARM_FEATURE_MVE)
    for (const int32_t k8 = k & ~7; i < k8; i += 8) {
      const int16x8_t av = vldrhq_s16(a + i);
      s0 = vmladavaq_s16(s0, av, vldrbq_s16(w + i));
      s1 = vmladavaq_s16(s1, av, vldrbq_s16(w1 + i));
    }
#endif
    for (; i < k; ++i) {
      s0 += static_cast<int32_t>(a[i]) * w[i];
      s1 += static_cast<int32_t>(a[i]) * w1[i];
    }
    acc[0] = s0;
    acc[1] = s1;
    return;
  }
#if TMC_QPATCH_PAIRED
  for (const int32_t k4 = k & ~3; i < k4; i += 4) {
    uint32_t u0;
    int32_t a02, a13;
    memcpy(&a02, a + i, 4);
    memcpy(&a13, a + i + 2, 4);
    memcpy(&u0, w + i, 4);
    s0 = __smlad(__sxtb16(static_cast<int32_t>(u0)), a02, s0);
    s0 = __smlad(qsxtb16_ror8(u0), a13, s0);
  }
#elif defined(__ARM_FEATURE_MVE)
  for (const int32_t k8 = k & ~7; i < k8; i += 8)
    s0 = vmladavaq_s16(s0, vldrhq_s16(a + i), vldrbq_s16(w + i));
#endif
  for (; i < k; ++i)
    s0 += static_cast<int32_t>(a[i]) * w[i];
  acc[0] = s0;
}

/// acc[2 * j + c] += sum_i patch_j[i] * w_c[i] for two patches (patch_0 =
/// a, patch_1 = b) and two int8 weight rows (w_0 = w, w_1 = w + k) with zero
/// point 0: each weight and activation load serves two products.
static inline TMC_QNOINLINE void qpatch_dot22(const int16_t *a, const int16_t *b, const int8_t *w,
                                              int32_t k, int32_t *acc) {
  const int8_t *w1 = w + k;
  int32_t s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
  int32_t i = 0;
#if TMC_QPATCH_PAIRED
  for (const int32_t k4 = k & ~3; i < k4; i += 4) {
    uint32_t u0, u1;
    int32_t x02, x13;
    memcpy(&u0, w + i, 4);
    memcpy(&u1, w1 + i, 4);
    const int32_t w002 = __sxtb16(static_cast<int32_t>(u0));
    const int32_t w013 = qsxtb16_ror8(u0);
    const int32_t w102 = __sxtb16(static_cast<int32_t>(u1));
    const int32_t w113 = qsxtb16_ror8(u1);
    memcpy(&x02, a + i, 4);
    memcpy(&x13, a + i + 2, 4);
    s0 = __smlad(w002, x02, s0);
    s0 = __smlad(w013, x13, s0);
    s1 = __smlad(w102, x02, s1);
    s1 = __smlad(w113, x13, s1);
    memcpy(&x02, b + i, 4);
    memcpy(&x13, b + i + 2, 4);
    s2 = __smlad(w002, x02, s2);
    s2 = __smlad(w013, x13, s2);
    s3 = __smlad(w102, x02, s3);
    s3 = __smlad(w113, x13, s3);
  }
#elif defined(__ARM_FEATURE_MVE)
  for (const int32_t k8 = k & ~7; i < k8; i += 8) {
    const int16x8_t w0v = vldrbq_s16(w + i), w1v = vldrbq_s16(w1 + i);
    const int16x8_t av = vldrhq_s16(a + i), bv = vldrhq_s16(b + i);
    s0 = vmladavaq_s16(s0, av, w0v);
    s1 = vmladavaq_s16(s1, av, w1v);
    s2 = vmladavaq_s16(s2, bv, w0v);
    s3 = vmladavaq_s16(s3, bv, w1v);
  }
#endif
  for (; i < k; ++i) {
    const int32_t x0 = a[i], x1 = b[i];
    s0 += x0 * w[i];
    s1 += x0 * w1[i];
    s2 += x1 * w[i];
    s3 += x1 * w1[i];
  }
  acc[0] = s0;
  acc[1] = s1;
  acc[2] = s2;
  acc[3] = s3;
}

/// Patch length rounded up so that a second patch starts word-aligned.
static inline int32_t qpatch_stride(int32_t k) { return (k + 3) & ~3; }

/// qpatch_dot for `np` (1 or 2) patches `ps` elements apart: acc[2 * j + c].
template <typename TW>
static inline void qpatch_dots(const int16_t *a, int32_t np, int32_t ps, const TW *w, int32_t k,
                               int32_t ch, int32_t wz, int32_t *acc) {
  for (int32_t j = 0; j < np; ++j)
    qpatch_dot(a + j * ps, w, k, ch, wz, acc + 2 * j);
}
static inline void qpatch_dots(const int16_t *a, int32_t np, int32_t ps, const int8_t *w,
                               int32_t k, int32_t ch, int32_t wz, int32_t *acc) {
  if (np == 2 && ch == 2 && wz == 0) {
    qpatch_dot22(a, a + ps, w, k, acc);
    return;
  }
  for (int32_t j = 0; j < np; ++j)
    qpatch_dot(a + j * ps, w, k, ch, wz, acc + 2 * j);
}

/// Whether qconv takes its patch path (many output channels share each
/// patch) rather than the direct path (depthwise-like: one input channel per
/// output channel and few outputs per input).
static inline bool qconv_uses_patch(const QConvParams *p) {
  const int32_t icg = p->in_channels / p->group, ocg = p->out_channels / p->group;
  return !(icg == 1 && ocg < 4);
}

/// Whether qconv's direct path takes 3x3 windows through a padded band.
static inline bool qconv_dw3x3(const QConvParams *p) {
  return p->kernel[0] == 1 && p->kernel[1] == 3 && p->kernel[2] == 3;
}

/// Columns of a band row: the input columns from -pad to the last one an
/// output row reads.
static inline int32_t qconv_band_width(const QConvParams *p) {
  return (p->out_size[2] - 1) * p->stride[2] + 2 * p->dilation[2] + 1;
}

/// Bytes of int16 scratch qconv needs: one patch (icg * kernel taps), or on
/// the direct path the kernel taps of one channel's weights minus w_zp.
static inline int32_t qconv_scratch_bytes(const QConvParams *p) {
  const int32_t taps = p->kernel[0] * p->kernel[1] * p->kernel[2];
  if (qconv_uses_patch(p)) // two patches
    return 2 * 2 * qpatch_stride(p->in_channels / p->group * taps);
  // the weights, one output row of int32 accumulators and, for 3x3 windows,
  // a band of three padded input rows
  const int32_t band = qconv_dw3x3(p) ? 3 * qconv_band_width(p) : 0;
  return (2 * taps + 7) / 8 * 8 + 4 * p->out_size[2] + (2 * band + 7) / 8 * 8;
}

/// y[i] = clamp(requantize(acc[i] + add, multiplier, shift) + y_zp) for one
/// row of outputs of one channel.
template <typename TY>
static inline TMC_QNOINLINE void qrequant_row(const int32_t *acc, int32_t count, int32_t add,
                                              int32_t multiplier, int32_t shift, int32_t y_zp,
                                              int32_t act_min, int32_t act_max, TY *y) {
  for (int32_t i = 0; i < count; ++i)
    y[i] = requant_store<TY>(requantize(acc[i] + add, multiplier, shift), y_zp, act_min, act_max);
}

/// acc[i] = sum of b * k over the 3x3 window at column i * step of a band
/// of three int16 rows, its columns `col` apart, for i in [0, count).
static inline TMC_QNOINLINE void qdw3x3_band(const int16_t *const *rows, int32_t col,
                                             int32_t step, int32_t count, const int16_t *k,
                                             int32_t *acc) {
  const int32_t k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6],
                k7 = k[7], k8 = k[8];
  const int16_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
#if defined(__ARM_FEATURE_DSP)
  if (col == 1) {
    // adjacent int16 pairs: one SMLAD takes the first two taps of a row
    const int32_t k01 = static_cast<int32_t>(static_cast<uint16_t>(k0) |
                                             static_cast<uint32_t>(static_cast<uint16_t>(k1)) << 16);
    const int32_t k34 = static_cast<int32_t>(static_cast<uint16_t>(k3) |
                                             static_cast<uint32_t>(static_cast<uint16_t>(k4)) << 16);
    const int32_t k67 = static_cast<int32_t>(static_cast<uint16_t>(k6) |
                                             static_cast<uint32_t>(static_cast<uint16_t>(k7)) << 16);
    for (int32_t i = 0; i < count; ++i, r0 += step, r1 += step, r2 += step) {
      int32_t x0, x1, x2;
      memcpy(&x0, r0, 4);
      memcpy(&x1, r1, 4);
      memcpy(&x2, r2, 4);
      int32_t sum = __smlad(x0, k01, r0[2] * k2);
      sum = __smlad(x1, k34, sum + r1[2] * k5);
      acc[i] = __smlad(x2, k67, sum + r2[2] * k8);
    }
    return;
  }
#endif
  for (int32_t i = 0; i < count; ++i, r0 += step, r1 += step, r2 += step)
    acc[i] = r0[0] * k0 + r0[col] * k1 + r0[2 * col] * k2 + r1[0] * k3 + r1[col] * k4 +
             r1[2 * col] * k5 + r2[0] * k6 + r2[col] * k7 + r2[2 * col] * k8;
}

/// b[c] = x[c - pad] - x_zp for the columns inside [0, size), else 0.
template <typename TX>
static inline TMC_QNOINLINE void qconv_band_row(const TX *x, int32_t size, int32_t pad, int32_t x_zp,
                                  int32_t width, int16_t *b) {
  // one loop with a test: gcc makes separate zero-filling loops memset calls,
  // which cost more than the test on these short rows
  for (int32_t c = 0; c < width; ++c)
    b[c] = c >= pad && c - pad < size
               ? static_cast<int16_t>(static_cast<int32_t>(x[c - pad]) - x_zp)
               : static_cast<int16_t>(0);
}

/// The kernel taps k in [lo, hi) of one dimension whose input position
/// start + k * dilation lies in [0, size).
static inline void qconv_tap_range(int32_t start, int32_t size, int32_t kernel, int32_t dilation,
                                   int32_t &lo, int32_t &hi) {
  lo = start < 0 ? (-start + dilation - 1) / dilation : 0;
  hi = size > start ? (size - start + dilation - 1) / dilation : 0;
  hi = hi < kernel ? hi : kernel;
  lo = lo < hi ? lo : hi;
}

/// sum of (x - x_zp) * k over the taps of the window at (d0, h0, w0) of one
/// input channel `xc` that lie inside the input (a window on the border).
template <typename TX>
static inline TMC_QNOINLINE int32_t qconv_window(const QConvParams *p, const TX *xc, int32_t d0,
                                                 int32_t h0, int32_t w0, const int16_t *k) {
  const int32_t IH = p->in_size[1], IW = p->in_size[2], KH = p->kernel[1], KW = p->kernel[2];
  const int32_t DD = p->dilation[0], DH = p->dilation[1], DW = p->dilation[2], x_zp = p->x_zp;
  int32_t lo[3], hi[3];
  qconv_tap_range(d0, p->in_size[0], p->kernel[0], DD, lo[0], hi[0]);
  qconv_tap_range(h0, IH, KH, DH, lo[1], hi[1]);
  qconv_tap_range(w0, IW, KW, DW, lo[2], hi[2]);
  int32_t acc = 0;
  for (int32_t kd = lo[0]; kd < hi[0]; ++kd)
    for (int32_t kh = lo[1]; kh < hi[1]; ++kh) {
      const TX *xr = xc + ((d0 + kd * DD) * IH + h0 + kh * DH) * IW;
      const int16_t *kr = k + (kd * KH + kh) * KW;
      for (int32_t kw = lo[2]; kw < hi[2]; ++kw)
        acc += (static_cast<int32_t>(xr[w0 + kw * DW]) - x_zp) * kr[kw];
    }
  return acc;
}

/// Fills the patch of the window at (d0, h0, w0) of one group `xg` of input
/// channels: x - x_zp per tap, 0 in the padding; `inside` when the window
/// lies wholly inside the input.
template <typename TX>
static inline TMC_QNOINLINE void qconv_patch(const QConvParams *p, const TX *xg, int32_t d0,
                                             int32_t h0, int32_t w0, bool inside,
                                             int16_t *patch) {
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t KD = p->kernel[0], KH = p->kernel[1], KW = p->kernel[2];
  const int32_t DD = p->dilation[0], DH = p->dilation[1], DW = p->dilation[2];
  const int32_t icg = p->in_channels / p->group, in_plane = ID * IH * IW, x_zp = p->x_zp;
  int16_t *out = patch;
  if (inside) {
    const TX *xw = xg + (d0 * IH + h0) * IW + w0;
    if (KD * KH * KW == 1) {
      for (int32_t ic = 0; ic < icg; ++ic)
        out[ic] = static_cast<int16_t>(static_cast<int32_t>(xw[ic * in_plane]) - x_zp);
    } else {
      for (int32_t ic = 0; ic < icg; ++ic)
        for (int32_t kd = 0; kd < KD; ++kd)
          for (int32_t kh = 0; kh < KH; ++kh) {
            const TX *xr = xw + ic * in_plane + (kd * DD * IH + kh * DH) * IW;
            for (int32_t kw = 0; kw < KW; ++kw)
              *out++ = static_cast<int16_t>(static_cast<int32_t>(xr[kw * DW]) - x_zp);
          }
    }
  } else {
    for (int32_t ic = 0; ic < icg; ++ic)
      for (int32_t kd = 0; kd < KD; ++kd) {
        const int32_t id = d0 + kd * DD;
        for (int32_t kh = 0; kh < KH; ++kh) {
          const int32_t ih = h0 + kh * DH;
          const bool rin = id >= 0 && id < ID && ih >= 0 && ih < IH;
          const TX *xr = xg + ic * in_plane + (rin ? (id * IH + ih) * IW : 0);
          for (int32_t kw = 0; kw < KW; ++kw) {
            const int32_t iw = w0 + kw * DW;
            *out++ = rin && iw >= 0 && iw < IW
                         ? static_cast<int16_t>(static_cast<int32_t>(xr[iw]) - x_zp)
                         : static_cast<int16_t>(0);
          }
        }
      }
  }
  qpatch_finish(patch, icg * KD * KH * KW);
}

/// Integer convolution: y = clamp(requantize(conv(x - x_zp, w - w_zp) + bias,
/// multiplier[m], shift[m]) + y_zp). bias, multiplier and shift have one entry
/// per output channel; `bias` may be null. `scratch` holds
/// qconv_scratch_bytes(p) bytes. Same results as conv_accumulate (integer
/// sums do not depend on their order), faster:
/// - patch path: per output position, gather the window of x - x_zp for one
///   group into an int16 patch (its padding taps 0), then one contiguous dot
///   product per output channel of the group (SMLAD with DSP, MVE on Helium);
/// - direct path (depthwise): per channel, windows wholly inside the input
///   sum x * w without bounds checks and subtract x_zp * sum(w) once; windows
///   on the border check each tap.
template <typename TX, typename TW, typename TY>
static inline void qconv(const QConvParams *p, const TX *x, const TW *w, const int32_t *bias,
                         const int32_t *multiplier, const int32_t *shift, TY *y,
                         int16_t *scratch) {
  const int32_t icg = p->in_channels / p->group;
  const int32_t ocg = p->out_channels / p->group;
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t KD = p->kernel[0], KH = p->kernel[1], KW = p->kernel[2];
  const int32_t DD = p->dilation[0], DH = p->dilation[1], DW = p->dilation[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW, taps = KD * KH * KW;
  const int32_t x_zp = p->x_zp, wz = p->w_zp;
  const int32_t K = icg * taps;
  StoreFixedRequant<TY> out = {bias, multiplier, shift, p->y_zp, p->act_min, p->act_max, y};
  const bool patch = qconv_uses_patch(p);
  for (int32_t n = 0; n < p->batch; ++n)
    for (int32_t g = 0; g < p->group; ++g) {
      const TX *xg = x + (n * p->in_channels + g * icg) * in_plane;
      if (!patch) {
        // direct path: icg == 1
        int32_t *rowacc = reinterpret_cast<int32_t *>(scratch + (taps + 3) / 4 * 4);
        const bool k33 = qconv_dw3x3(p);
        const int32_t BW = k33 ? qconv_band_width(p) : 0;
        int16_t *band = reinterpret_cast<int16_t *>(rowacc + OW);
        // the outputs ow in [ow_lo, ow_hi) whose windows lie inside along W
        int32_t ow_lo = (p->pad[2] + p->stride[2] - 1) / p->stride[2];
        const int32_t last = IW - 1 - (KW - 1) * DW + p->pad[2];
        int32_t ow_hi = last >= 0 ? last / p->stride[2] + 1 : 0;
        ow_hi = ow_hi < OW ? ow_hi : OW;
        ow_lo = ow_lo < ow_hi ? ow_lo : ow_hi;
        for (int32_t oc = 0; oc < ocg; ++oc) {
          const int32_t m = g * ocg + oc;
          const TW *wm = w + m * taps;
          int32_t wsum = 0;
          for (int32_t t = 0; t < taps; ++t) {
            scratch[t] = static_cast<int16_t>(static_cast<int32_t>(wm[t]) - wz);
            wsum += scratch[t];
          }
          const int32_t corr = x_zp * wsum;
          const int32_t ybase = (n * p->out_channels + m) * out_plane;
          int32_t slot_key[3] = {-2, -2, -2}; // the band slots' input rows: none yet
          for (int32_t od = 0; od < OD; ++od) {
            const int32_t d0 = od * p->stride[0] - p->pad[0];
            const bool din = d0 >= 0 && d0 + (KD - 1) * DD < ID;
            for (int32_t oh = 0; oh < OH; ++oh) {
              const int32_t h0 = oh * p->stride[1] - p->pad[1];
              const bool hin = din && h0 >= 0 && h0 + (KH - 1) * DH < IH;
              if (k33) {
                // three rows of x - x_zp with their padding, then no bounds
                // checks; a row already in one of the three slots (the next
                // output row's, with stride 1) is not filled again
                int32_t key[3];
                const int16_t *rows[3];
                bool used[3] = {false, false, false};
                for (int32_t kh = 0; kh < 3; ++kh) {
                  const int32_t ih = h0 + kh * DH;
                  key[kh] = din && ih >= 0 && ih < IH ? d0 * IH + ih : -1;
                  rows[kh] = 0;
                  for (int32_t sl = 0; sl < 3; ++sl)
                    if (slot_key[sl] == key[kh]) {
                      rows[kh] = band + sl * BW;
                      used[sl] = true;
                    }
                }
                for (int32_t kh = 0; kh < 3; ++kh) {
                  if (rows[kh])
                    continue;
                  int32_t sl = 0;
                  while (used[sl])
                    ++sl;
                  used[sl] = true;
                  slot_key[sl] = key[kh];
                  rows[kh] = band + sl * BW;
                  if (key[kh] >= 0)
                    qconv_band_row(xg + key[kh] * IW, IW, p->pad[2], x_zp, BW, band + sl * BW);
                  else
                    qconv_band_row(xg, 0, 0, 0, BW, band + sl * BW);
                  for (int32_t later = kh + 1; later < 3; ++later)
                    if (!rows[later] && key[later] == key[kh])
                      rows[later] = rows[kh];
                }
                qdw3x3_band(rows, DW, p->stride[2], OW, scratch, rowacc);
              }
              for (int32_t ow = k33 ? OW : 0; ow < OW; ++ow) {
                const int32_t w0 = ow * p->stride[2] - p->pad[2];
                int32_t acc = 0;
                if (hin && ow >= ow_lo && ow < ow_hi) {
                  const TX *xw = xg + (d0 * IH + h0) * IW + w0;
                  const int16_t *wk = scratch;
                  for (int32_t kd = 0; kd < KD; ++kd)
                    for (int32_t kh = 0; kh < KH; ++kh) {
                      const TX *xr = xw + (kd * DD * IH + kh * DH) * IW;
                      for (int32_t kw = 0; kw < KW; ++kw)
                        acc += static_cast<int32_t>(xr[kw * DW]) * *wk++;
                    }
                  acc -= corr;
                } else {
                  acc = qconv_window(p, xg, d0, h0, w0, scratch);
                }
                rowacc[ow] = acc;
              }
              qrequant_row(rowacc, OW, bias ? bias[m] : 0, multiplier[m], shift[m], p->y_zp,
                           p->act_min, p->act_max, y + ybase + (od * OH + oh) * OW);
            }
          }
        }
        continue;
      }
      // patch path
      // two output positions at a time: every weight load serves both
      const TW *wg = w + g * ocg * K;
      const int32_t PS = qpatch_stride(K);
      for (int32_t pos = 0; pos < out_plane; pos += 2) {
        const int32_t np = out_plane - pos > 1 ? 2 : 1;
        for (int32_t j = 0; j < np; ++j) {
          const int32_t q = pos + j, ow = q % OW, oh = q / OW % OH, od = q / (OW * OH);
          const int32_t d0 = od * p->stride[0] - p->pad[0];
          const int32_t h0 = oh * p->stride[1] - p->pad[1];
          const int32_t w0 = ow * p->stride[2] - p->pad[2];
          const bool inside = d0 >= 0 && d0 + (KD - 1) * DD < ID && h0 >= 0 &&
                              h0 + (KH - 1) * DH < IH && w0 >= 0 && w0 + (KW - 1) * DW < IW;
          qconv_patch(p, xg, d0, h0, w0, inside, scratch + j * PS);
        }
        const int32_t yo = n * p->out_channels * out_plane + pos;
        for (int32_t oc = 0; oc < ocg; oc += 2) {
          const int32_t m = g * ocg + oc;
          int32_t acc[4] = {0, 0, 0, 0};
          const int32_t ch = ocg - oc > 1 ? 2 : 1;
          qpatch_dots(scratch, np, PS, wg + oc * K, K, ch, wz, acc);
          for (int32_t j = 0; j < np; ++j)
            for (int32_t c = 0; c < ch; ++c)
              out.store(m + c, yo + (m + c) * out_plane + j, acc[2 * j + c]);
        }
      }
    }
}

#define TMC_QFC_PARAMS(F, A)                                                                   \
  F(int32_t, rows)                                                                             \
  F(int32_t, n)                                                                                \
  F(int32_t, k)                                                                                \
  F(int32_t, x_zp)                                                                             \
  F(int32_t, w_zp)                                                                             \
  F(int32_t, y_zp)                                                                             \
  F(int32_t, act_min)                                                                          \
  F(int32_t, act_max)
TMC_DEFINE_PARAMS(QFcParams, TMC_QFC_PARAMS)

/// Bytes of int16 scratch qfc needs (one row of x - x_zp).
static inline int32_t qfc_scratch_bytes(const QFcParams *p) { return (2 * p->k + 7) / 8 * 8; }

/// Integer fully connected layer: x [rows, k], w [n, k] (one row per output),
/// y[r, j] = clamp(requantize(sum_l (x[r, l] - x_zp) * (w[j, l] - w_zp) +
/// bias[j], multiplier[j], shift[j]) + y_zp). `bias` may be null. `scratch`
/// holds qfc_scratch_bytes(p) bytes: each row of x - x_zp as int16, so the dot
/// products are qconv's.
template <typename TX, typename TW, typename TY>
static inline void qfc(const QFcParams *p, const TX *x, const TW *w, const int32_t *bias,
                       const int32_t *multiplier, const int32_t *shift, TY *y,
                       int16_t *scratch) {
  const int32_t K = p->k;
  for (int32_t r = 0; r < p->rows; ++r) {
    const TX *xr = x + r * K;
    for (int32_t l = 0; l < K; ++l)
      scratch[l] = static_cast<int16_t>(static_cast<int32_t>(xr[l]) - p->x_zp);
    qpatch_finish(scratch, K);
    for (int32_t j = 0; j < p->n; j += 2) {
      const int32_t ch = p->n - j > 1 ? 2 : 1;
      int32_t acc[2] = {bias ? bias[j] : 0, bias && ch > 1 ? bias[j + 1] : 0};
      qpatch_dot(scratch, w + j * K, K, ch, p->w_zp, acc);
      for (int32_t c = 0; c < ch; ++c)
        y[r * p->n + j + c] = requant_store<TY>(requantize(acc[c], multiplier[j + c], shift[j + c]),
                                                p->y_zp, p->act_min, p->act_max);
    }
  }
}

#define TMC_QADD_PARAMS(F, A)                                                                  \
  F(int32_t, count)                                                                            \
  F(int32_t, a_zp)                                                                             \
  F(int32_t, b_zp)                                                                             \
  F(int32_t, y_zp)                                                                             \
  F(int32_t, a_multiplier)                                                                     \
  F(int32_t, b_multiplier)                                                                     \
  F(int32_t, shift)                                                                            \
  F(int32_t, act_min)                                                                          \
  F(int32_t, act_max)
TMC_DEFINE_PARAMS(QAddParams, TMC_QADD_PARAMS)

/// Integer a + b (same shapes), each rescaled to the output's scale:
/// y = clamp(round(((a - a_zp) * a_mul + (b - b_zp) * b_mul) / 2^shift) + y_zp).
template <typename TA, typename TB, typename TY>
static inline void qadd(const QAddParams *p, const TA *a, const TB *b, TY *y) {
  const int64_t half = static_cast<int64_t>(1) << (p->shift - 1);
  for (int32_t i = 0; i < p->count; ++i) {
    const int64_t t =
        static_cast<int64_t>(static_cast<int32_t>(a[i]) - p->a_zp) * p->a_multiplier +
        static_cast<int64_t>(static_cast<int32_t>(b[i]) - p->b_zp) * p->b_multiplier;
    y[i] = requant_store<TY>(static_cast<int32_t>((t + half) >> p->shift), p->y_zp, p->act_min,
                             p->act_max);
  }
}

#define TMC_QAVG_POOL_PARAMS(F, A)                                                             \
  F(int32_t, planes)                                                                           \
  A(int32_t, in_size, 3)                                                                       \
  A(int32_t, out_size, 3)                                                                      \
  A(int32_t, kernel, 3)                                                                        \
  A(int32_t, stride, 3)                                                                        \
  A(int32_t, pad, 3)                                                                           \
  A(int32_t, pad_end, 3)                                                                       \
  F(int32_t, count_include_pad)                                                                \
  F(int32_t, x_zp)                                                                             \
  F(int32_t, y_zp)                                                                             \
  F(int32_t, multiplier)                                                                       \
  F(int32_t, shift)
TMC_DEFINE_PARAMS(QAvgPoolParams, TMC_QAVG_POOL_PARAMS)

/// Integer average pooling (NCHW planes, 1-3 spatial dims as 3):
/// y = round(sum(x - x_zp) * multiplier / (count * 2^shift)) + y_zp, halves
/// away from zero, where count is the window's size (with count_include_pad,
/// padding within pad/pad_end counts too). shift <= 40.
template <typename TX, typename TY>
static inline void qavg_pool(const QAvgPoolParams *p, const TX *x, TY *y) {
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW;
  for (int32_t pl = 0; pl < p->planes; ++pl) {
    const TX *xp = x + pl * in_plane;
    TY *yp = y + pl * out_plane;
    for (int32_t od = 0; od < OD; ++od)
      for (int32_t oh = 0; oh < OH; ++oh)
        for (int32_t ow = 0; ow < OW; ++ow) {
          const int32_t d0 = od * p->stride[0] - p->pad[0];
          const int32_t h0 = oh * p->stride[1] - p->pad[1];
          const int32_t w0 = ow * p->stride[2] - p->pad[2];
          int32_t sum = 0, count = 0, padded = 0;
          for (int32_t kd = 0; kd < p->kernel[0]; ++kd)
            for (int32_t kh = 0; kh < p->kernel[1]; ++kh)
              for (int32_t kw = 0; kw < p->kernel[2]; ++kw) {
                const int32_t id = d0 + kd, ih = h0 + kh, iw = w0 + kw;
                if (id >= ID + p->pad_end[0] || ih >= IH + p->pad_end[1] ||
                    iw >= IW + p->pad_end[2])
                  continue; // beyond the padding (ceil_mode)
                if (id < 0 || id >= ID || ih < 0 || ih >= IH || iw < 0 || iw >= IW) {
                  ++padded;
                  continue;
                }
                sum += static_cast<int32_t>(xp[(id * IH + ih) * IW + iw]) - p->x_zp;
                ++count;
              }
          if (p->count_include_pad)
            count += padded;
          const int64_t num = static_cast<int64_t>(sum) * p->multiplier;
          const int64_t den = static_cast<int64_t>(count > 0 ? count : 1) << p->shift;
          const int64_t q = (num >= 0 ? num + den / 2 : num - den / 2) / den;
          yp[(od * OH + oh) * OW + ow] = requant_store<TY>(
              static_cast<int32_t>(q), p->y_zp, static_cast<int32_t>(Limits<TY>::lowest()),
              static_cast<int32_t>(Limits<TY>::highest()));
        }
  }
}

#define TMC_QLUT_PARAMS(F, A) F(int32_t, count)
TMC_DEFINE_PARAMS(QLutParams, TMC_QLUT_PARAMS)

/// y = table[x - lowest(TX)]: any function of one int8/uint8 value, tabulated
/// by the compiler (sigmoid, tanh, hard-swish and the other elementwise
/// activations between a DequantizeLinear and a QuantizeLinear, and the
/// rescaling of one quantisation to another). `table` has 256 entries.
template <typename TX, typename TY>
static inline void qlut(const QLutParams *p, const TX *x, const TY *table, TY *y) {
  const int32_t lo = static_cast<int32_t>(Limits<TX>::lowest());
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = table[static_cast<int32_t>(x[i]) - lo];
}

#define TMC_QMUL_PARAMS(F, A)                                                                  \
  TMC_BINARY_PARAMS(F, A)                                                                      \
  F(int32_t, a_zp)                                                                             \
  F(int32_t, b_zp)                                                                             \
  F(int32_t, y_zp)                                                                             \
  F(int32_t, multiplier)                                                                       \
  F(int32_t, shift)                                                                            \
  F(int32_t, act_min)                                                                          \
  F(int32_t, act_max)
TMC_DEFINE_PARAMS(QMulParams, TMC_QMUL_PARAMS)

template <typename TA, typename TB, typename TY> struct QMulApply {
  const QMulParams *p;
  const TA *a;
  const TB *b;
  TY *y;
  void operator()(int32_t i, int32_t ia, int32_t ib) {
    const int32_t prod = (static_cast<int32_t>(a[ia]) - p->a_zp) *
                         (static_cast<int32_t>(b[ib]) - p->b_zp);
    y[i] = requant_store<TY>(requantize(prod, p->multiplier, p->shift), p->y_zp, p->act_min,
                             p->act_max);
  }
};

/// Integer a * b with numpy broadcasting (broadcast_each, as tmc::binary):
/// y = clamp(requantize((a - a_zp) * (b - b_zp), multiplier, shift) + y_zp),
/// where multiplier * 2^-shift = a_scale * b_scale / y_scale.
template <typename TA, typename TB, typename TY>
static inline void qmul(const QMulParams *p, const TA *a, const TB *b, TY *y) {
  BinaryParams bp;
  memcpy(&bp, p, sizeof(bp));
  QMulApply<TA, TB, TY> f = {p, a, b, y};
  broadcast_each(&bp, f);
}

#define TMC_QSOFTMAX_PARAMS(F, A)                                                              \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, y_zp)                                                                             \
  F(int32_t, multiplier)                                                                       \
  F(int32_t, shift)
TMC_DEFINE_PARAMS(QSoftmaxParams, TMC_QSOFTMAX_PARAMS)

/// Integer softmax along the middle axis of [outer, axis_size, inner]:
/// e_i = exp_table[max - x_i] (exp(-d * x_scale) in units of 2^-23, tabulated
/// by the compiler for every code distance d), then
/// y_i = round(round(e_i * multiplier / sum(e)) / 2^shift) + y_zp, saturated,
/// where multiplier * 2^-shift = 1 / y_scale. 64-bit products and divisions
/// only; no float.
template <typename TX, typename TY>
static inline void qsoftmax(const QSoftmaxParams *p, const TX *x, const int32_t *exp_table,
                            TY *y) {
  const uint64_t half = static_cast<uint64_t>(1) << (p->shift - 1);
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t in = 0; in < p->inner; ++in) {
      const TX *xs = x + o * p->axis_size * p->inner + in;
      TY *ys = y + o * p->axis_size * p->inner + in;
      int32_t mx = static_cast<int32_t>(xs[0]);
      for (int32_t i = 1; i < p->axis_size; ++i)
        if (static_cast<int32_t>(xs[i * p->inner]) > mx)
          mx = static_cast<int32_t>(xs[i * p->inner]);
      uint64_t sum = 0;
      for (int32_t i = 0; i < p->axis_size; ++i)
        sum += static_cast<uint64_t>(exp_table[mx - static_cast<int32_t>(xs[i * p->inner])]);
      for (int32_t i = 0; i < p->axis_size; ++i) {
        const uint64_t e =
            static_cast<uint64_t>(exp_table[mx - static_cast<int32_t>(xs[i * p->inner])]);
        const uint64_t t = (e * static_cast<uint64_t>(p->multiplier) + sum / 2) / sum;
        const int64_t v = static_cast<int64_t>((t + half) >> p->shift) + p->y_zp;
        ys[i * p->inner] = requant_store<TY>(static_cast<int32_t>(v < 2147483647 ? v : 2147483647),
                                             0, static_cast<int32_t>(Limits<TY>::lowest()),
                                             static_cast<int32_t>(Limits<TY>::highest()));
      }
    }
}

} // namespace tmc

#endif
