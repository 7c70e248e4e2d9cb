//===- tmc_reduce.h - reductions along axes, ArgMax/Min, CumSum, TopK, Det -===//
//
// Reductions run over a box geometry the compiler works out once: the input
// dims split into kept dims (in output order) and reduced dims, each with its
// input stride, after dropping unit dims and merging neighbours that step
// contiguously. Any set of axes becomes one strided scheme:
//
//   for every kept position (the output, in order)
//     for every reduced position: step(x[base + offset])
//
// and the innermost dim of each box runs as a plain strided loop.
//
// Integer sums and products wrap (they are computed in 64-bit unsigned
// arithmetic, so no signed overflow); results computed through a real number
// (L2, LogSum, LogSumExp of integers) are truncated toward zero and saturated.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_REDUCE_H
#define TMC_REDUCE_H

#include "tmc_base.h"

namespace tmc {

//===----------------------------------------------------------------------===//
// Arithmetic helpers (namespace red, away from the other families' names)
//===----------------------------------------------------------------------===//

namespace red {

/// The accumulator of a sum or product of T: T for floating types, a 64-bit
/// integer of T's signedness for integers.
template <typename T> struct Wide { typedef int64_t type; };
template <> struct Wide<float> { typedef float type; };
template <> struct Wide<double> { typedef double type; };
template <> struct Wide<uint8_t> { typedef uint64_t type; };
template <> struct Wide<uint16_t> { typedef uint64_t type; };
template <> struct Wide<uint32_t> { typedef uint64_t type; };
template <> struct Wide<uint64_t> { typedef uint64_t type; };

/// The real type results of T go through: float for float, else double.
template <typename T> struct Real { typedef double type; };
template <> struct Real<float> { typedef float type; };

// Wrapping addition and multiplication (no signed overflow).
static inline float w_add(float a, float b) { return a + b; }
static inline double w_add(double a, double b) { return a + b; }
static inline uint64_t w_add(uint64_t a, uint64_t b) { return a + b; }
static inline int64_t w_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
static inline float w_mul(float a, float b) { return a * b; }
static inline double w_mul(double a, double b) { return a * b; }
static inline uint64_t w_mul(uint64_t a, uint64_t b) { return a * b; }
static inline int64_t w_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
/// a / n for a count n >= 0 (0 / 0 is NaN for floats and 0 for integers).
static inline float w_div(float a, int32_t n) { return a / static_cast<float>(n); }
static inline double w_div(double a, int32_t n) { return a / static_cast<double>(n); }
static inline uint64_t w_div(uint64_t a, int32_t n) {
  return n > 0 ? a / static_cast<uint64_t>(n) : 0;
}
static inline int64_t w_div(int64_t a, int32_t n) { return n > 0 ? a / n : 0; }

/// |v| in the accumulator type (no overflow for the most negative integer).
template <typename A, typename T> static inline A w_abs(T v) {
  return is_negative(v) ? w_mul(A(v), A(-1)) : A(v);
}

static inline bool is_nan(float v) { return v != v; }
static inline bool is_nan(double v) { return v != v; }
template <typename T> static inline bool is_nan(T) { return false; }

/// a > b, with NaN above every number (the order numpy sorts in).
template <typename T> static inline bool greater_nan(T a, T b) {
  return b < a || (is_nan(a) && !is_nan(b));
}
/// a < b, with NaN below every number (numpy's argmin finds NaN first).
template <typename T> static inline bool less_nan(T a, T b) {
  return a < b || (is_nan(a) && !is_nan(b));
}

/// A real result stored as T: floats as they are, integers truncated toward
/// zero and saturated (NaN becomes 0).
template <typename T> static inline T real_to(double r) {
  if (is_nan(r))
    return T(0);
  if (r <= static_cast<double>(Limits<T>::lowest()))
    return Limits<T>::lowest();
  if (r >= static_cast<double>(Limits<T>::highest()))
    return Limits<T>::highest();
  return static_cast<T>(r);
}
template <> inline float real_to<float>(double r) { return static_cast<float>(r); }
template <> inline double real_to<double>(double r) { return r; }

//===----------------------------------------------------------------------===//
// Box iteration
//===----------------------------------------------------------------------===//

/// Calls f.row(offset, n, stride) for every innermost row of the box of rank
/// r with `dims` and `strides` (count elements in all), offsets in elements,
/// rows in row-major order. Rank 0 is one row of one element.
template <class F>
static inline void for_each_row(int32_t r, const int32_t *dims, const int32_t *strides,
                                int32_t count, F &f) {
  if (r == 0) {
    if (count > 0)
      f.row(0, 1, 1);
    return;
  }
  const int32_t n = dims[r - 1], s = strides[r - 1];
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t off = 0;
  for (int32_t done = 0; done < count; done += n) {
    f.row(off, n, s);
    for (int32_t d = r - 2; d >= 0; --d) {
      off += strides[d];
      if (++idx[d] < dims[d])
        break;
      off -= strides[d] * dims[d];
      idx[d] = 0;
    }
  }
}

} // namespace red

//===----------------------------------------------------------------------===//
// ReduceSum, ReduceMean, ReduceMax, ... over any set of axes
//===----------------------------------------------------------------------===//

#define TMC_REDUCE_PARAMS(F, A)                                                                \
  F(int32_t, count)                                                                            \
  F(int32_t, reduced)                                                                          \
  F(int32_t, out_rank)                                                                         \
  A(int32_t, out_dims, 8)                                                                      \
  A(int32_t, out_strides, 8)                                                                   \
  F(int32_t, red_rank)                                                                         \
  A(int32_t, red_dims, 8)                                                                      \
  A(int32_t, red_strides, 8)
/// count outputs, each reducing `reduced` inputs. The kept box (out_*) walks
/// the outputs in order with input strides; the reduced box (red_*) walks one
/// output's inputs relative to its base.
TMC_DEFINE_PARAMS(ReduceParams, TMC_REDUCE_PARAMS)

// The reductions: an accumulator object with step(v) over the inputs (run
// kPasses times; begin_pass(k) before pass k > 0) and result(n).
template <typename T> struct RedSum {
  typedef typename red::Wide<T>::type A;
  enum { kPasses = 1 };
  A acc;
  RedSum() : acc(A(0)) {}
  void begin_pass(int32_t) {}
  void step(T v) { acc = red::w_add(acc, A(v)); }
  T result(int32_t) const { return T(acc); }
};
template <typename T> struct RedMean : RedSum<T> {
  T result(int32_t n) const { return T(red::w_div(this->acc, n)); }
};
template <typename T> struct RedProd {
  typedef typename red::Wide<T>::type A;
  enum { kPasses = 1 };
  A acc;
  RedProd() : acc(A(1)) {}
  void begin_pass(int32_t) {}
  void step(T v) { acc = red::w_mul(acc, A(v)); }
  T result(int32_t) const { return T(acc); }
};
/// The maximum; NaN wins; the lowest value for an empty reduction.
template <typename T> struct RedMax {
  enum { kPasses = 1 };
  T acc;
  RedMax() : acc(Limits<T>::lowest()) {}
  void begin_pass(int32_t) {}
  void step(T v) {
    if (acc < v || red::is_nan(v))
      acc = v;
  }
  T result(int32_t) const { return acc; }
};
template <typename T> struct RedMin {
  enum { kPasses = 1 };
  T acc;
  RedMin() : acc(Limits<T>::highest()) {}
  void begin_pass(int32_t) {}
  void step(T v) {
    if (v < acc || red::is_nan(v))
      acc = v;
  }
  T result(int32_t) const { return acc; }
};
template <typename T> struct RedL1 : RedSum<T> {
  typedef typename red::Wide<T>::type A;
  void step(T v) { this->acc = red::w_add(this->acc, red::w_abs<A>(v)); }
};
template <typename T> struct RedSumSquare : RedSum<T> {
  typedef typename red::Wide<T>::type A;
  void step(T v) { this->acc = red::w_add(this->acc, red::w_mul(A(v), A(v))); }
};
template <typename T> struct RedL2 : RedSumSquare<T> {
  typedef typename red::Real<T>::type R;
  T result(int32_t) const { return red::real_to<T>(m_sqrt(static_cast<R>(this->acc))); }
};
template <typename T> struct RedLogSum : RedSum<T> {
  typedef typename red::Real<T>::type R;
  T result(int32_t) const { return red::real_to<T>(m_log(static_cast<R>(this->acc))); }
};
/// log(sum(exp(x))) as max + log(sum(exp(x - max))): pass 0 finds the max.
template <typename T> struct RedLogSumExp {
  typedef typename red::Real<T>::type R;
  enum { kPasses = 2 };
  T mx;
  R shift, sum;
  bool summing;
  RedLogSumExp() : mx(Limits<T>::lowest()), shift(R(0)), sum(R(0)), summing(false) {}
  void begin_pass(int32_t) {
    shift = static_cast<R>(mx);
    // An infinite or NaN max cannot be subtracted; the plain sum gives the
    // right infinity or NaN.
    if (red::is_nan(shift - shift))
      shift = R(0);
    summing = true;
  }
  void step(T v) {
    if (summing)
      sum += m_exp(static_cast<R>(v) - shift);
    else if (mx < v || red::is_nan(v))
      mx = v;
  }
  T result(int32_t) const { return red::real_to<T>(shift + m_log(sum)); }
};

template <class Op, typename T> struct ReduceRows {
  Op *op;
  const T *x;
  void row(int32_t off, int32_t n, int32_t s) {
    const T *xs = x + off;
    if (s == 1)
      for (int32_t i = 0; i < n; ++i)
        op->step(xs[i]);
    else
      for (int32_t i = 0; i < n; ++i)
        op->step(xs[i * s]);
  }
};

template <template <typename> class Op, typename T> struct ReduceOuter {
  const ReduceParams *p;
  const T *x;
  T *y;
  void row(int32_t base, int32_t n, int32_t s) {
    for (int32_t j = 0; j < n; ++j) {
      Op<T> op;
      ReduceRows<Op<T>, T> rows = {&op, x + base + j * s};
      for (int32_t pass = 0; pass < Op<T>::kPasses; ++pass) {
        if (pass > 0)
          op.begin_pass(pass);
        red::for_each_row(p->red_rank, p->red_dims, p->red_strides, p->reduced, rows);
      }
      *y++ = op.result(p->reduced);
    }
  }
};

/// y[k] = Op over the reduced box at the k-th kept position.
template <template <typename> class Op, typename T>
static inline void reduce(const ReduceParams *p, const T *x, T *y) {
  ReduceOuter<Op, T> outer = {p, x, y};
  red::for_each_row(p->out_rank, p->out_dims, p->out_strides, p->count, outer);
}

//===----------------------------------------------------------------------===//
// MeanVarianceNormalization: the reduction geometry, with y laid out as x
//===----------------------------------------------------------------------===//

template <typename T> struct MvnRows {
  const T *x;
  T *y;
  int32_t pass;
  T mean, sum;
  void row(int32_t off, int32_t n, int32_t s) {
    for (int32_t i = 0; i < n; ++i) {
      const T v = x[off + i * s];
      if (pass == 0) {
        sum += v;
      } else if (pass == 1) {
        sum += (v - mean) * (v - mean);
      } else {
        y[off + i * s] = (v - mean) / (m_sqrt(sum) + T(1e-9));
      }
    }
  }
};

template <typename T> struct MvnOuter {
  const ReduceParams *p;
  const T *x;
  T *y;
  void row(int32_t base, int32_t n, int32_t s) {
    for (int32_t j = 0; j < n; ++j) {
      MvnRows<T> rows = {x + base + j * s, y + base + j * s, 0, T(0), T(0)};
      red::for_each_row(p->red_rank, p->red_dims, p->red_strides, p->reduced, rows);
      rows.mean = rows.sum / T(p->reduced);
      rows.sum = T(0);
      rows.pass = 1;
      red::for_each_row(p->red_rank, p->red_dims, p->red_strides, p->reduced, rows);
      rows.sum = rows.sum / T(p->reduced); // the variance
      rows.pass = 2;
      red::for_each_row(p->red_rank, p->red_dims, p->red_strides, p->reduced, rows);
    }
  }
};

/// (x - mean) / (sqrt(variance) + 1e-9), mean and variance over the reduced
/// box of each kept position (the ONNX function's epsilon).
template <typename T> static inline void mvn(const ReduceParams *p, const T *x, T *y) {
  MvnOuter<T> outer = {p, x, y};
  red::for_each_row(p->out_rank, p->out_dims, p->out_strides, p->count, outer);
}

//===----------------------------------------------------------------------===//
// ArgMax, ArgMin
//===----------------------------------------------------------------------===//

#define TMC_ARG_REDUCE_PARAMS(F, A)                                                            \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, select_last)
TMC_DEFINE_PARAMS(ArgReduceParams, TMC_ARG_REDUCE_PARAMS)

/// The index along the axis of an [outer, axis_size, inner] view whose value
/// is the largest (Max) or smallest; ties go to the first index, or the last
/// with select_last. NaN counts as the extreme value.
template <bool Max, typename T>
static inline void arg_reduce(const ArgReduceParams *p, const T *x, int64_t *y) {
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      int32_t best = 0;
      for (int32_t a = 1; a < A; ++a) {
        const T v = xs[a * I], b = xs[best * I];
        const bool better = Max ? red::greater_nan(v, b) : red::less_nan(v, b);
        const bool tie = !(v < b) && !(b < v) && red::is_nan(v) == red::is_nan(b);
        if (better || (tie && p->select_last))
          best = a;
      }
      y[o * I + i] = best;
    }
}

