//===- tmc_elementwise.h - unary and broadcasting binary ops --------------===//
//
// An op is a small struct with a static apply(); the kernel loops are shared.
// Generated code names the op as a template argument, e.g.
//   tmc::binary<tmc::OpAdd, float, float>(&params, a, b, y);
//
//===----------------------------------------------------------------------===//
#ifndef TMC_ELEMENTWISE_H
#define TMC_ELEMENTWISE_H

#include "tmc_base.h"

namespace tmc {

#define TMC_UNARY_PARAMS(F, A)                                                                 \
  F(int32_t, count)                                                                            \
  F(float, alpha)                                                                              \
  F(float, beta)
TMC_DEFINE_PARAMS(UnaryParams, TMC_UNARY_PARAMS)

struct OpRelu {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return is_negative(x) ? T(0) : x;
  }
};
struct OpAbs {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return is_negative(x) ? T(-x) : x;
  }
};
struct OpNeg {
  template <typename T> static T apply(T x, const UnaryParams *) { return T(-x); }
};
struct OpExp {
  template <typename T> static T apply(T x, const UnaryParams *) { return m_exp(x); }
};
struct OpLog {
  template <typename T> static T apply(T x, const UnaryParams *) { return m_log(x); }
};
struct OpSqrt {
  template <typename T> static T apply(T x, const UnaryParams *) { return m_sqrt(x); }
};
struct OpReciprocal {
  template <typename T> static T apply(T x, const UnaryParams *) { return T(1) / x; }
};
struct OpFloor {
  template <typename T> static T apply(T x, const UnaryParams *) { return m_floor(x); }
};
struct OpCeil {
  template <typename T> static T apply(T x, const UnaryParams *) { return m_ceil(x); }
};
struct OpSigmoid {
  template <typename T> static T apply(T x, const UnaryParams *) { return sigmoid(x); }
};
struct OpTanh {
  template <typename T> static T apply(T x, const UnaryParams *) { return m_tanh(x); }
};
struct OpLeakyRelu {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    return x < T(0) ? T(p->alpha) * x : x;
  }
};
struct OpHardSigmoid {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    return t_max(T(0), t_min(T(1), T(p->alpha) * x + T(p->beta)));
  }
};
struct OpHardSwish {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return x * t_max(T(0), t_min(T(1), x / T(6) + T(0.5)));
  }
};

/// y[i] = Op(x[i]) for i < count; y may be x (in place).
template <class Op, typename T> static inline void unary(const UnaryParams *p, const T *x, T *y) {
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = Op::apply(x[i], p);
}

#define TMC_CLIP_PARAMS(F, A) F(int32_t, count)
TMC_DEFINE_PARAMS(ClipParams, TMC_CLIP_PARAMS)

/// y = min(max(x, *lo), *hi); a null bound is no bound.
template <typename T>
static inline void clip(const ClipParams *p, const T *x, const T *lo, const T *hi, T *y) {
  const T l = lo ? *lo : Limits<T>::lowest();
  const T h = hi ? *hi : Limits<T>::highest();
  for (int32_t i = 0; i < p->count; ++i) {
    const T v = x[i] < l ? l : x[i];
    y[i] = h < v ? h : v;
  }
}

#define TMC_CAST_PARAMS(F, A) F(int32_t, count)
TMC_DEFINE_PARAMS(CastParams, TMC_CAST_PARAMS)

template <typename From, typename To> struct Convert {
  static To apply(From v) { return static_cast<To>(v); }
};
template <typename From> struct Convert<From, bool> {
  static bool apply(From v) { return v != From(0); }
};

/// y[i] = x[i] converted to To (C++ conversion rules; nonzero is true).
template <typename From, typename To>
static inline void cast(const CastParams *p, const From *x, To *y) {
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = Convert<From, To>::apply(x[i]);
}

#define TMC_BINARY_PARAMS(F, A)                                                                \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, a_strides, 8)                                                                     \
  A(int32_t, b_strides, 8)
TMC_DEFINE_PARAMS(BinaryParams, TMC_BINARY_PARAMS)

/// Integer division that never traps: x / 0 gives 0, INT_MIN / -1 wraps.
template <typename T> static inline T safe_div(T a, T b) {
  if (b == T(0))
    return T(0);
  if (is_negative(T(-1)) && b == T(-1))
    return static_cast<T>(0ull - static_cast<uint64_t>(a));
  return T(a / b);
}
static inline float safe_div(float a, float b) { return a / b; }
static inline double safe_div(double a, double b) { return a / b; }

struct OpAdd {
  template <typename T> static T apply(T a, T b) { return T(a + b); }
};
struct OpSub {
  template <typename T> static T apply(T a, T b) { return T(a - b); }
};
struct OpMul {
  template <typename T> static T apply(T a, T b) { return T(a * b); }
};
struct OpDiv {
  template <typename T> static T apply(T a, T b) { return safe_div(a, b); }
};

/// y = Op(a, b) with numpy broadcasting. rank 0 means both operands have the
/// output's shape. Otherwise the compiler has merged dimensions into at most
/// `rank` dims and gives each operand's stride per dim (0 where broadcast);
/// the innermost dim is looped directly, the others by counters.
template <class Op, typename T, typename R>
static inline void binary(const BinaryParams *p, const T *a, const T *b, R *y) {
  if (p->rank == 0) {
    for (int32_t i = 0; i < p->count; ++i)
      y[i] = Op::apply(a[i], b[i]);
    return;
  }
  const int32_t r = p->rank;
  const int32_t inner = p->dims[r - 1];
  const int32_t sa = p->a_strides[r - 1], sb = p->b_strides[r - 1];
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t ao = 0, bo = 0;
  for (int32_t o = 0; o < p->count; o += inner) {
    for (int32_t i = 0; i < inner; ++i)
      y[o + i] = Op::apply(a[ao + i * sa], b[bo + i * sb]);
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      ao += p->a_strides[d];
      bo += p->b_strides[d];
      if (idx[d] < p->dims[d])
        break;
      ao -= p->a_strides[d] * p->dims[d];
      bo -= p->b_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

} // namespace tmc

#endif
