//===- tmc_resize.h - resampling: Resize, GridSample, RoiAlign, NMS -------===//
//
// Kernels that read the input at computed, usually fractional, positions:
// Resize (and the deprecated Upsample), GridSample and RoiAlign; and
// NonMaxSuppression, which works on the same kind of boxes as RoiAlign.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_RESIZE_H
#define TMC_RESIZE_H

#include "tmc_base.h"

namespace tmc {

//===----------------------------------------------------------------------===//
// Resize
//===----------------------------------------------------------------------===//

enum ResizeMode { kResizeNearest = 0, kResizeLinear = 1, kResizeCubic = 2 };

/// How an output index maps to a source coordinate (ONNX's
/// coordinate_transformation_mode).
enum ResizeCoord {
  kCoordHalfPixel = 0,        ///< (o + 0.5) / scale - 0.5
  kCoordPytorchHalfPixel = 1, ///< as half_pixel, but -0.5 for a length-1 output
  kCoordAlignCorners = 2,     ///< o * (in - 1) / (out - 1)
  kCoordAsymmetric = 3,       ///< o / scale
  kCoordTfHalfPixelForNN = 4, ///< (o + 0.5) / scale
  kCoordTfCropAndResize = 5,  ///< through the roi; outside it: extrapolation_value
};

/// How nearest mode rounds a fractional source coordinate.
enum ResizeNearest {
  kNearestRoundPreferFloor = 0,
  kNearestRoundPreferCeil = 1,
  kNearestFloor = 2,
  kNearestCeil = 3,
  kNearestSimple = 4, ///< Upsample: floor when enlarging, ceil when shrinking
};

#define TMC_RESIZE_PARAMS(F, A)                                                                \
  F(int32_t, rank)                                                                             \
  F(int32_t, count)                                                                            \
  A(int32_t, in_dims, 8)                                                                       \
  A(int32_t, out_dims, 8)                                                                      \
  A(int32_t, resized, 8)                                                                       \
  A(float, scales, 8)                                                                          \
  A(float, roi_start, 8)                                                                       \
  A(float, roi_end, 8)                                                                         \
  F(int32_t, from_sizes)                                                                       \
  F(int32_t, mode)                                                                             \
  F(int32_t, coord_mode)                                                                       \
  F(int32_t, nearest_mode)                                                                     \
  F(float, cubic_a)                                                                            \
  F(int32_t, exclude_outside)                                                                  \
  F(float, extrapolation_value)                                                                \
  F(int32_t, table_size)
TMC_DEFINE_PARAMS(ResizeParams, TMC_RESIZE_PARAMS)

/// Taps per output coordinate of a resized axis: 1 (nearest), 2 (linear) or
/// 4 (cubic).
static inline int32_t resize_taps(const ResizeParams *p) {
  return p->mode == kResizeCubic ? 4 : p->mode == kResizeLinear ? 2 : 1;
}

/// Bytes of working memory the resize kernels need: for every output
/// coordinate of every resized axis (table_size in all), `taps` source
/// indices (int32) and, when interpolating, as many weights of `weight_size`.
static inline int32_t resize_scratch_bytes(const ResizeParams *p, int32_t weight_size) {
  const int32_t taps = resize_taps(p);
  return p->table_size * taps * (4 + (p->mode == kResizeNearest ? 0 : weight_size));
}

/// The source coordinate of output index `o` along axis `d`, in double as
/// ONNX's reference computes it: the scale is out / in when the node gave
/// sizes, else the float scale widened; the "resized length" of
/// align_corners and tf_crop_and_resize is scale * in, not the rounded
/// output size. `*outside` is set when tf_crop_and_resize falls outside
/// the input.
static inline double resize_source(const ResizeParams *p, int32_t d, int32_t o, bool *outside) {
  const double in = static_cast<double>(p->in_dims[d]);
  const double scale = p->from_sizes ? static_cast<double>(p->out_dims[d]) / in
                                     : static_cast<double>(p->scales[d]);
  const double len = scale * in;
  const double x = static_cast<double>(o);
  *outside = false;
  switch (p->coord_mode) {
  case kCoordPytorchHalfPixel:
    return len == 1.0 ? -0.5 : (x + 0.5) / scale - 0.5;
  case kCoordAlignCorners:
    return len == 1.0 ? 0.0 : x * (in - 1.0) / (len - 1.0);
  case kCoordAsymmetric:
    return x / scale;
  case kCoordTfHalfPixelForNN:
    return (x + 0.5) / scale;
  case kCoordTfCropAndResize: {
    const float span = p->roi_end[d] - p->roi_start[d];
    const float last = static_cast<float>(p->in_dims[d] - 1);
    double s = len == 1.0 ? static_cast<double>(span * last / 2.0f)
                          : x * static_cast<double>(span) * (in - 1.0) / (len - 1.0);
    s += static_cast<double>(p->roi_start[d] * last);
    *outside = s < 0.0 || s > in - 1.0;
    return s;
  }
  default: // kCoordHalfPixel
    return (x + 0.5) / scale - 0.5;
  }
}

/// Keys' cubic convolution weights of the four taps around a point at
/// fraction `r` past the second tap (ONNX's and PyTorch's formula).
static inline void cubic_coeffs(double r, double a, double c[4]) {
  const double s = r + 1.0, t = 1.0 - r, u = 2.0 - r;
  c[0] = ((a * s - 5.0 * a) * s + 8.0 * a) * s - 4.0 * a;
  c[1] = ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0;
  c[2] = ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
  c[3] = ((a * u - 5.0 * a) * u + 8.0 * a) * u - 4.0 * a;
}

/// Fills the tap table of axis `d`: for each output coordinate, `taps`
/// source indices (clamped to the input: edge padding) and, unless `w` is
/// null, their weights. The first index is -1 where tf_crop_and_resize
/// extrapolates.
/// - The source coordinate s splits into left + r with r in (0, 1] (an
///   integral s counts as r = 1 past s - 1, as ONNX's reference does);
/// - nearest picks left or left + 1 by nearest_mode; linear weighs left and
///   left + 1 by 1 - r and r; cubic weighs left - 1 .. left + 2;
/// - exclude_outside drops taps outside the input and renormalises.
template <typename W>
static inline void resize_table(const ResizeParams *p, int32_t d, int32_t *idx, W *w) {
  const int32_t in = p->in_dims[d], n = p->out_dims[d], taps = resize_taps(p);
  const double scale = p->from_sizes ? static_cast<double>(n) / static_cast<double>(in)
                                     : static_cast<double>(p->scales[d]);
  for (int32_t o = 0; o < n; ++o) {
    int32_t *ti = idx + o * taps;
    W *tw = w ? w + o * taps : 0;
    bool outside = false;
    const double s = resize_source(p, d, o, &outside);
    if (outside || !(s == s)) {
      for (int32_t t = 0; t < taps; ++t) {
        ti[t] = t == 0 ? -1 : 0;
        if (tw)
          tw[t] = W(0);
      }
      continue;
    }
    // Far outside the input every tap clamps to an edge anyway.
    const double sc = s < -4.0 ? -4.0 : s > double(in) + 4.0 ? double(in) + 4.0 : s;
    const double fl = floor(sc);
    const bool whole = sc == fl;
    const double r = whole ? 1.0 : sc - fl;
    const int32_t left = static_cast<int32_t>(fl) - (whole ? 1 : 0);
    double c[4] = {1.0, 0.0, 0.0, 0.0};
    int32_t base = left;
    if (p->mode == kResizeNearest) {
      bool up;
      switch (p->nearest_mode) {
      case kNearestRoundPreferCeil:
        up = r >= 0.5;
        break;
      case kNearestFloor:
        up = whole;
        break;
      case kNearestCeil:
        up = true;
        break;
      case kNearestSimple:
        up = scale < 1.0 || whole;
        break;
      default: // kNearestRoundPreferFloor
        up = r > 0.5;
        break;
      }
      base = left + (up ? 1 : 0);
    } else if (p->mode == kResizeLinear) {
      c[0] = 1.0 - r;
      c[1] = r;
    } else {
      cubic_coeffs(r, static_cast<double>(p->cubic_a), c);
      base = left - 1;
    }
    double sum = 0.0;
    for (int32_t t = 0; t < taps; ++t) {
      if (p->exclude_outside && (base + t < 0 || base + t >= in))
        c[t] = 0.0;
      sum += c[t];
    }
    for (int32_t t = 0; t < taps; ++t) {
      const int32_t i = base + t;
      ti[t] = i < 0 ? 0 : i >= in ? in - 1 : i;
      if (tw)
        tw[t] = W(p->exclude_outside && sum != 0.0 ? c[t] / sum : c[t]);
    }
  }
}

/// Builds the tables of every resized axis; `at[d]` receives the first
/// table entry of axis d.
template <typename W>
static inline void resize_tables(const ResizeParams *p, int32_t *idx, W *w, int32_t at[8]) {
  const int32_t taps = resize_taps(p);
  int32_t next = 0;
  for (int32_t d = 0; d < p->rank; ++d) {
    at[d] = next;
    if (!p->resized[d])
      continue;
    resize_table(p, d, idx + next * taps, w ? w + next * taps : static_cast<W *>(0));
    next += p->out_dims[d];
  }
}

/// Row-major strides of the input, in elements.
static inline void resize_in_strides(const ResizeParams *p, int32_t strides[8]) {
  int32_t s = 1;
  for (int32_t d = p->rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= p->in_dims[d];
  }
}

/// Nearest-neighbour Resize of any element type. Axes that are not resized
/// (same size, identity mapping) copy their index through.
template <typename T>
static inline void resize_nearest(const ResizeParams *p, const T *x, T *y, void *scratch) {
  int32_t *idx = static_cast<int32_t *>(scratch);
  int32_t at[8], strides[8], o[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  resize_tables<float>(p, idx, 0, at);
  resize_in_strides(p, strides);
  const int32_t r = p->rank;
  for (int32_t e = 0; e < p->count; ++e) {
    int32_t off = 0;
    bool outside = false;
    for (int32_t d = 0; d < r; ++d) {
      const int32_t i = p->resized[d] ? idx[at[d] + o[d]] : o[d];
      outside = outside || i < 0;
      off += i * strides[d];
    }
    y[e] = outside ? static_cast<T>(p->extrapolation_value) : x[off];
    for (int32_t d = r - 1; d >= 0; --d) {
      if (++o[d] < p->out_dims[d])
        break;
      o[d] = 0;
    }
  }
}

/// The accumulator of interpolating kernels, and the conversion back:
/// integer results round half away from zero and saturate.
template <typename T> struct InterpAcc {
  typedef float type;
  static T from(float v) {
    if (!(v == v))
      return T(0);
    if (v <= static_cast<float>(Limits<T>::lowest()))
      return Limits<T>::lowest();
    if (v >= static_cast<float>(Limits<T>::highest()))
      return Limits<T>::highest();
    return static_cast<T>(v < 0.0f ? v - 0.5f : v + 0.5f);
  }
};
template <> struct InterpAcc<float> {
  typedef float type;
  static float from(float v) { return v; }
};
template <> struct InterpAcc<double> {
  typedef double type;
  static double from(double v) { return v; }
};

/// Linear or cubic Resize: each output is the weighted sum over the tap
/// combinations of the resized axes (2 or 4 taps per axis), separable as
/// in ONNX's reference.
template <typename T>
static inline void resize_interp(const ResizeParams *p, const T *x, T *y, void *scratch) {
  typedef typename InterpAcc<T>::type W;
  const int32_t taps = resize_taps(p);
  W *wts = static_cast<W *>(scratch);
  int32_t *idx = reinterpret_cast<int32_t *>(wts + p->table_size * taps);
  int32_t at[8], strides[8], o[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  resize_tables<W>(p, idx, wts, at);
  resize_in_strides(p, strides);
  const int32_t r = p->rank;
  const W one = W(1);
  for (int32_t e = 0; e < p->count; ++e) {
    const int32_t *ti[8];
    const W *tw[8];
    int32_t nt[8], t[8];
    bool outside = false;
    for (int32_t d = 0; d < r; ++d) {
      t[d] = 0;
      if (p->resized[d]) {
        const int32_t k = (at[d] + o[d]) * taps;
        ti[d] = idx + k;
        tw[d] = wts + k;
        nt[d] = taps;
        outside = outside || ti[d][0] < 0;
      } else {
        ti[d] = o + d;
        tw[d] = &one;
        nt[d] = 1;
      }
    }
    if (outside) {
      y[e] = InterpAcc<T>::from(W(p->extrapolation_value));
    } else {
      W acc = W(0);
      for (;;) {
        W wt = one;
        int32_t off = 0;
        for (int32_t d = 0; d < r; ++d) {
          wt *= tw[d][t[d]];
          off += ti[d][t[d]] * strides[d];
        }
        acc += wt * static_cast<W>(x[off]);
        int32_t d = r - 1;
        while (d >= 0 && ++t[d] == nt[d])
          t[d--] = 0;
        if (d < 0)
          break;
      }
      y[e] = InterpAcc<T>::from(acc);
    }
    for (int32_t d = r - 1; d >= 0; --d) {
      if (++o[d] < p->out_dims[d])
        break;
      o[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// GridSample
//===----------------------------------------------------------------------===//

enum GridSampleMode { kGridBilinear = 0, kGridNearest = 1, kGridBicubic = 2 };
enum GridSamplePadding { kGridZeros = 0, kGridBorder = 1, kGridReflection = 2 };

#define TMC_GRID_SAMPLE_PARAMS(F, A)                                                           \
  F(int32_t, batch)                                                                            \
  F(int32_t, channels)                                                                         \
  F(int32_t, in_h)                                                                             \
  F(int32_t, in_w)                                                                             \
  F(int32_t, out_h)                                                                            \
  F(int32_t, out_w)                                                                            \
  F(int32_t, mode)                                                                             \
  F(int32_t, padding_mode)                                                                     \
  F(int32_t, align_corners)
TMC_DEFINE_PARAMS(GridSampleParams, TMC_GRID_SAMPLE_PARAMS)

/// [-1, 1] to pixel coordinates: corner pixel centres at -1 and 1 with
/// align_corners, else the outer edges of the corner pixels.
template <typename T> static inline T gs_unnormalize(T c, int32_t size, int32_t align) {
  return align ? (c + T(1)) / T(2) * T(size - 1) : ((c + T(1)) * T(size) - T(1)) / T(2);
}

/// Reflects c into [twice_low / 2, twice_high / 2] (PyTorch's
/// reflect_coordinates).
template <typename T> static inline T gs_reflect(T c, T twice_low, T twice_high) {
  if (twice_low == twice_high)
    return T(0);
  const T lo = twice_low / T(2), span = (twice_high - twice_low) / T(2);
  c = m_fabs(c - lo);
  const T extra = m_fmod(c, span);
  const T flips = m_floor(c / span);
  return m_fmod(flips, T(2)) == T(0) ? extra + lo : span - extra + lo;
}

/// Applies the padding mode to a pixel coordinate: border clamps to the
/// image, reflection mirrors then clamps, zeros leaves it.
template <typename T>
static inline T gs_pad(T c, int32_t size, int32_t padding, int32_t align) {
  if (padding == kGridZeros)
    return c;
  if (padding == kGridReflection)
    c = align ? gs_reflect(c, T(0), T(2 * (size - 1))) : gs_reflect(c, T(-1), T(2 * size - 1));
  return t_min(T(size - 1), t_max(c, T(0)));
}

/// A whole coordinate as an index; far-away values (and NaN) become an index
/// that is out of bounds whatever the size.
template <typename T> static inline int32_t gs_index(T c) {
  if (!(c > T(-2)))
    return -2;
  if (c > T(1 << 30))
    return 1 << 30;
  return static_cast<int32_t>(c);
}

/// The pixel at (iy, ix), or 0 outside the image.
template <typename T>
static inline T gs_at(const T *plane, int32_t h, int32_t w, int32_t iy, int32_t ix) {
  return iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[iy * w + ix] : T(0);
}

/// Cubic interpolation of four samples at fraction t past the second.
template <typename T> static inline T gs_cubic(const T v[4], T t) {
  double c[4];
  cubic_coeffs(static_cast<double>(t), -0.75, c);
  return T(c[0]) * v[0] + T(c[1]) * v[1] + T(c[2]) * v[2] + T(c[3]) * v[3];
}

/// Samples x [N, C, H, W] at the normalised (x, y) positions of grid
/// [N, H_out, W_out, 2], as torch.nn.functional.grid_sample does:
/// - bilinear and nearest (round half to even) apply the padding mode to the
///   coordinate, and read 0 outside the image;
/// - bicubic takes the 4x4 neighbourhood of the unpadded coordinate and
///   applies the padding mode to each tap (A = -0.75).
template <typename T>
static inline void grid_sample(const GridSampleParams *p, const T *x, const T *grid, T *y) {
  const int32_t H = p->in_h, W = p->in_w, OH = p->out_h, OW = p->out_w, C = p->channels;
  const int32_t pad = p->padding_mode, align = p->align_corners;
  for (int32_t n = 0; n < p->batch; ++n) {
    const T *xn = x + n * C * H * W;
    T *yn = y + n * C * OH * OW;
    for (int32_t oh = 0; oh < OH; ++oh)
      for (int32_t ow = 0; ow < OW; ++ow) {
        const T *g = grid + ((n * OH + oh) * OW + ow) * 2;
        const int32_t o = oh * OW + ow;
        if (p->mode == kGridBicubic) {
          const T ix = gs_unnormalize(g[0], W, align), iy = gs_unnormalize(g[1], H, align);
          const T fx = m_floor(ix), fy = m_floor(iy);
          const T tx = ix - fx, ty = iy - fy;
          int32_t cx[4], cy[4];
          for (int32_t k = 0; k < 4; ++k) {
            cx[k] = gs_index(gs_pad(fx - T(1) + T(k), W, pad, align));
            cy[k] = gs_index(gs_pad(fy - T(1) + T(k), H, pad, align));
          }
          for (int32_t c = 0; c < C; ++c) {
            const T *plane = xn + c * H * W;
            T rows[4];
            for (int32_t i = 0; i < 4; ++i) {
              T v[4];
              for (int32_t j = 0; j < 4; ++j)
                v[j] = gs_at(plane, H, W, cy[i], cx[j]);
              rows[i] = gs_cubic(v, tx);
            }
            yn[c * OH * OW + o] = gs_cubic(rows, ty);
          }
          continue;
        }
        const T ix = gs_pad(gs_unnormalize(g[0], W, align), W, pad, align);
        const T iy = gs_pad(gs_unnormalize(g[1], H, align), H, pad, align);
        if (p->mode == kGridNearest) {
          const int32_t nx = gs_index(m_rint(ix)), ny = gs_index(m_rint(iy));
          for (int32_t c = 0; c < C; ++c)
            yn[c * OH * OW + o] = gs_at(xn + c * H * W, H, W, ny, nx);
          continue;
        }
        const T fx = m_floor(ix), fy = m_floor(iy);
        const int32_t x0 = gs_index(fx), y0 = gs_index(fy);
        const T ex = fx + T(1), ey = fy + T(1);
        const T nw = (ex - ix) * (ey - iy), ne = (ix - fx) * (ey - iy);
        const T sw = (ex - ix) * (iy - fy), se = (ix - fx) * (iy - fy);
        for (int32_t c = 0; c < C; ++c) {
          const T *plane = xn + c * H * W;
          yn[c * OH * OW + o] =
              gs_at(plane, H, W, y0, x0) * nw + gs_at(plane, H, W, y0, x0 + 1) * ne +
              gs_at(plane, H, W, y0 + 1, x0) * sw + gs_at(plane, H, W, y0 + 1, x0 + 1) * se;
        }
      }
  }
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

#define TMC_ROI_ALIGN_PARAMS(F, A)                                                             \
  F(int32_t, batch)                                                                            \
  F(int32_t, channels)                                                                         \
  F(int32_t, height)                                                                           \
  F(int32_t, width)                                                                            \
  F(int32_t, num_rois)                                                                         \
  F(int32_t, out_h)                                                                            \
  F(int32_t, out_w)                                                                            \
  F(int32_t, sampling_ratio)                                                                   \
  F(float, spatial_scale)                                                                      \
  F(int32_t, half_pixel)                                                                       \
  F(int32_t, max_mode)
TMC_DEFINE_PARAMS(RoiAlignParams, TMC_ROI_ALIGN_PARAMS)

/// RoiAlign (Mask R-CNN) as ONNX Runtime computes it. Each roi [x1, y1, x2,
/// y2] is scaled (and shifted by half a pixel with half_pixel; without it the
/// region is at least 1x1) and cut into out_h x out_w bins; each bin samples
/// a grid of sampling_ratio^2 points (or ceil(bin size) per axis when it is
/// 0) bilinearly, and takes their mean (avg) or the largest weighted corner
/// value (max, ONNX Runtime's definition). Samples more than one pixel
/// outside the image count as 0; a batch index out of range gives zeros.
template <typename T>
static inline void roi_align(const RoiAlignParams *p, const T *x, const T *rois,
                             const int64_t *batch_indices, T *y) {
  const int32_t H = p->height, W = p->width, C = p->channels, OH = p->out_h, OW = p->out_w;
  const T scale = T(p->spatial_scale), off = p->half_pixel ? T(0.5) : T(0);
  for (int32_t r = 0; r < p->num_rois; ++r) {
    const T *roi = rois + r * 4;
    T *yr = y + r * C * OH * OW;
    const int64_t n = batch_indices[r];
    if (n < 0 || n >= p->batch) {
      for (int32_t i = 0; i < C * OH * OW; ++i)
        yr[i] = T(0);
      continue;
    }
    const T *xn = x + static_cast<int32_t>(n) * C * H * W;
    const T sw = roi[0] * scale - off, sh = roi[1] * scale - off;
    T rw = roi[2] * scale - off - sw, rh = roi[3] * scale - off - sh;
    if (!p->half_pixel) {
      rw = t_max(rw, T(1));
      rh = t_max(rh, T(1));
    }
    const T bin_h = rh / T(OH), bin_w = rw / T(OW);
    const T cap = T(1 << 20);
    const int32_t gh = p->sampling_ratio > 0
                           ? p->sampling_ratio
                           : static_cast<int32_t>(t_min(t_max(m_ceil(rh / T(OH)), T(0)), cap));
    const int32_t gw = p->sampling_ratio > 0
                           ? p->sampling_ratio
                           : static_cast<int32_t>(t_min(t_max(m_ceil(rw / T(OW)), T(0)), cap));
    const T count = T(t_max(gh * gw, int32_t(1)));
    for (int32_t ph = 0; ph < OH; ++ph)
      for (int32_t pw = 0; pw < OW; ++pw) {
        T *yo = yr + ph * OW + pw;
        for (int32_t c = 0; c < C; ++c)
          yo[c * OH * OW] = T(0);
        bool first = true;
        for (int32_t iy = 0; iy < gh; ++iy) {
          const T yy = sh + T(ph) * bin_h + (T(iy) + T(0.5)) * bin_h / T(gh);
          for (int32_t ix = 0; ix < gw; ++ix) {
            const T xx = sw + T(pw) * bin_w + (T(ix) + T(0.5)) * bin_w / T(gw);
            // Bilinear weights of the four neighbours.
            T w1 = T(0), w2 = T(0), w3 = T(0), w4 = T(0);
            int32_t p1 = 0, p2 = 0, p3 = 0, p4 = 0;
            if (!(yy < T(-1) || yy > T(H) || xx < T(-1) || xx > T(W))) {
              T sy = t_max(yy, T(0)), sx = t_max(xx, T(0));
              int32_t y0 = static_cast<int32_t>(sy), x0 = static_cast<int32_t>(sx), y1, x1;
              if (y0 >= H - 1) {
                y0 = y1 = H - 1;
                sy = T(y0);
              } else {
                y1 = y0 + 1;
              }
              if (x0 >= W - 1) {
                x0 = x1 = W - 1;
                sx = T(x0);
              } else {
                x1 = x0 + 1;
              }
              const T ly = sy - T(y0), lx = sx - T(x0), hy = T(1) - ly, hx = T(1) - lx;
              w1 = hy * hx, w2 = hy * lx, w3 = ly * hx, w4 = ly * lx;
              p1 = y0 * W + x0, p2 = y0 * W + x1, p3 = y1 * W + x0, p4 = y1 * W + x1;
            }
            for (int32_t c = 0; c < C; ++c) {
              const T *plane = xn + c * H * W;
              T &acc = yo[c * OH * OW];
              if (p->max_mode) {
                const T v = t_max(t_max(t_max(w1 * plane[p1], w2 * plane[p2]), w3 * plane[p3]),
                                  w4 * plane[p4]);
                acc = first ? v : t_max(acc, v);
              } else {
                acc += w1 * plane[p1] + w2 * plane[p2] + w3 * plane[p3] + w4 * plane[p4];
              }
            }
            first = false;
          }
        }
        if (!p->max_mode)
          for (int32_t c = 0; c < C; ++c)
            yo[c * OH * OW] /= count;
      }
  }
}

//===----------------------------------------------------------------------===//
// NonMaxSuppression
//===----------------------------------------------------------------------===//

#define TMC_NMS_PARAMS(F, A)                                                                   \
  F(int32_t, batches)                                                                          \
  F(int32_t, classes)                                                                          \
  F(int32_t, boxes)                                                                            \
  F(int32_t, max_out)                                                                          \
  F(int32_t, center_point_box)                                                                 \
  F(float, iou_threshold)                                                                      \
  F(int32_t, has_score_threshold)                                                              \
  F(float, score_threshold)                                                                    \
  F(int32_t, selected)
TMC_DEFINE_PARAMS(NmsParams, TMC_NMS_PARAMS)

/// True when the IoU of boxes a and b exceeds the threshold. Boxes are
/// [y1, x1, y2, x2] (any two opposite corners) or, with center_point_box,
/// [x_center, y_center, width, height]. Degenerate boxes never suppress.
/// The compiler's shape inference repeats this test (ir/ops/Spatial.cpp,
/// nmsSuppresses) in the same float operations: keep the two in step.
static inline bool nms_suppresses(const float *a, const float *b, int32_t center, float thr) {
  float ax0, ax1, ay0, ay1, bx0, bx1, by0, by1;
  if (center) {
    ax0 = a[0] - a[2] / 2.0f, ax1 = a[0] + a[2] / 2.0f;
    ay0 = a[1] - a[3] / 2.0f, ay1 = a[1] + a[3] / 2.0f;
    bx0 = b[0] - b[2] / 2.0f, bx1 = b[0] + b[2] / 2.0f;
    by0 = b[1] - b[3] / 2.0f, by1 = b[1] + b[3] / 2.0f;
  } else {
    ax0 = t_min(a[1], a[3]), ax1 = t_max(a[1], a[3]);
    ay0 = t_min(a[0], a[2]), ay1 = t_max(a[0], a[2]);
    bx0 = t_min(b[1], b[3]), bx1 = t_max(b[1], b[3]);
    by0 = t_min(b[0], b[2]), by1 = t_max(b[0], b[2]);
  }
  const float ix0 = t_max(ax0, bx0), ix1 = t_min(ax1, bx1);
  if (ix1 <= ix0)
    return false;
  const float iy0 = t_max(ay0, by0), iy1 = t_min(ay1, by1);
  if (iy1 <= iy0)
    return false;
  const float inter = (ix1 - ix0) * (iy1 - iy0);
  if (inter <= 0.0f)
    return false;
  const float area_a = (ax1 - ax0) * (ay1 - ay0), area_b = (bx1 - bx0) * (by1 - by0);
  const float uni = area_a + area_b - inter;
  if (area_a <= 0.0f || area_b <= 0.0f || uni <= 0.0f)
    return false;
  return inter / uni > thr;
}

/// Greedy non-maximum suppression per batch and class, as ONNX Runtime
/// does: candidates scoring above score_threshold (when given) are taken
/// highest score first (ties: lower box index first) and kept unless their
/// IoU with a box already kept for the class exceeds iou_threshold, until
/// max_out are kept. Writes [batch, class, box] rows in that order; y holds
/// `selected` rows (the count shape inference found). Scratch: 5 bytes per
/// box.
static inline void non_max_suppression(const NmsParams *p, const float *boxes,
                                       const float *scores, int64_t *y, void *scratch) {
  const int32_t S = p->boxes;
  int32_t *kept = static_cast<int32_t *>(scratch);
  unsigned char *candidate = reinterpret_cast<unsigned char *>(kept + S);
  int32_t row = 0;
  for (int32_t b = 0; b < p->batches; ++b)
    for (int32_t c = 0; c < p->classes; ++c) {
      const float *s = scores + (b * p->classes + c) * S;
      const float *bb = boxes + b * S * 4;
      for (int32_t i = 0; i < S; ++i)
        candidate[i] = !p->has_score_threshold || s[i] > p->score_threshold;
      int32_t nk = 0;
      while (nk < p->max_out) {
        int32_t best = -1;
        for (int32_t i = 0; i < S; ++i)
          if (candidate[i] && (best < 0 || s[i] > s[best]))
            best = i;
        if (best < 0)
          break;
        candidate[best] = 0;
        bool suppressed = false;
        for (int32_t k = 0; k < nk && !suppressed; ++k)
          suppressed = nms_suppresses(bb + best * 4, bb + kept[k] * 4, p->center_point_box,
                                      p->iou_threshold);
        if (suppressed)
          continue;
        kept[nk++] = best;
        if (row < p->selected) {
          y[row * 3 + 0] = b;
          y[row * 3 + 1] = c;
          y[row * 3 + 2] = best;
          ++row;
        }
      }
    }
  for (; row < p->selected; ++row)
    y[row * 3 + 0] = y[row * 3 + 1] = y[row * 3 + 2] = -1;
}

} // namespace tmc

#endif
