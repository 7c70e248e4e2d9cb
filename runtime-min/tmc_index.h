//===- tmc_index.h - indexing: gathers, scatters, tiles, generators ---------===//
//
// Kernels that pick elements by index (GatherElements, GatherND, Compress,
// ReverseSequence), write them by index (ScatterElements, ScatterND), make
// tensors from a few numbers (ConstantOfShape, Range, EyeLike, OneHot), mask
// them (Trilu), search them (NonZero, Unique) and contract them (Einsum).
//
// Kernels that only move elements work on bytes (ES is the element size);
// the others are templates over the element type. Indices are clamped or
// checked so that no index read at run time can address memory outside a
// tensor: an out-of-range runtime index reads zeros and writes nothing (the
// compiler rejects out-of-range constant indices before this point).
//
// Integer arithmetic (scatter reductions, Range, Einsum) wraps modulo 2^bits,
// computed in uint64_t, so it never overflows a signed type.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_INDEX_H
#define TMC_INDEX_H

#include "tmc_base.h"

namespace tmc {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// Wrapping integer arithmetic; the float overloads are the plain operations.
/// For bool, addition is "or" and multiplication "and" (numpy's rules).
template <typename T> static inline T ix_add(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
static inline float ix_add(float a, float b) { return a + b; }
static inline double ix_add(double a, double b) { return a + b; }
template <typename T> static inline T ix_mul(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
static inline float ix_mul(float a, float b) { return a * b; }
static inline double ix_mul(double a, double b) { return a * b; }

/// An index of any numeric type as int64 (floats truncate toward zero), or
/// `bad` when it does not lie in [-n, n).
template <typename I> static inline int64_t ix_index(I v, int64_t n, int64_t bad) {
  const double d = static_cast<double>(v);
  if (!(d > -static_cast<double>(n) - 1.0) || !(d < static_cast<double>(n)))
    return bad;
  int64_t i = static_cast<int64_t>(d);
  if (i < 0)
    i += n;
  return i < 0 || i >= n ? bad : i;
}
static inline int64_t ix_index(int64_t v, int64_t n, int64_t bad) {
  if (v < -n || v >= n)
    return bad;
  return v < 0 ? v + n : v;
}
static inline int64_t ix_index(int32_t v, int64_t n, int64_t bad) {
  return ix_index(static_cast<int64_t>(v), n, bad);
}

/// Reduction of a scatter: the value written over `old`.
enum ScatterReduction { kScatterNone = 0, kScatterAdd = 1, kScatterMul = 2 };
template <typename T> static inline T ix_reduce(int32_t reduction, T old, T v) {
  if (reduction == kScatterAdd)
    return ix_add(old, v);
  if (reduction == kScatterMul)
    return ix_mul(old, v);
  return v;
}

/// a < b with NaN above every number (so sorting puts NaNs last).
template <typename T> static inline bool ix_less(T a, T b) { return a < b; }
static inline bool ix_less(float a, float b) { return a < b || (b != b && a == a); }
static inline bool ix_less(double a, double b) { return a < b || (b != b && a == a); }

/// x != 0 (NaN counts as nonzero).
template <typename T> static inline bool ix_nonzero(T x) { return x != T(0); }
static inline bool ix_nonzero(bool x) { return x; }

//===----------------------------------------------------------------------===//
// Tile
//===----------------------------------------------------------------------===//

#define TMC_TILE_PARAMS(F, A)                                                                  \
  F(int32_t, rank)                                                                             \
  F(int32_t, rows)                                                                             \
  A(int32_t, in_dims, 8)                                                                       \
  A(int32_t, out_dims, 8)
TMC_DEFINE_PARAMS(TileParams, TMC_TILE_PARAMS)

/// Tile: y[i] = x[i mod in_dims] per dim (out_dims are multiples of in_dims,
/// none of them 0). y is written row by row (a row is the innermost dim): the
/// input row is copied out_dims[rank-1] / in_dims[rank-1] times.
template <int ES> static inline void tile(const TileParams *p, const void *x, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const int32_t r = p->rank;
  int32_t strides[kMaxRank];
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; --d) {
    strides[d] = s;
    s *= p->in_dims[d];
  }
  const int32_t in_row = r > 0 ? p->in_dims[r - 1] : 1, out_row = r > 0 ? p->out_dims[r - 1] : 1;
  const size_t row_bytes = static_cast<size_t>(in_row) * ES;
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int32_t row = 0; row < p->rows; ++row) {
    int32_t at = 0;
    for (int32_t d = 0; d + 1 < r; ++d)
      at += (idx[d] % p->in_dims[d]) * strides[d];
    unsigned char *dst = yb + static_cast<size_t>(row) * out_row * ES;
    for (int32_t j = 0; j < out_row; j += in_row, dst += row_bytes)
      memcpy(dst, xb + static_cast<size_t>(at) * ES, row_bytes);
    for (int32_t d = r - 2; d >= 0; --d) {
      if (++idx[d] < p->out_dims[d])
        break;
      idx[d] = 0;
    }
  }
}

//===----------------------------------------------------------------------===//
// Generators
//===----------------------------------------------------------------------===//

#define TMC_FILL_PARAMS(F, A)                                                                  \
  F(int32_t, count)                                                                            \
  A(int32_t, value, 2)
TMC_DEFINE_PARAMS(FillParams, TMC_FILL_PARAMS)

/// ConstantOfShape: every element of y is the ES bytes held in `value`
/// (little-endian words, as the compiler packed them).
template <int ES> static inline void fill(const FillParams *p, void *y) {
  unsigned char v[8];
  memcpy(v, p->value, 8);
  unsigned char *yb = static_cast<unsigned char *>(y);
  for (int32_t i = 0; i < p->count; ++i)
    memcpy(yb + static_cast<size_t>(i) * ES, v, ES);
}

#define TMC_RANGE_PARAMS(F, A) F(int32_t, count)
TMC_DEFINE_PARAMS(RangeParams, TMC_RANGE_PARAMS)

/// Range: y[i] = start + i * delta (the count was computed from limit).
template <typename T>
static inline void range(const RangeParams *p, const T *start, const T *delta, T *y) {
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = ix_add(*start, ix_mul(static_cast<T>(i), *delta));
}

#define TMC_EYE_LIKE_PARAMS(F, A)                                                              \
  F(int32_t, rows)                                                                             \
  F(int32_t, cols)                                                                             \
  F(int32_t, k)
TMC_DEFINE_PARAMS(EyeLikeParams, TMC_EYE_LIKE_PARAMS)

/// EyeLike: ones where column - row == k, zeros elsewhere.
template <typename T> static inline void eye_like(const EyeLikeParams *p, T *y) {
  for (int32_t r = 0; r < p->rows; ++r)
    for (int32_t c = 0; c < p->cols; ++c)
      y[static_cast<size_t>(r) * p->cols + c] = c - r == p->k ? T(1) : T(0);
}

#define TMC_ONE_HOT_PARAMS(F, A)                                                               \
  F(int32_t, outer)                                                                            \
  F(int32_t, depth)                                                                            \
  F(int32_t, inner)
TMC_DEFINE_PARAMS(OneHotParams, TMC_ONE_HOT_PARAMS)

/// OneHot over the output view [outer, depth, inner] (indices are [outer,
/// inner]): values[1] where the index (negative counts from depth) equals the
/// position along depth, values[0] elsewhere; indices outside [-depth, depth)
/// give a row of values[0].
template <int ES, typename I>
static inline void one_hot(const OneHotParams *p, const I *indices, const void *values, void *y) {
  const unsigned char *vb = static_cast<const unsigned char *>(values);
  unsigned char *yb = static_cast<unsigned char *>(y);
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < p->inner; ++i) {
      const int64_t at = ix_index(indices[static_cast<size_t>(o) * p->inner + i], p->depth, -1);
      for (int32_t d = 0; d < p->depth; ++d)
        memcpy(yb + ((static_cast<size_t>(o) * p->depth + d) * p->inner + i) * ES,
               vb + (d == at ? ES : 0), ES);
    }
}

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

