//===- tmc_conv.h - convolution and transposed convolution ----------------===//
//
// Reference N-d convolution (up to 3 spatial dimensions; 1-d and 2-d use the
// trailing entries of the size arrays with leading 1s), NCHW layout, with
// groups (depthwise when group == channels), dilations, asymmetric padding and
// a fused activation. Only the leading padding is a parameter: the trailing
// padding is implied by the output size.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_CONV_H
#define TMC_CONV_H

#include "tmc_base.h"

namespace tmc {

#define TMC_CONV_PARAMS(F, A)                                                                  \
  F(int32_t, batch)                                                                            \
  F(int32_t, in_channels)                                                                      \
  F(int32_t, out_channels)                                                                     \
  F(int32_t, group)                                                                            \
  A(int32_t, in_size, 3)                                                                       \
  A(int32_t, out_size, 3)                                                                      \
  A(int32_t, kernel, 3)                                                                        \
  A(int32_t, stride, 3)                                                                        \
  A(int32_t, dilation, 3)                                                                      \
  A(int32_t, pad, 3)                                                                           \
  F(int32_t, act)                                                                              \
  F(float, act_alpha)                                                                          \
  F(float, act_beta)
TMC_DEFINE_PARAMS(ConvParams, TMC_CONV_PARAMS)

/// y[n, m, o...] = act(b[m] + sum over c in m's group, k... of
///                 x[n, c, o * stride - pad + k * dilation] * w[m, c, k...])
/// Taps that fall into the padding contribute nothing. `b` may be null.
template <typename T>
static inline void conv(const ConvParams *p, const T *x, const T *w, const T *b, T *y) {
  const int32_t icg = p->in_channels / p->group;
  const int32_t ocg = p->out_channels / p->group;
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t KD = p->kernel[0], KH = p->kernel[1], KW = p->kernel[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW, k_size = KD * KH * KW;
  for (int32_t n = 0; n < p->batch; ++n) {
    for (int32_t g = 0; g < p->group; ++g) {
      const T *xg = x + (n * p->in_channels + g * icg) * in_plane;
      for (int32_t oc = 0; oc < ocg; ++oc) {
        const int32_t m = g * ocg + oc;
        const T *wm = w + m * icg * k_size;
        T *ym = y + (n * p->out_channels + m) * out_plane;
        for (int32_t od = 0; od < OD; ++od) {
          const int32_t d0 = od * p->stride[0] - p->pad[0];
          for (int32_t oh = 0; oh < OH; ++oh) {
            const int32_t h0 = oh * p->stride[1] - p->pad[1];
            for (int32_t ow = 0; ow < OW; ++ow) {
              const int32_t w0 = ow * p->stride[2] - p->pad[2];
              T acc = b ? b[m] : T(0);
              for (int32_t ic = 0; ic < icg; ++ic) {
                const T *xc = xg + ic * in_plane;
                const T *wc = wm + ic * k_size;
                for (int32_t kd = 0; kd < KD; ++kd) {
                  const int32_t id = d0 + kd * p->dilation[0];
                  if (id < 0 || id >= ID)
                    continue;
                  for (int32_t kh = 0; kh < KH; ++kh) {
                    const int32_t ih = h0 + kh * p->dilation[1];
                    if (ih < 0 || ih >= IH)
                      continue;
                    const T *xrow = xc + (id * IH + ih) * IW;
                    const T *wrow = wc + (kd * KH + kh) * KW;
                    for (int32_t kw = 0; kw < KW; ++kw) {
                      const int32_t iw = w0 + kw * p->dilation[2];
                      if (iw < 0 || iw >= IW)
                        continue;
                      acc += xrow[iw] * wrow[kw];
                    }
                  }
                }
              }
              ym[(od * OH + oh) * OW + ow] = activate(acc, p->act, p->act_alpha, p->act_beta);
            }
          }
        }
      }
    }
  }
}

#define TMC_CONV_TRANSPOSE_PARAMS(F, A)                                                        \
  F(int32_t, batch)                                                                            \
  F(int32_t, in_channels)                                                                      \
  F(int32_t, out_channels)                                                                     \
  F(int32_t, group)                                                                            \
  A(int32_t, in_size, 3)                                                                       \
  A(int32_t, out_size, 3)                                                                      \
  A(int32_t, kernel, 3)                                                                        \
  A(int32_t, stride, 3)                                                                        \
  A(int32_t, dilation, 3)                                                                      \
  A(int32_t, pad, 3)                                                                           \
  F(int32_t, act)                                                                              \
  F(float, act_alpha)                                                                          \
  F(float, act_beta)
TMC_DEFINE_PARAMS(ConvTransposeParams, TMC_CONV_TRANSPOSE_PARAMS)

/// Transposed convolution, NCHW, weights [in_channels, out_channels / group,
/// kernel...]: every input element scatters into the output,
///   y[n, m, i * stride - pad + k * dilation] += x[n, c, i] * w[c, m', k...]
/// for c in m's group (m = group * out_channels/group + m'); positions outside
/// [0, out_size) are dropped (padding), positions no input reaches keep the
/// bias (output_padding). `pad` may be negative. `b` may be null.
/// 1-d and 2-d run as 3-d with leading sizes of 1, like conv.
template <typename T>
static inline void conv_transpose(const ConvTransposeParams *p, const T *x, const T *w,
                                  const T *b, T *y) {
  const int32_t icg = p->in_channels / p->group;
  const int32_t ocg = p->out_channels / p->group;
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t KD = p->kernel[0], KH = p->kernel[1], KW = p->kernel[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW, k_size = KD * KH * KW;
  for (int32_t n = 0; n < p->batch; ++n) {
    for (int32_t g = 0; g < p->group; ++g) {
      for (int32_t oc = 0; oc < ocg; ++oc) {
        const int32_t m = g * ocg + oc;
        T *ym = y + (n * p->out_channels + m) * out_plane;
        const T bias = b ? b[m] : T(0);
        for (int32_t o = 0; o < out_plane; ++o)
          ym[o] = bias;
        for (int32_t ic = 0; ic < icg; ++ic) {
          const int32_t c = g * icg + ic;
          const T *xc = x + (n * p->in_channels + c) * in_plane;
          const T *wc = w + (c * ocg + oc) * k_size;
          for (int32_t id = 0; id < ID; ++id) {
            const int32_t d0 = id * p->stride[0] - p->pad[0];
            for (int32_t ih = 0; ih < IH; ++ih) {
              const int32_t h0 = ih * p->stride[1] - p->pad[1];
              for (int32_t iw = 0; iw < IW; ++iw) {
                const int32_t w0 = iw * p->stride[2] - p->pad[2];
                const T xv = xc[(id * IH + ih) * IW + iw];
                for (int32_t kd = 0; kd < KD; ++kd) {
                  const int32_t od = d0 + kd * p->dilation[0];
                  if (od < 0 || od >= OD)
                    continue;
                  for (int32_t kh = 0; kh < KH; ++kh) {
                    const int32_t oh = h0 + kh * p->dilation[1];
                    if (oh < 0 || oh >= OH)
                      continue;
                    T *yrow = ym + (od * OH + oh) * OW;
                    const T *wrow = wc + (kd * KH + kh) * KW;
                    for (int32_t kw = 0; kw < KW; ++kw) {
                      const int32_t ow = w0 + kw * p->dilation[2];
                      if (ow < 0 || ow >= OW)
                        continue;
                      yrow[ow] += xv * wrow[kw];
                    }
                  }
                }
              }
            }
          }
        }
        if (p->act != kActNone)
          for (int32_t o = 0; o < out_plane; ++o)
            ym[o] = activate(ym[o], p->act, p->act_alpha, p->act_beta);
      }
    }
  }
}

} // namespace tmc

#endif
