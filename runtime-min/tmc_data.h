//===- tmc_data.h - data movement: copies, transposes, slices, pads, gathers ===//
//
// These kernels move elements without looking at them, so they work on bytes:
// the template argument ES is the element size, and every element moves with
// memcpy (which compiles to one load and store and is safe for any type).
//
//===----------------------------------------------------------------------===//
#ifndef TMC_DATA_H
#define TMC_DATA_H

#include "tmc_base.h"

namespace tmc {

#define TMC_COPY_PARAMS(F, A) F(int32_t, bytes)
TMC_DEFINE_PARAMS(CopyParams, TMC_COPY_PARAMS)

/// Copies `bytes` bytes (views that cannot share storage).
static inline void copy(const CopyParams *p, const void *x, void *y) {
  if (x != y)
    memmove(y, x, static_cast<size_t>(p->bytes));
}

#define TMC_STRIDED_COPY_PARAMS(F, A)                                                          \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, in_strides, 8)                                                                    \
  A(int32_t, out_strides, 8)                                                                   \
  F(int32_t, in_offset)                                                                        \
  F(int32_t, out_offset)
TMC_DEFINE_PARAMS(StridedCopyParams, TMC_STRIDED_COPY_PARAMS)

/// For every index i of the `dims` box (count elements in all):
///   y[out_offset + sum i_d * out_strides_d] = x[in_offset + sum i_d * in_strides_d]
/// (offsets and strides in elements; strides may be negative or zero).
/// Transpose, Slice, Concat and Split are all this copy with different strides.
/// When the innermost dim is contiguous on both sides it moves as one block.
template <int ES>
static inline void strided_copy(const StridedCopyParams *p, const void *x, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const int32_t r = p->rank;
  if (r == 0) {
    if (p->count > 0)
      memcpy(yb + p->out_offset * ES, xb + p->in_offset * ES, ES);
    return;
  }
  const int32_t inner = p->dims[r - 1];
  const int32_t si = p->in_strides[r - 1], so = p->out_strides[r - 1];
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t io = p->in_offset, oo = p->out_offset;
  for (int32_t done = 0; done < p->count; done += inner) {
    if (si == 1 && so == 1) {
      memcpy(yb + oo * ES, xb + io * ES, static_cast<size_t>(inner) * ES);
    } else {
      for (int32_t i = 0; i < inner; ++i)
        memcpy(yb + (oo + i * so) * ES, xb + (io + i * si) * ES, ES);
    }
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      io += p->in_strides[d];
      oo += p->out_strides[d];
      if (idx[d] < p->dims[d])
        break;
      io -= p->in_strides[d] * p->dims[d];
      oo -= p->out_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

#define TMC_PAD_PARAMS(F, A)                                                                   \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  F(int32_t, mode)                                                                             \
  A(int32_t, in_dims, 8)                                                                       \
  A(int32_t, out_dims, 8)                                                                      \
  A(int32_t, pad_begin, 8)
TMC_DEFINE_PARAMS(PadParams, TMC_PAD_PARAMS)

enum PadMode { kPadConstant = 0, kPadReflect = 1, kPadEdge = 2 };

/// Pads (or, with negative pads, crops) x into y. Constant mode fills with
/// *value (zero bytes when value is null); reflect mirrors without repeating
/// the edge; edge repeats the edge element.
template <int ES>
static inline void pad(const PadParams *p, const void *x, const void *value, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(x);
  unsigned char *yb = static_cast<unsigned char *>(y);
  unsigned char fill[ES];
  if (value)
    memcpy(fill, value, ES);
  else
    memset(fill, 0, ES);
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t in_strides[kMaxRank];
  int32_t s = 1;
  for (int32_t d = p->rank - 1; d >= 0; --d) {
    in_strides[d] = s;
    s *= p->in_dims[d];
  }
  for (int32_t o = 0; o < p->count; ++o) {
    int32_t at = 0;
    bool inside = true;
    for (int32_t d = 0; d < p->rank; ++d) {
      int32_t i = idx[d] - p->pad_begin[d];
      const int32_t n = p->in_dims[d];
      if (i < 0 || i >= n) {
        if (p->mode == kPadReflect) {
          i = i < 0 ? -i : 2 * (n - 1) - i;
        } else if (p->mode == kPadEdge) {
          i = i < 0 ? 0 : n - 1;
        } else {
          inside = false;
          break;
        }
      }
      at += i * in_strides[d];
    }
    memcpy(yb + o * ES, inside ? xb + at * ES : fill, ES);
    for (int32_t d = p->rank - 1; d >= 0; --d) {
      if (++idx[d] < p->out_dims[d])
        break;
      idx[d] = 0;
    }
  }
}

#define TMC_GATHER_PARAMS(F, A)                                                                \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, num_indices)
TMC_DEFINE_PARAMS(GatherParams, TMC_GATHER_PARAMS)

/// Gather along one axis of an [outer, axis_size, inner] view: for each outer
/// slice and each index, copies the inner block at that index. Negative
/// indices count from the end; out-of-range indices (only possible for
/// runtime indices) produce zeros.
template <int ES, typename I>
static inline void gather(const GatherParams *p, const void *data, const I *indices, void *y) {
  const unsigned char *xb = static_cast<const unsigned char *>(data);
  unsigned char *yb = static_cast<unsigned char *>(y);
  const size_t block = static_cast<size_t>(p->inner) * ES;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t j = 0; j < p->num_indices; ++j) {
      int64_t i = static_cast<int64_t>(indices[j]);
      if (i < 0)
        i += p->axis_size;
      unsigned char *dst = yb + (static_cast<size_t>(o) * p->num_indices + j) * block;
      if (i < 0 || i >= p->axis_size)
        memset(dst, 0, block);
      else
        memcpy(dst, xb + (static_cast<size_t>(o) * p->axis_size + i) * block, block);
    }
}

} // namespace tmc

#endif