#define TMC_TRILU_PARAMS(F, A)                                                                 \
  F(int32_t, batch)                                                                            \
  F(int32_t, rows)                                                                             \
  F(int32_t, cols)                                                                             \
  F(int32_t, upper)
TMC_DEFINE_PARAMS(TriluParams, TMC_TRILU_PARAMS)

/// Trilu on [batch, rows, cols] matrices: keeps elements with
/// column - row >= k (upper) or <= k (lower) and zeroes the rest; k is read
/// at run time (0 when absent).
template <int ES>
static inline void trilu(const TriluParams *p, const void *x, const int64_t *k, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const int64_t kk = k ? *k : 0;
  size_t at = 0;
  for (int32_t b = 0; b < p->batch; ++b)
    for (int32_t r = 0; r < p->rows; ++r)
      for (int32_t c = 0; c < p->cols; ++c, ++at) {
        const int64_t diff = static_cast<int64_t>(c) - r;
        const bool keep = p->upper ? diff >= kk : diff <= kk;
        if (keep)
          memmove(yb + at * ES, xb + at * ES, ES);
        else
          memset(yb + at * ES, 0, ES);
      }
}

//===----------------------------------------------------------------------===//
// Gathers
//===----------------------------------------------------------------------===//

#define TMC_GATHER_ELEMENTS_PARAMS(F, A)                                                       \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  F(int32_t, axis)                                                                             \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, data_dims, 8)
TMC_DEFINE_PARAMS(GatherElementsParams, TMC_GATHER_ELEMENTS_PARAMS)

