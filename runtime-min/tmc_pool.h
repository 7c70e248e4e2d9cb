//===- tmc_pool.h - max, average and global pooling -----------------------===//
#ifndef TMC_POOL_H
#define TMC_POOL_H

#include "tmc_base.h"

namespace tmc {

#define TMC_POOL_PARAMS(F, A)                                                                  \
  F(int32_t, planes)                                                                           \
  A(int32_t, in_size, 3)                                                                       \
  A(int32_t, out_size, 3)                                                                      \
  A(int32_t, kernel, 3)                                                                        \
  A(int32_t, stride, 3)                                                                        \
  A(int32_t, dilation, 3)                                                                      \
  A(int32_t, pad, 3)                                                                           \
  A(int32_t, pad_end, 3)                                                                       \
  F(int32_t, count_include_pad)                                                                \
  F(int32_t, storage_order)
TMC_DEFINE_PARAMS(PoolParams, TMC_POOL_PARAMS)

/// Max over each window of each of `planes` (N*C) planes. When `indices` is not
/// null it receives the flat index of each maximum in the whole input tensor
/// (row-major, or column-major within a plane when storage_order is 1); ties
/// keep the first maximum in window order.
template <typename T>
static inline void max_pool(const PoolParams *p, const T *x, T *y, int64_t *indices) {
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW;
  for (int32_t c = 0; c < p->planes; ++c) {
    const T *xc = x + c * in_plane;
    for (int32_t od = 0; od < OD; ++od)
      for (int32_t oh = 0; oh < OH; ++oh)
        for (int32_t ow = 0; ow < OW; ++ow) {
          T best = Limits<T>::lowest();
          int32_t best_at = -1;
          for (int32_t kd = 0; kd < p->kernel[0]; ++kd) {
            const int32_t id = od * p->stride[0] - p->pad[0] + kd * p->dilation[0];
            if (id < 0 || id >= ID)
              continue;
            for (int32_t kh = 0; kh < p->kernel[1]; ++kh) {
              const int32_t ih = oh * p->stride[1] - p->pad[1] + kh * p->dilation[1];
              if (ih < 0 || ih >= IH)
                continue;
              for (int32_t kw = 0; kw < p->kernel[2]; ++kw) {
                const int32_t iw = ow * p->stride[2] - p->pad[2] + kw * p->dilation[2];
                if (iw < 0 || iw >= IW)
                  continue;
                const int32_t at = (id * IH + ih) * IW + iw;
                if (best_at < 0 || best < xc[at]) {
                  best = xc[at];
                  best_at = p->storage_order ? (iw * IH + ih) * ID + id : at;
                }
              }
            }
          }
          const int32_t o = c * out_plane + (od * OH + oh) * OW + ow;
          y[o] = best;
          if (indices)
            indices[o] = static_cast<int64_t>(c) * in_plane + (best_at < 0 ? 0 : best_at);
        }
  }
}

/// Mean over each window. With count_include_pad the divisor counts padding
/// positions (but not positions past the end padding that ceil_mode adds);
/// without it, only input positions.
template <typename T> static inline void avg_pool(const PoolParams *p, const T *x, T *y) {
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW;
  for (int32_t c = 0; c < p->planes; ++c) {
    const T *xc = x + c * in_plane;
    for (int32_t od = 0; od < OD; ++od)
      for (int32_t oh = 0; oh < OH; ++oh)
        for (int32_t ow = 0; ow < OW; ++ow) {
          T sum = T(0);
          int32_t count = 0;
          for (int32_t kd = 0; kd < p->kernel[0]; ++kd) {
            const int32_t id = od * p->stride[0] - p->pad[0] + kd * p->dilation[0];
            if (id < -p->pad[0] || id >= ID + p->pad_end[0])
              continue;
            const bool din = id >= 0 && id < ID;
            for (int32_t kh = 0; kh < p->kernel[1]; ++kh) {
              const int32_t ih = oh * p->stride[1] - p->pad[1] + kh * p->dilation[1];
              if (ih < -p->pad[1] || ih >= IH + p->pad_end[1])
                continue;
              const bool hin = din && ih >= 0 && ih < IH;
              for (int32_t kw = 0; kw < p->kernel[2]; ++kw) {
                const int32_t iw = ow * p->stride[2] - p->pad[2] + kw * p->dilation[2];
                if (iw < -p->pad[2] || iw >= IW + p->pad_end[2])
                  continue;
                if (hin && iw >= 0 && iw < IW) {
                  sum += xc[(id * IH + ih) * IW + iw];
                  ++count;
                } else if (p->count_include_pad) {
                  ++count;
                }
              }
            }
          }
          y[c * out_plane + (od * OH + oh) * OW + ow] = count ? sum / T(count) : T(0);
        }
  }
}

#define TMC_GLOBAL_POOL_PARAMS(F, A)                                                           \
  F(int32_t, planes)                                                                           \
  F(int32_t, plane_size)
TMC_DEFINE_PARAMS(GlobalPoolParams, TMC_GLOBAL_POOL_PARAMS)

/// Mean of each of `planes` contiguous planes.
template <typename T>
static inline void global_avg_pool(const GlobalPoolParams *p, const T *x, T *y) {
  for (int32_t c = 0; c < p->planes; ++c) {
    T sum = T(0);
    const T *xc = x + c * p->plane_size;
    for (int32_t i = 0; i < p->plane_size; ++i)
      sum += xc[i];
    y[c] = sum / T(p->plane_size);
  }
}

/// Max of each of `planes` contiguous planes.
template <typename T>
static inline void global_max_pool(const GlobalPoolParams *p, const T *x, T *y) {
  for (int32_t c = 0; c < p->planes; ++c) {
    T best = Limits<T>::lowest();
    const T *xc = x + c * p->plane_size;
    for (int32_t i = 0; i < p->plane_size; ++i)
      best = t_max(best, xc[i]);
    y[c] = best;
  }
}

} // namespace tmc

#endif
