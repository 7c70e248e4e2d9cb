//===- tmc_elementwise.h - unary, broadcasting binary and selection ops ---===//
//
// An op is a small struct with a static apply(); the kernel loops are shared.
// Generated code names the op and the element types as template arguments:
//   tmc::unary<tmc::OpSin, float>(&params, x, y);
//   tmc::unary<tmc::OpIsNaN, double, bool>(&params, x, y);
//   tmc::binary<tmc::OpAdd, float, float, float>(&params, a, b, y);
//   tmc::binary<tmc::OpPow, float, int64_t, float>(&params, a, b, y);
//
// Integer arithmetic wraps modulo 2^bits (as numpy does) and never traps:
// signed overflow is computed in uint64_t, division and remainder by zero
// give 0, INT_MIN / -1 wraps. Conversions from float to an integer type are
// defined for every input (see Convert), so the compiler's evaluator and the
// generated code agree on every target.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_ELEMENTWISE_H
#define TMC_ELEMENTWISE_H

#include "tmc_base.h"

namespace tmc {

//===----------------------------------------------------------------------===//
// Type helpers
//===----------------------------------------------------------------------===//

/// EwReal<T>::value: 1 for float and double.
template <typename T> struct EwReal {
  enum { value = 0 };
};
template <> struct EwReal<float> {
  enum { value = 1 };
};
template <> struct EwReal<double> {
  enum { value = 1 };
};

/// The floating-point type an op on T computes in: T itself for float and
/// double, double for the integer types.
template <typename T> struct EwRealOf {
  typedef double type;
};
template <> struct EwRealOf<float> {
  typedef float type;
};

/// x != x, without self-comparisons of integers (-Wtautological-compare).
template <typename T> static inline bool ew_is_nan(T) { return false; }
static inline bool ew_is_nan(float x) { return x != x; }
static inline bool ew_is_nan(double x) { return x != x; }

/// Wrapping integer arithmetic (computed in uint64_t, so signed overflow is
/// not undefined); the float overloads are the plain operations.
template <typename T> static inline T ew_neg(T x) {
  return static_cast<T>(0ull - static_cast<uint64_t>(x));
}
static inline float ew_neg(float x) { return -x; }
static inline double ew_neg(double x) { return -x; }
template <typename T> static inline T ew_add(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
static inline float ew_add(float a, float b) { return a + b; }
static inline double ew_add(double a, double b) { return a + b; }
template <typename T> static inline T ew_sub(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
static inline float ew_sub(float a, float b) { return a - b; }
static inline double ew_sub(double a, double b) { return a - b; }
template <typename T> static inline T ew_mul(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
static inline float ew_mul(float a, float b) { return a * b; }
static inline double ew_mul(double a, double b) { return a * b; }

/// Integer division that never traps: x / 0 gives 0, INT_MIN / -1 wraps.
template <typename T> static inline T safe_div(T a, T b) {
  if (b == T(0))
    return T(0);
  if (is_negative(T(-1)) && b == T(-1))
    return ew_neg(a);
  return T(a / b);
}
static inline float safe_div(float a, float b) { return a / b; }
static inline double safe_div(double a, double b) { return a / b; }

/// Remainder with the sign of the dividend (C's %, fmod): x % 0 gives 0.
template <typename T> static inline T ew_rem(T a, T b) {
  if (b == T(0) || (is_negative(T(-1)) && b == T(-1)))
    return T(0);
  return T(a % b);
}
static inline float ew_rem(float a, float b) { return m_fmod(a, b); }
static inline double ew_rem(double a, double b) { return m_fmod(a, b); }

/// Float to int64_t: truncates toward zero, saturates out of range, NaN is 0.
template <typename F> static inline int64_t ew_real_to_i64(F v) {
  if (v != v)
    return 0;
  if (v >= F(9223372036854775807.0)) // 2^63 once rounded
    return INT64_MAX;
  if (v <= F(-9223372036854775807.0))
    return INT64_MIN;
  return static_cast<int64_t>(v);
}
/// Float to uint64_t: as ew_real_to_i64 below 2^63 (negative values wrap, as
/// numpy's casts do on common hosts), saturating at 2^64.
template <typename F> static inline uint64_t ew_real_to_u64(F v) {
  const F two63 = F(9223372036854775807.0);
  if (v >= two63) {
    if (v >= two63 * F(2))
      return UINT64_MAX;
    return static_cast<uint64_t>(static_cast<int64_t>(v - two63)) + (1ull << 63);
  }
  return static_cast<uint64_t>(ew_real_to_i64(v));
}

/// Convert<From, To>::apply(v): the element conversion of Cast.
/// - to bool: nonzero (and NaN) is true;
/// - float to integer: truncates toward zero, then wraps to the width of To
///   like an int64 conversion would (values beyond int64 saturate, NaN is 0);
/// - everything else: C++ conversion (integers wrap modulo 2^bits).
template <typename From, typename To> struct Convert {
  static To apply(From v) { return static_cast<To>(v); }
};
template <typename From> struct Convert<From, bool> {
  static bool apply(From v) { return v != From(0); }
};
#define TMC_REAL_TO_INT(F, To, via)                                                            \
  template <> struct Convert<F, To> {                                                          \
    static To apply(F v) { return static_cast<To>(via(v)); }                                   \
  };
#define TMC_REAL_TO_INTS(F)                                                                    \
  TMC_REAL_TO_INT(F, int8_t, ew_real_to_i64)                                                      \
  TMC_REAL_TO_INT(F, int16_t, ew_real_to_i64)                                                     \
  TMC_REAL_TO_INT(F, int32_t, ew_real_to_i64)                                                     \
  TMC_REAL_TO_INT(F, int64_t, ew_real_to_i64)                                                     \
  TMC_REAL_TO_INT(F, uint8_t, ew_real_to_i64)                                                     \
  TMC_REAL_TO_INT(F, uint16_t, ew_real_to_i64)                                                    \
  TMC_REAL_TO_INT(F, uint32_t, ew_real_to_i64)                                                    \
  TMC_REAL_TO_INT(F, uint64_t, ew_real_to_u64)
TMC_REAL_TO_INTS(float)
TMC_REAL_TO_INTS(double)
#undef TMC_REAL_TO_INTS
#undef TMC_REAL_TO_INT

/// A result computed in floating point, stored as T.
template <typename T, typename F> static inline T ew_from_real(F v) { return Convert<F, T>::apply(v); }

//===----------------------------------------------------------------------===//
// Unary ops
//===----------------------------------------------------------------------===//

#define TMC_UNARY_PARAMS(F, A)                                                                 \
  F(int32_t, count)                                                                            \
  F(float, alpha)                                                                              \
  F(float, beta)
TMC_DEFINE_PARAMS(UnaryParams, TMC_UNARY_PARAMS)

#define TMC_UNARY_MATH(Name, fn)                                                               \
  struct Name {                                                                                \
    template <typename T> static T apply(T x, const UnaryParams *) { return fn(x); }           \
  };
TMC_UNARY_MATH(OpExp, m_exp)
TMC_UNARY_MATH(OpLog, m_log)
TMC_UNARY_MATH(OpSqrt, m_sqrt)
TMC_UNARY_MATH(OpFloor, m_floor)
TMC_UNARY_MATH(OpCeil, m_ceil)
TMC_UNARY_MATH(OpRound, m_rint)
TMC_UNARY_MATH(OpSigmoid, sigmoid)
TMC_UNARY_MATH(OpTanh, m_tanh)
TMC_UNARY_MATH(OpSin, m_sin)
TMC_UNARY_MATH(OpCos, m_cos)
TMC_UNARY_MATH(OpTan, m_tan)
TMC_UNARY_MATH(OpAsin, m_asin)
TMC_UNARY_MATH(OpAcos, m_acos)
TMC_UNARY_MATH(OpAtan, m_atan)
TMC_UNARY_MATH(OpSinh, m_sinh)
TMC_UNARY_MATH(OpCosh, m_cosh)
TMC_UNARY_MATH(OpAsinh, m_asinh)
TMC_UNARY_MATH(OpAcosh, m_acosh)
TMC_UNARY_MATH(OpAtanh, m_atanh)
#undef TMC_UNARY_MATH

struct OpRelu {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return is_negative(x) ? T(0) : x;
  }
};
/// |x|; the most negative integer stays itself (wraps, as numpy).
struct OpAbs {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return is_negative(x) ? ew_neg(x) : x;
  }
};
struct OpNeg {
  template <typename T> static T apply(T x, const UnaryParams *) { return ew_neg(x); }
};
struct OpReciprocal {
  template <typename T> static T apply(T x, const UnaryParams *) { return T(1) / x; }
};
/// -1, 0 or 1; NaN stays NaN.
struct OpSign {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return T(0) < x ? T(1) : is_negative(x) ? ew_neg(T(1)) : x;
  }
};
/// erf, computed in double for integer types.
struct OpErf {
  template <typename T> static T apply(T x, const UnaryParams *) {
    typedef typename EwRealOf<T>::type R;
    return ew_from_real<T>(m_erf(R(x)));
  }
};
/// log(exp(x) + 1), without overflow for large x.
struct OpSoftplus {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return x > T(0) ? x + m_log1p(m_exp(-x)) : m_log1p(m_exp(x));
  }
};
struct OpSoftsign {
  template <typename T> static T apply(T x, const UnaryParams *) {
    return x / (T(1) + m_fabs(x));
  }
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
/// alpha = Elu's alpha.
struct OpElu {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    return x < T(0) ? T(p->alpha) * m_expm1(x) : x;
  }
};
/// alpha, beta = Selu's alpha, gamma.
struct OpSelu {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    return x > T(0) ? T(p->beta) * x : T(p->beta) * (T(p->alpha) * m_expm1(x));
  }
};
/// alpha = Celu's alpha.
struct OpCelu {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    const T a = T(p->alpha);
    return t_max(T(0), x) + t_min(T(0), a * m_expm1(x / a));
  }
};
/// alpha = the threshold.
struct OpThresholdedRelu {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    return x > T(p->alpha) ? x : T(0);
  }
};
/// alpha, beta = Shrink's lambd, bias; integers compute in double.
struct OpShrink {
  template <typename T> static T apply(T x, const UnaryParams *p) {
    typedef typename EwRealOf<T>::type R;
    const R v = R(x), lambd = R(p->alpha), bias = R(p->beta);
    if (v < -lambd)
      return ew_from_real<T>(v + bias);
    if (v > lambd)
      return ew_from_real<T>(v - bias);
    return T(0);
  }
};
struct OpIsNaN {
  template <typename T> static bool apply(T x, const UnaryParams *) { return ew_is_nan(x); }
};
/// IsInf with detect_negative = Neg, detect_positive = Pos.
template <int Neg, int Pos> struct OpIsInf {
  template <typename T> static bool apply(T x, const UnaryParams *) {
    return (Neg != 0 && x == Limits<T>::lowest()) || (Pos != 0 && x == Limits<T>::highest());
  }
};
struct OpNot {
  static bool apply(bool x, const UnaryParams *) { return !x; }
};
/// x / alpha (the last step of Mean, alpha = the number of inputs).
struct OpDivBy {
  template <typename T> static T apply(T x, const UnaryParams *p) { return x / T(p->alpha); }
};