/// GatherElements: y[i] = data[i with coordinate `axis` replaced by
/// indices[i]], for every index i of `dims` (the shape of indices and y).
template <int ES, typename I>
static inline void gather_elements(const GatherElementsParams *p, const void *data,
                                   const I *indices, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(data);
  unsigned char *yb = static_cast<unsigned char *>(y);
  int32_t strides[kMaxRank];
  int32_t s = 1;
  for (int32_t d = p->rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= p->data_dims[d];
  }
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int32_t o = 0; o < p->count; ++o) {
    const int64_t j = ix_index(indices[o], p->data_dims[p->axis], -1);
    if (j < 0) {
      memset(yb + static_cast<size_t>(o) * ES, 0, ES);
    } else {
      int64_t at = 0;
      for (int32_t d = 0; d < p->rank; ++d)
        at += static_cast<int64_t>(d == p->axis ? j : idx[d]) * strides[d];
      memcpy(yb + static_cast<size_t>(o) * ES, xb + static_cast<size_t>(at) * ES, ES);
    }
    for (int32_t d = p->rank - 1; d >= 0; --d) {
      if (++idx[d] < p->dims[d])
        break;
      idx[d] = 0;
    }
  }
}

#define TMC_GATHER_ND_PARAMS(F, A)                                                             \
  F(int32_t, batch)                                                                            \
  F(int32_t, tuples)                                                                           \
  F(int32_t, depth)                                                                            \
  F(int32_t, slice)                                                                            \
  F(int32_t, data_batch)                                                                       \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, strides, 8)
TMC_DEFINE_PARAMS(GatherNDParams, TMC_GATHER_ND_PARAMS)

