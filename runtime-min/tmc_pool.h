//===- tmc_pool.h - pooling: max, average, Lp, global, unpool, RoI max -----===//
//
// Windowed kernels run every spatial rank as 3-d: 1-d and 2-d ops use the
// trailing entries of the size arrays with leading 1s (and 0 padding).
//
//===----------------------------------------------------------------------===//
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

#define TMC_LP_POOL_PARAMS(F, A)                                                               \
  F(int32_t, planes)                                                                           \
  A(int32_t, in_size, 3)                                                                       \
  A(int32_t, out_size, 3)                                                                      \
  A(int32_t, kernel, 3)                                                                        \
  A(int32_t, stride, 3)                                                                        \
  A(int32_t, pad, 3)                                                                           \
  F(int32_t, p)
TMC_DEFINE_PARAMS(LpPoolParams, TMC_LP_POOL_PARAMS)

/// |v|^p, exact for the common p = 1 and p = 2.
template <typename T> static inline T lp_term(T v, int32_t p) {
  const T a = m_fabs(v);
  return p == 1 ? a : p == 2 ? a * a : m_pow(a, T(p));
}

/// sum^(1/p), exact for p = 1 and the square root for p = 2.
template <typename T> static inline T lp_root(T sum, int32_t p) {
  return p == 1 ? sum : p == 2 ? m_sqrt(sum) : m_pow(sum, T(1) / T(p));
}

/// (sum over each window of |x|^p)^(1/p); padding contributes nothing.
template <typename T> static inline void lp_pool(const LpPoolParams *p, const T *x, T *y) {
  const int32_t ID = p->in_size[0], IH = p->in_size[1], IW = p->in_size[2];
  const int32_t OD = p->out_size[0], OH = p->out_size[1], OW = p->out_size[2];
  const int32_t in_plane = ID * IH * IW, out_plane = OD * OH * OW;
  for (int32_t c = 0; c < p->planes; ++c) {
    const T *xc = x + c * in_plane;
    for (int32_t od = 0; od < OD; ++od)
      for (int32_t oh = 0; oh < OH; ++oh)
        for (int32_t ow = 0; ow < OW; ++ow) {
          T sum = T(0);
          for (int32_t kd = 0; kd < p->kernel[0]; ++kd) {
            const int32_t id = od * p->stride[0] - p->pad[0] + kd;
            if (id < 0 || id >= ID)
              continue;
            for (int32_t kh = 0; kh < p->kernel[1]; ++kh) {
              const int32_t ih = oh * p->stride[1] - p->pad[1] + kh;
              if (ih < 0 || ih >= IH)
                continue;
              for (int32_t kw = 0; kw < p->kernel[2]; ++kw) {
                const int32_t iw = ow * p->stride[2] - p->pad[2] + kw;
                if (iw < 0 || iw >= IW)
                  continue;
                sum += lp_term(xc[(id * IH + ih) * IW + iw], p->p);
              }
            }
          }
          y[c * out_plane + (od * OH + oh) * OW + ow] = lp_root(sum, p->p);
        }
  }
}

#define TMC_GLOBAL_LP_POOL_PARAMS(F, A)                                                        \
  F(int32_t, planes)                                                                           \
  F(int32_t, plane_size)                                                                       \
  F(int32_t, p)
TMC_DEFINE_PARAMS(GlobalLpPoolParams, TMC_GLOBAL_LP_POOL_PARAMS)

/// (sum of |x|^p)^(1/p) of each of `planes` contiguous planes.
template <typename T>
static inline void global_lp_pool(const GlobalLpPoolParams *p, const T *x, T *y) {
  for (int32_t c = 0; c < p->planes; ++c) {
    T sum = T(0);
    const T *xc = x + c * p->plane_size;
    for (int32_t i = 0; i < p->plane_size; ++i)
      sum += lp_term(xc[i], p->p);
    y[c] = lp_root(sum, p->p);
  }
}

#define TMC_MAX_UNPOOL_PARAMS(F, A)                                                            \
  F(int32_t, in_count)                                                                         \
  F(int32_t, out_count)                                                                        \
  F(int32_t, rank)                                                                             \
  A(int32_t, index_dims, 8)                                                                    \
  A(int32_t, out_dims, 8)
TMC_DEFINE_PARAMS(MaxUnpoolParams, TMC_MAX_UNPOOL_PARAMS)