template <typename T>
static inline void arg_max(const ArgReduceParams *p, const T *x, int64_t *y) {
  arg_reduce<true>(p, x, y);
}
template <typename T>
static inline void arg_min(const ArgReduceParams *p, const T *x, int64_t *y) {
  arg_reduce<false>(p, x, y);
}

//===----------------------------------------------------------------------===//
// CumSum
//===----------------------------------------------------------------------===//

#define TMC_CUMSUM_PARAMS(F, A)                                                                \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, exclusive)                                                                        \
  F(int32_t, reverse)
TMC_DEFINE_PARAMS(CumSumParams, TMC_CUMSUM_PARAMS)

/// Running sums along the axis of an [outer, axis_size, inner] view, from
/// the end with reverse; exclusive sums leave out the element itself.
template <typename T> static inline void cumsum(const CumSumParams *p, const T *x, T *y) {
  typedef typename red::Wide<T>::type W;
  const int32_t A = p->axis_size, I = p->inner;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *ys = y + o * A * I + i;
      W acc = W(0);
      for (int32_t k = 0; k < A; ++k) {
        const int32_t a = p->reverse ? A - 1 - k : k;
        const W v = W(xs[a * I]);
        if (p->exclusive) {
          ys[a * I] = T(acc);
          acc = red::w_add(acc, v);
        } else {
          acc = red::w_add(acc, v);
          ys[a * I] = T(acc);
        }
      }
    }
}