/// GatherND: for each of `batch` batches and each of its `tuples` index
/// tuples of `depth` coordinates (into dims, with element strides), copies
/// the `slice` elements there. Batches are data_batch elements apart in data.
template <int ES>
static inline void gather_nd(const GatherNDParams *p, const void *data, const int64_t *indices,
                             void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(data);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const size_t block = static_cast<size_t>(p->slice) * ES;
  for (int32_t b = 0; b < p->batch; ++b)
    for (int32_t t = 0; t < p->tuples; ++t) {
      const int64_t *tuple = indices + (static_cast<size_t>(b) * p->tuples + t) * p->depth;
      int64_t at = static_cast<int64_t>(b) * p->data_batch;
      bool ok = true;
      for (int32_t k = 0; k < p->depth; ++k) {
        const int64_t j = ix_index(tuple[k], p->dims[k], -1);
        ok = ok && j >= 0;
        at += j * p->strides[k];
      }
      unsigned char *dst = yb + (static_cast<size_t>(b) * p->tuples + t) * block;
      if (ok)
        memcpy(dst, xb + static_cast<size_t>(at) * ES, block);
      else
        memset(dst, 0, block);
    }
}

#define TMC_COMPRESS_PARAMS(F, A)                                                              \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, conditions)
TMC_DEFINE_PARAMS(CompressParams, TMC_COMPRESS_PARAMS)

/// Compress over an [outer, axis_size, inner] view: copies the inner blocks
/// whose condition is true, in order; conditions past the axis are ignored.
template <int ES>
static inline void compress(const CompressParams *p, const void *x, const bool *condition,
                            void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const size_t block = static_cast<size_t>(p->inner) * ES;
  const int32_t n = p->conditions < p->axis_size ? p->conditions : p->axis_size;
  size_t out = 0;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t a = 0; a < n; ++a)
      if (condition[a]) {
        memcpy(yb + out, xb + (static_cast<size_t>(o) * p->axis_size + a) * block, block);
        out += block;
      }
}

#define TMC_REVERSE_SEQUENCE_PARAMS(F, A)                                                      \
  F(int32_t, steps)                                                                            \
  F(int32_t, batch)                                                                            \
  F(int32_t, step_stride)                                                                      \
  F(int32_t, batch_stride)                                                                     \
  F(int32_t, inner)
TMC_DEFINE_PARAMS(ReverseSequenceParams, TMC_REVERSE_SEQUENCE_PARAMS)

/// ReverseSequence: for batch b, the first lengths[b] time steps (clamped to
/// [0, steps]) are reversed and the rest copied. A (step, batch) pair is the
/// block of `inner` elements at step * step_stride + batch * batch_stride.
template <int ES>
static inline void reverse_sequence(const ReverseSequenceParams *p, const void *x,
                                    const int64_t *lengths, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const size_t block = static_cast<size_t>(p->inner) * ES;
  for (int32_t b = 0; b < p->batch; ++b) {
    int64_t len = lengths[b];
    len = len < 0 ? 0 : len > p->steps ? p->steps : len;
    for (int32_t t = 0; t < p->steps; ++t) {
      const int64_t from = t < len ? len - 1 - t : t;
      const size_t base = static_cast<size_t>(b) * p->batch_stride;
      memcpy(yb + (base + static_cast<size_t>(t) * p->step_stride) * ES,
             xb + (base + static_cast<size_t>(from) * p->step_stride) * ES, block);
    }
  }
}

//===----------------------------------------------------------------------===//
// Scatters
//===----------------------------------------------------------------------===//

#define TMC_SCATTER_ELEMENTS_PARAMS(F, A)                                                      \
  F(int32_t, count)                                                                            \
  F(int32_t, data_count)                                                                       \
  F(int32_t, rank)                                                                             \
  F(int32_t, axis)                                                                             \
  F(int32_t, reduction)                                                                        \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, data_dims, 8)
TMC_DEFINE_PARAMS(ScatterElementsParams, TMC_SCATTER_ELEMENTS_PARAMS)