/// Zeroes y, then writes each x[i] at flat index indices[i] of a tensor of
/// shape index_dims (MaxPool's Indices are flat over its whole input). When
/// the output shape differs (an explicit output_shape), the position keeps
/// its coordinates: the result is padded or cropped at the end of each axis;
/// rank 0 means the shapes agree. Indices outside are skipped; of two writes
/// to one place the later wins. Works on bytes: ES is the element size (zero
/// bytes are 0 for every type).
template <int ES>
static inline void max_unpool(const MaxUnpoolParams *p, const void *x, const int64_t *indices,
                              void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  memset(yb, 0, static_cast<size_t>(p->out_count) * ES);
  int64_t index_count = 1;
  for (int32_t d = 0; d < p->rank; ++d)
    index_count *= p->index_dims[d];
  if (p->rank == 0)
    index_count = p->out_count;
  for (int32_t i = 0; i < p->in_count; ++i) {
    int64_t at = indices[i];
    if (at < 0 || at >= index_count)
      continue;
    if (p->rank > 0) { // re-address the coordinates in the output shape
      int64_t rest = at, out = 0, stride = 1;
      bool inside = true;
      for (int32_t d = p->rank - 1; d >= 0; --d) {
        const int64_t c = rest % p->index_dims[d];
        rest /= p->index_dims[d];
        inside = inside && c < p->out_dims[d];
        out += c * stride;
        stride *= p->out_dims[d];
      }
      if (!inside)
        continue;
      at = out;
    }
    memcpy(yb + static_cast<size_t>(at) * ES, xb + static_cast<size_t>(i) * ES, ES);
  }
}

#define TMC_MAX_ROI_POOL_PARAMS(F, A)                                                          \
  F(int32_t, batch)                                                                            \
  F(int32_t, channels)                                                                         \
  F(int32_t, height)                                                                           \
  F(int32_t, width)                                                                            \
  F(int32_t, num_rois)                                                                         \
  F(int32_t, pooled_h)                                                                         \
  F(int32_t, pooled_w)                                                                         \
  F(float, spatial_scale)
TMC_DEFINE_PARAMS(MaxRoiPoolParams, TMC_MAX_ROI_POOL_PARAMS)

/// Rounds half away from zero (C's round, which runtime-min does not assume).
template <typename T> static inline T round_half_away(T v) {
  return v < T(0) ? m_ceil(v - T(0.5)) : m_floor(v + T(0.5));
}

/// Max pooling over regions of interest (Fast R-CNN). Each roi row is
/// [batch_index, x1, y1, x2, y2] in input coordinates times spatial_scale,
/// rounded to whole pixels; the region (at least 1x1) is cut into
/// pooled_h x pooled_w bins with floor/ceil edges, and each bin takes its
/// maximum, or 0 when it is empty (or the batch index is out of range).
template <typename T>
static inline void max_roi_pool(const MaxRoiPoolParams *p, const T *x, const T *rois, T *y) {
  const int32_t H = p->height, W = p->width, PH = p->pooled_h, PW = p->pooled_w;
  for (int32_t r = 0; r < p->num_rois; ++r) {
    const T *roi = rois + r * 5;
    const T scale = T(p->spatial_scale);
    const T bf = roi[0];
    const bool valid = bf >= T(0) && bf < T(p->batch);
    const int32_t n = valid ? static_cast<int32_t>(bf) : 0;
    const int32_t x0 = static_cast<int32_t>(round_half_away(roi[1] * scale));
    const int32_t y0 = static_cast<int32_t>(round_half_away(roi[2] * scale));
    const int32_t x1 = static_cast<int32_t>(round_half_away(roi[3] * scale));
    const int32_t y1 = static_cast<int32_t>(round_half_away(roi[4] * scale));
    const int32_t rh = t_max(y1 - y0 + 1, int32_t(1)), rw = t_max(x1 - x0 + 1, int32_t(1));
    const T bin_h = T(rh) / T(PH), bin_w = T(rw) / T(PW);
    for (int32_t c = 0; c < p->channels; ++c) {
      const T *xc = x + (n * p->channels + c) * H * W;
      T *yc = y + (r * p->channels + c) * PH * PW;
      for (int32_t ph = 0; ph < PH; ++ph) {
        int32_t hs = static_cast<int32_t>(m_floor(T(ph) * bin_h)) + y0;
        int32_t he = static_cast<int32_t>(m_ceil(T(ph + 1) * bin_h)) + y0;
        hs = t_min(t_max(hs, int32_t(0)), H);
        he = t_min(t_max(he, int32_t(0)), H);
        for (int32_t pw = 0; pw < PW; ++pw) {
          int32_t ws = static_cast<int32_t>(m_floor(T(pw) * bin_w)) + x0;
          int32_t we = static_cast<int32_t>(m_ceil(T(pw + 1) * bin_w)) + x0;
          ws = t_min(t_max(ws, int32_t(0)), W);
          we = t_min(t_max(we, int32_t(0)), W);
          const bool empty = !valid || he <= hs || we <= ws;
          T best = empty ? T(0) : Limits<T>::lowest();
          if (!empty)
            for (int32_t h = hs; h < he; ++h)
              for (int32_t w = ws; w < we; ++w)
                best = t_max(best, xc[h * W + w]);
          yc[ph * PW + pw] = best;
        }
      }
    }
  }
}

} // namespace tmc

#endif