//===----------------------------------------------------------------------===//
// TopK
//===----------------------------------------------------------------------===//

#define TMC_TOPK_PARAMS(F, A)                                                                  \
  F(int32_t, outer)                                                                            \
  F(int32_t, axis_size)                                                                        \
  F(int32_t, inner)                                                                            \
  F(int32_t, k)                                                                                \
  F(int32_t, largest)
TMC_DEFINE_PARAMS(TopKParams, TMC_TOPK_PARAMS)

/// The k largest (or smallest) values along the axis of an [outer, axis_size,
/// inner] view, sorted, with their indices; equal values keep the lower
/// index first, NaN counts as the largest value.
/// Insertion into the output itself: O(axis_size * k), no working memory.
template <typename T>
static inline void topk(const TopKParams *p, const T *x, T *values, int64_t *indices) {
  const int32_t A = p->axis_size, I = p->inner, K = p->k;
  if (K <= 0)
    return;
  for (int32_t o = 0; o < p->outer; ++o)
    for (int32_t i = 0; i < I; ++i) {
      const T *xs = x + o * A * I + i;
      T *vs = values + o * K * I + i;
      int64_t *is = indices + o * K * I + i;
      int32_t n = 0;
      for (int32_t a = 0; a < A; ++a) {
        const T v = xs[a * I];
        // Strictly before: a later equal value goes after the earlier one.
        int32_t j;
        if (n < K) {
          j = n++;
        } else {
          const T last = vs[(K - 1) * I];
          if (!(p->largest ? red::greater_nan(v, last) : red::greater_nan(last, v)))
            continue;
          j = K - 1;
        }
        while (j > 0) {
          const T prev = vs[(j - 1) * I];
          if (!(p->largest ? red::greater_nan(v, prev) : red::greater_nan(prev, v)))
            break;
          vs[j * I] = prev;
          is[j * I] = is[(j - 1) * I];
          --j;
        }
        vs[j * I] = v;
        is[j * I] = a;
      }
    }
}