/// ScatterElements: y = data, then for every index i of `dims` (the shape of
/// indices and updates), y[i with coordinate `axis` replaced by indices[i]]
/// is combined with updates[i] by the reduction, in index order.
template <typename T, typename I>
static inline void scatter_elements(const ScatterElementsParams *p, const T *data,
                                    const I *indices, const T *updates, T *y) {
  if (data != y)
    memmove(y, data, static_cast<size_t>(p->data_count) * sizeof(T));
  int32_t strides[kMaxRank];
  int32_t s = 1;
  for (int32_t d = p->rank - 1; d >= 0; --d) {
    strides[d] = s;
    s *= p->data_dims[d];
  }
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int32_t o = 0; o < p->count; ++o) {
    const int64_t j = ix_index(indices[o], p->data_dims[p->axis], -1);
    if (j >= 0) {
      int64_t at = 0;
      for (int32_t d = 0; d < p->rank; ++d)
        at += static_cast<int64_t>(d == p->axis ? j : idx[d]) * strides[d];
      y[at] = ix_reduce(p->reduction, y[at], updates[o]);
    }
    for (int32_t d = p->rank - 1; d >= 0; --d) {
      if (++idx[d] < p->dims[d])
        break;
      idx[d] = 0;
    }
  }
}

#define TMC_SCATTER_ND_PARAMS(F, A)                                                            \
  F(int32_t, data_count)                                                                       \
  F(int32_t, tuples)                                                                           \
  F(int32_t, depth)                                                                            \
  F(int32_t, slice)                                                                            \
  F(int32_t, reduction)                                                                        \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, strides, 8)
TMC_DEFINE_PARAMS(ScatterNDParams, TMC_SCATTER_ND_PARAMS)

/// ScatterND: y = data, then for each of the `tuples` index tuples of
/// `depth` coordinates (into dims, with element strides), the `slice`
/// elements there are combined with the tuple's slice of updates.
template <typename T>
static inline void scatter_nd(const ScatterNDParams *p, const T *data, const int64_t *indices,
                              const T *updates, T *y) {
  if (data != y)
    memmove(y, data, static_cast<size_t>(p->data_count) * sizeof(T));
  for (int32_t t = 0; t < p->tuples; ++t) {
    const int64_t *tuple = indices + static_cast<size_t>(t) * p->depth;
    int64_t at = 0;
    bool ok = true;
    for (int32_t k = 0; k < p->depth; ++k) {
      const int64_t j = ix_index(tuple[k], p->dims[k], -1);
      ok = ok && j >= 0;
      at += j * p->strides[k];
    }
    if (!ok)
      continue;
    const T *u = updates + static_cast<size_t>(t) * p->slice;
    for (int32_t i = 0; i < p->slice; ++i)
      y[at + i] = ix_reduce(p->reduction, y[at + i], u[i]);
  }
}

//===----------------------------------------------------------------------===//
// Searches
//===----------------------------------------------------------------------===//

#define TMC_NONZERO_PARAMS(F, A)                                                               \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  F(int32_t, nonzeros)                                                                         \
  A(int32_t, dims, 8)
TMC_DEFINE_PARAMS(NonZeroParams, TMC_NONZERO_PARAMS)

/// NonZero: y is [rank, nonzeros]; column k holds the coordinates of the
/// k-th nonzero element of x in C order (at most `nonzeros` are written).
template <typename T> static inline void nonzero(const NonZeroParams *p, const T *x, int64_t *y) {
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t k = 0;
  for (int32_t i = 0; i < p->count && k < p->nonzeros; ++i) {
    if (ix_nonzero(x[i])) {
      for (int32_t d = 0; d < p->rank; ++d)
        y[static_cast<size_t>(d) * p->nonzeros + k] = idx[d];
      ++k;
    }
    for (int32_t d = p->rank - 1; d >= 0; --d) {
      if (++idx[d] < p->dims[d])
        break;
      idx[d] = 0;
    }
  }
}

#define TMC_UNIQUE_PARAMS(F, A)                                                                \
  F(int32_t, outer)                                                                            \
  F(int32_t, n)                                                                                \
  F(int32_t, inner)                                                                            \
  F(int32_t, uniques)                                                                          \
  F(int32_t, sorted)
TMC_DEFINE_PARAMS(UniqueParams, TMC_UNIQUE_PARAMS)