/// y[i] = Op(x[i]) for i < count; y may be x (in place).
template <class Op, typename T, typename R = T>
static inline void unary(const UnaryParams *p, const T *x, R *y) {
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = Op::apply(x[i], p);
}

//===----------------------------------------------------------------------===//
// Clip and Cast
//===----------------------------------------------------------------------===//

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

/// y[i] = x[i] converted to To (see Convert).
template <typename From, typename To>
static inline void cast(const CastParams *p, const From *x, To *y) {
  for (int32_t i = 0; i < p->count; ++i)
    y[i] = Convert<From, To>::apply(x[i]);
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

#define TMC_BINARY_PARAMS(F, A)                                                                \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, a_strides, 8)                                                                     \
  A(int32_t, b_strides, 8)
TMC_DEFINE_PARAMS(BinaryParams, TMC_BINARY_PARAMS)

struct OpAdd {
  template <typename T> static T apply(T a, T b) { return ew_add(a, b); }
};
struct OpSub {
  template <typename T> static T apply(T a, T b) { return ew_sub(a, b); }
};
struct OpMul {
  template <typename T> static T apply(T a, T b) { return ew_mul(a, b); }
};
struct OpDiv {
  template <typename T> static T apply(T a, T b) { return safe_div(a, b); }
};
/// Mod with fmod = 1: the sign of the dividend (C's fmod and %).
struct OpFmod {
  template <typename T> static T apply(T a, T b) { return ew_rem(a, b); }
};
/// Mod with fmod = 0 (integers only): the sign of the divisor, as Python's %.
struct OpMod {
  template <typename T> static T apply(T a, T b) {
    const T r = ew_rem(a, b);
    if (r != T(0) && is_negative(r) != is_negative(b))
      return ew_add(r, b);
    return r;
  }
};
/// Maximum and minimum; NaN in either operand gives NaN (numpy's maximum).
struct OpMax {
  template <typename T> static T apply(T a, T b) {
    return ew_is_nan(a) ? a : ew_is_nan(b) ? b : a < b ? b : a;
  }
};
struct OpMin {
  template <typename T> static T apply(T a, T b) {
    return ew_is_nan(a) ? a : ew_is_nan(b) ? b : b < a ? b : a;
  }
};
/// x < 0 ? slope * x : x, with a = x and b = slope.
struct OpPRelu {
  template <typename T> static T apply(T a, T b) { return is_negative(a) ? ew_mul(a, b) : a; }
};
/// Shifts of unsigned integers; shifting by the width or more gives 0.
struct OpShiftLeft {
  template <typename T> static T apply(T a, T b) {
    return b < T(sizeof(T) * 8) ? static_cast<T>(static_cast<uint64_t>(a) << b) : T(0);
  }
};
struct OpShiftRight {
  template <typename T> static T apply(T a, T b) {
    return b < T(sizeof(T) * 8) ? static_cast<T>(static_cast<uint64_t>(a) >> b) : T(0);
  }
};

struct OpEqual {
  template <typename T> static bool apply(T a, T b) { return a == b; }
};
struct OpGreater {
  template <typename T> static bool apply(T a, T b) { return a > b; }
};
struct OpGreaterOrEqual {
  template <typename T> static bool apply(T a, T b) { return a >= b; }
};
struct OpLess {
  template <typename T> static bool apply(T a, T b) { return a < b; }
};
struct OpLessOrEqual {
  template <typename T> static bool apply(T a, T b) { return a <= b; }
};
struct OpAnd {
  static bool apply(bool a, bool b) { return a && b; }
};
struct OpOr {
  static bool apply(bool a, bool b) { return a || b; }
};
struct OpXor {
  static bool apply(bool a, bool b) { return a != b; }
};

/// a^b for an integer base and exponent, wrapping; a negative exponent gives
/// the truncated result (1 for a = 1, +-1 for a = -1, else 0).
template <typename A, typename B> static inline A ew_int_pow(A a, B b) {
  if (is_negative(b)) {
    if (a == A(1))
      return A(1);
    if (a == ew_neg(A(1)))
      return (static_cast<uint64_t>(b) & 1u) ? a : A(1);
    return A(0);
  }
  uint64_t base = static_cast<uint64_t>(a), e = static_cast<uint64_t>(b), r = 1;
  while (e) {
    if (e & 1u)
      r *= base;
    base *= base;
    e >>= 1;
  }
  return static_cast<A>(r);
}
/// Pow on each pair of base and exponent kinds (1 = floating point).
template <typename A, typename B, int AR = EwReal<A>::value, int BR = EwReal<B>::value>
struct EwPowOf;
/// Float base: powf when nothing is double, pow otherwise.
template <typename A, typename B, int BR> struct EwPowOf<A, B, 1, BR> {
  static A apply(A a, B b) { return A(m_pow(double(a), double(b))); }
};
template <typename B, int BR> struct EwPowOf<float, B, 1, BR> {
  static float apply(float a, B b) { return m_pow(a, float(b)); }
};
template <> struct EwPowOf<float, double, 1, 1> {
  static float apply(float a, double b) { return float(m_pow(double(a), b)); }
};
/// Integer base, float exponent: computed in double, converted like Cast.
template <typename A, typename B> struct EwPowOf<A, B, 0, 1> {
  static A apply(A a, B b) { return ew_from_real<A>(m_pow(double(a), double(b))); }
};
template <typename A, typename B> struct EwPowOf<A, B, 0, 0> {
  static A apply(A a, B b) { return ew_int_pow(a, b); }
};
/// a^b; the exponent may have another type, the result has the base's.
struct OpPow {
  template <typename A, typename B> static A apply(A a, B b) { return EwPowOf<A, B>::apply(a, b); }
};

/// Calls f(i, ia, ib) for every output element i of a numpy broadcast, with
/// ia and ib the operands' element offsets, in output order. rank 0 means both
/// operands have the output's shape. Otherwise the compiler has merged
/// dimensions into at most `rank` dims and gives each operand's stride per dim
/// (0 where broadcast); the innermost dim is looped directly, the others by
/// counters.
template <class F> static inline void broadcast_each(const BinaryParams *p, F &f) {
  if (p->rank == 0) {
    for (int32_t i = 0; i < p->count; ++i)
      f(i, i, i);
    return;
  }
  const int32_t r = p->rank;
  const int32_t inner = p->dims[r - 1];
  const int32_t sa = p->a_strides[r - 1], sb = p->b_strides[r - 1];
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t ao = 0, bo = 0;
  for (int32_t o = 0; o < p->count; o += inner) {
    for (int32_t i = 0; i < inner; ++i)
      f(o + i, ao + i * sa, bo + i * sb);
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

template <class Op, typename A, typename B, typename R> struct BinaryApply {
  const A *a;
  const B *b;
  R *y;
  void operator()(int32_t i, int32_t ia, int32_t ib) { y[i] = Op::apply(a[ia], b[ib]); }
};

/// y = Op(a, b) with numpy broadcasting (broadcast_each). y may be an operand
/// that has the output's shape (in place).
template <class Op, typename A, typename B, typename R>
static inline void binary(const BinaryParams *p, const A *a, const B *b, R *y) {
  BinaryApply<Op, A, B, R> f = {a, b, y};
  broadcast_each(p, f);
}

//===----------------------------------------------------------------------===//
// Where
//===----------------------------------------------------------------------===//

#define TMC_WHERE_PARAMS(F, A)                                                                 \
  F(int32_t, count)                                                                            \
  F(int32_t, rank)                                                                             \
  A(int32_t, dims, 8)                                                                          \
  A(int32_t, c_strides, 8)                                                                     \
  A(int32_t, a_strides, 8)                                                                     \
  A(int32_t, b_strides, 8)
TMC_DEFINE_PARAMS(WhereParams, TMC_WHERE_PARAMS)

/// One element of Where; skips the copy when y is the chosen operand (in place).
template <int ES> static inline void where_move(unsigned char *dst, const unsigned char *src) {
  if (dst != src)
    memcpy(dst, src, ES);
}

/// y = c ? a : b elementwise with numpy broadcasting of all three (strides as
/// in binary; rank 0 means no operand is broadcast). Moves ES-byte elements;
/// y may be an operand that has the output's shape (in place).
template <int ES>
static inline void where(const WhereParams *p, const bool *c, const void *a, const void *b,
                         void *y) {
  const unsigned char *ab = static_cast<const unsigned char *>(a);
  const unsigned char *bb = static_cast<const unsigned char *>(b);
  unsigned char *yb = static_cast<unsigned char *>(y);
  if (p->rank == 0) {
    for (int32_t i = 0; i < p->count; ++i)
      where_move<ES>(yb + i * ES, (c[i] ? ab : bb) + i * ES);
    return;
  }
  const int32_t r = p->rank;
  const int32_t inner = p->dims[r - 1];
  const int32_t sc = p->c_strides[r - 1], sa = p->a_strides[r - 1], sb = p->b_strides[r - 1];
  int32_t idx[kMaxRank] = {0, 0, 0, 0, 0, 0, 0, 0};
  int32_t co = 0, ao = 0, bo = 0;
  for (int32_t o = 0; o < p->count; o += inner) {
    for (int32_t i = 0; i < inner; ++i) {
      const unsigned char *src = c[co + i * sc] ? ab + (ao + i * sa) * ES : bb + (bo + i * sb) * ES;
      where_move<ES>(yb + (o + i) * ES, src);
    }
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      co += p->c_strides[d];
      ao += p->a_strides[d];
      bo += p->b_strides[d];
      if (idx[d] < p->dims[d])
        break;
      co -= p->c_strides[d] * p->dims[d];
      ao -= p->a_strides[d] * p->dims[d];
      bo -= p->b_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

} // namespace tmc

#endif