//===----------------------------------------------------------------------===//
// Det
//===----------------------------------------------------------------------===//

#define TMC_DET_PARAMS(F, A)                                                                   \
  F(int32_t, batch)                                                                            \
  F(int32_t, n)
TMC_DEFINE_PARAMS(DetParams, TMC_DET_PARAMS)

/// Determinants of `batch` n x n matrices by LU decomposition with partial
/// pivoting, in `work` (n * n elements). A 0 x 0 matrix has determinant 1.
template <typename T> static inline void det(const DetParams *p, const T *x, T *y, T *work) {
  const int32_t n = p->n, nn = n * n;
  for (int32_t b = 0; b < p->batch; ++b) {
    memcpy(work, x + b * nn, static_cast<size_t>(nn) * sizeof(T));
    T d = T(1);
    for (int32_t c = 0; c < n; ++c) {
      int32_t piv = c;
      for (int32_t r = c + 1; r < n; ++r)
        if (m_fabs(work[piv * n + c]) < m_fabs(work[r * n + c]))
          piv = r;
      const T pv = work[piv * n + c];
      if (pv == T(0)) {
        d = T(0);
        break;
      }
      if (piv != c) {
        for (int32_t j = c; j < n; ++j) {
          const T t = work[c * n + j];
          work[c * n + j] = work[piv * n + j];
          work[piv * n + j] = t;
        }
        d = -d;
      }
      d *= pv;
      for (int32_t r = c + 1; r < n; ++r) {
        const T f = work[r * n + c] / pv;
        for (int32_t j = c + 1; j < n; ++j)
          work[r * n + j] -= f * work[c * n + j];
      }
    }
    y[b] = d;
  }
}

} // namespace tmc

#endif