/// Orders slices a and b of an [outer, n, inner] view lexicographically
/// (NaN above numbers), then by position: a total order.
template <typename T>
static inline bool ix_slice_less(const UniqueParams *p, const T *x, int32_t a, int32_t b) {
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < p->inner; ++i) {
      const T va = x[(static_cast<size_t>(o) * p->n + a) * p->inner + i];
      const T vb = x[(static_cast<size_t>(o) * p->n + b) * p->inner + i];
      if (ix_less(va, vb))
        return true;
      if (ix_less(vb, va))
        return false;
    }
  return a < b;
}

/// Slices a and b are equal element for element (NaN equals nothing).
template <typename T>
static inline bool ix_slice_equal(const UniqueParams *p, const T *x, int32_t a, int32_t b) {
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < p->inner; ++i)
      if (!(x[(static_cast<size_t>(o) * p->n + a) * p->inner + i] ==
            x[(static_cast<size_t>(o) * p->n + b) * p->inner + i]))
        return false;
  return true;
}

/// keys a < b: slices by ix_slice_less, or plain values when x is null.
template <typename T>
static inline bool ix_key_less(const UniqueParams *p, const T *x, int32_t a, int32_t b) {
  return x ? ix_slice_less(p, x, a, b) : a < b;
}

template <typename T>
static inline void ix_sift_down(const UniqueParams *p, const T *x, int32_t *keys, int32_t r,
                                int32_t end) {
  for (;;) {
    int32_t c = 2 * r + 1;
    if (c >= end)
      return;
    if (c + 1 < end && ix_key_less(p, x, keys[c], keys[c + 1]))
      ++c;
    if (!ix_key_less(p, x, keys[r], keys[c]))
      return;
    const int32_t t = keys[r];
    keys[r] = keys[c];
    keys[c] = t;
    r = c;
  }
}

/// Heap sort of keys[0..n) by ix_key_less (no recursion, no extra memory).
template <typename T>
static inline void ix_heap_sort(const UniqueParams *p, const T *x, int32_t *keys, int32_t n) {
  for (int32_t r = n / 2 - 1; r >= 0; --r)
    ix_sift_down(p, x, keys, r, n);
  for (int32_t end = n - 1; end > 0; --end) {
    const int32_t t = keys[0];
    keys[0] = keys[end];
    keys[end] = t;
    ix_sift_down(p, x, keys, 0, end);
  }
}

/// Unique over the slices x[:, a, :] of an [outer, n, inner] view (a flat
/// tensor is [1, count, 1]):
/// - sorts the slice positions (lexicographic, ties by position) and groups
///   equal neighbours; a group's first member is its first occurrence;
/// - gives group g the output slot g (sorted) or the rank of its first
///   occurrence among all first occurrences (unsorted);
/// - writes y (the `uniques` slices, [outer, uniques, inner]), the first
///   occurrences, every position's slot and the group sizes.
/// Every output but y may be null. Scratch holds 2 * (n + uniques) int32.
template <typename T>
static inline void unique(const UniqueParams *p, const T *x, T *y, int64_t *indices,
                          int64_t *inverse, int64_t *counts, int32_t *scratch) {
  int32_t *perm = scratch;             // positions in sorted order
  int32_t *group = perm + p->n;        // group of each sorted position
  int32_t *first = group + p->n;       // first occurrence of each group
  int32_t *by_first = first + p->uniques; // first occurrences, ascending
  for (int32_t a = 0; a < p->n; ++a)
    perm[a] = a;
  ix_heap_sort(p, x, perm, p->n);
  int32_t g = -1;
  for (int32_t s = 0; s < p->n; ++s) {
    // More groups than the compiler counted cannot happen; stay in bounds.
    if ((s == 0 || !ix_slice_equal(p, x, perm[s - 1], perm[s])) && g + 1 < p->uniques)
      first[++g] = perm[s];
    group[s] = g;
  }
  const int32_t groups = g + 1;
  for (int32_t u = 0; u < groups; ++u)
    by_first[u] = first[u];
  if (!p->sorted)
    ix_heap_sort<T>(p, 0, by_first, groups);
  for (int32_t u = 0; u < groups; ++u) {
    if (counts)
      counts[u] = 0;
    if (indices)
      indices[u] = p->sorted ? first[u] : by_first[u];
  }
  for (int32_t s = 0; s < p->n; ++s) {
    int32_t u = group[s];
    if (!p->sorted) {
      // Binary search for the group's first occurrence.
      int32_t lo = 0, hi = groups - 1;
      while (lo < hi) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (by_first[mid] < first[group[s]])
          lo = mid + 1;
        else
          hi = mid;
      }
      u = lo;
    }
    if (inverse)
      inverse[perm[s]] = u;
    if (counts)
      ++counts[u];
    if (perm[s] == first[group[s]])
      for (int32_t o = 0; o < p->outer; ++o)
        memcpy(y + (static_cast<size_t>(o) * p->uniques + u) * p->inner,
               x + (static_cast<size_t>(o) * p->n + perm[s]) * p->inner,
               static_cast<size_t>(p->inner) * sizeof(T));
  }
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

#define TMC_EINSUM_PARAMS(F, A)                                                                \
  F(int32_t, inputs)                                                                           \
  F(int32_t, loops)                                                                            \
  F(int32_t, out_loops)                                                                        \
  A(int32_t, dims, 16)                                                                         \
  A(int32_t, strides, 64)
TMC_DEFINE_PARAMS(EinsumParams, TMC_EINSUM_PARAMS)

/// Einsum as one loop nest over every index letter: the first out_loops
/// letters are the output's (y is contiguous in that order), the others are
/// summed. strides[k * 16 + l] is input k's element stride for letter l (0
/// when the input lacks the letter or broadcasts it; a letter repeated in
/// one input adds its strides, which reads the diagonal). Inputs past
/// `inputs` are null.
template <typename T>
static inline void einsum(const EinsumParams *p, const T *x0, const T *x1, const T *x2,
                          const T *x3, T *y) {
  const T *xs[4] = {x0, x1, x2, x3};
  int32_t out_count = 1, sum_count = 1;
  for (int32_t l = 0; l < p->loops; ++l) {
    if (l < p->out_loops)
      out_count *= p->dims[l];
    else
      sum_count *= p->dims[l];
  }
  int32_t idx[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  int64_t base[4] = {0, 0, 0, 0};
  for (int32_t o = 0; o < out_count; ++o) {
    T acc = T(0);
    int64_t at[4] = {base[0], base[1], base[2], base[3]};
    for (int32_t s = 0; s < sum_count; ++s) {
      T prod = xs[0][at[0]];
      for (int32_t k = 1; k < p->inputs; ++k)
        prod = ix_mul(prod, xs[k][at[k]]);
      acc = ix_add(acc, prod);
      // Next summed index (innermost letter fastest).
      for (int32_t l = p->loops - 1; l >= p->out_loops; --l) {
        for (int32_t k = 0; k < p->inputs; ++k)
          at[k] += p->strides[k * 16 + l];
        if (++idx[l] < p->dims[l])
          break;
        for (int32_t k = 0; k < p->inputs; ++k)
          at[k] -= static_cast<int64_t>(p->strides[k * 16 + l]) * p->dims[l];
        idx[l] = 0;
      }
    }
    y[o] = acc;
    for (int32_t l = p->out_loops - 1; l >= 0; --l) {
      for (int32_t k = 0; k < p->inputs; ++k)
        base[k] += p->strides[k * 16 + l];
      if (++idx[l] < p->dims[l])
        break;
      for (int32_t k = 0; k < p->inputs; ++k)
        base[k] -= static_cast<int64_t>(p->strides[k * 16 + l]) * p->dims[l];
      idx[l] = 0;
    }
  }
}

} // namespace tmc

#endif
