//===- tmc_base.h - definitions shared by every tinymlc kernel ------------===//
//
// runtime-min is the one implementation of every op: the generated code
// includes these headers, and the compiler runs the very same functions to fold
// constants and to evaluate models. Rules for everything under runtime-min/:
// C++11, header-only, no STL, no exceptions, no RTTI, no heap, no I/O; only
// <stdint.h>, <stddef.h>, <string.h> and <math.h>.
//
// A kernel takes a parameter struct that the compiler fills at compile time
// (shapes, strides, constants) and emits as a `static const` object, so the
// C++ compiler can specialise the loops. Parameter structs are declared with
// an X-macro field list, which lets the compiler print them without a second
// description of their layout.
//
//===----------------------------------------------------------------------===//
#ifndef TMC_BASE_H
#define TMC_BASE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/// Declares `struct Name` from an X-macro field list `FIELDS(F, A)`, where
/// F(type, name) is a scalar field and A(type, name, n) an array field.
#define TMC_PARAM_FIELD(type, name) type name;
#define TMC_PARAM_ARRAY(type, name, n) type name[n];
#define TMC_DEFINE_PARAMS(Name, FIELDS)                                                        \
  struct Name {                                                                                \
    FIELDS(TMC_PARAM_FIELD, TMC_PARAM_ARRAY)                                                   \
  };

/// Placed between ops in generated code. Ops reuse arena bytes for tensors of
/// different element types; the barrier keeps the C++ compiler from moving a
/// store of one op across a load of another on the grounds of type-based alias
/// analysis.
#if defined(__GNUC__)
#define TMC_BARRIER() __asm__ __volatile__("" ::: "memory")
#else
#define TMC_BARRIER() ((void)0)
#endif

/// Hides a pointer's value from the optimiser. Generated code passes the arena
/// base through it: GCC 12's interprocedural constant propagation, given the
/// address of the static arena as a known constant, has been seen to drop a
/// whole kernel call whose stores it could no longer attribute to the arena.
/// Keeping the base opaque costs one register and rules that class out.
#if defined(__GNUC__)
#define TMC_OPAQUE(ptr) __asm__("" : "+r"(ptr))
#else
#define TMC_OPAQUE(ptr) ((void)0)
#endif

namespace tmc {

enum { kMaxRank = 8 };

/// Activations an op can apply to its result before storing it.
enum Activation {
  kActNone = 0,
  kActRelu = 1,
  kActClip = 2,        ///< clamp to [alpha, beta]
  kActLeakyRelu = 3,   ///< x < 0 ? alpha * x : x
  kActSigmoid = 4,
  kActTanh = 5,
  kActHardSigmoid = 6, ///< max(0, min(1, alpha * x + beta))
  kActHardSwish = 7,
};

// Math overloads, so that templates pick the float or double function.
//
// exp, log and tanh in float -- softmax, sigmoid, LSTM/GRU gates, the
// functions real models spend their transcendental time in -- are computed
// here from IEEE-754 float operations only, not by the C library: hosts'
// and microcontrollers' libms round differently in the last place, and the
// generated code must give the same bits on every target (and in the
// compiler's own evaluator). Within 2 ulp of the exact result; the same
// bits everywhere as long as the C++ compiler does not contract a * b + c
// into a fused multiply-add (-ffp-contract=off, the default of -std=c++NN).

static inline float bits_to_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
static inline uint32_t float_to_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/// 2^k for -126 <= k <= 127.
static inline float pow2i(int32_t k) { return bits_to_float(uint32_t(k + 127) << 23); }

/// e^x: x = k ln2 + r with |r| <= ln2 / 2 (Cody-Waite: ln2 split so that k
/// times its high part is exact), e^r by its Taylor series to r^7 / 7!
/// (error below 6e-9 relative), then scaled by 2^k in two steps near the
/// ends of the range.
static inline float m_exp(float x) {
  if (x != x)
    return x;
  if (x > 88.7228394f) // ln(FLT_MAX)
    return HUGE_VALF;
  if (x < -103.972084f) // below half the smallest subnormal
    return 0.0f;
  const float kf = floorf(x * 1.44269502f + 0.5f);
  const int32_t k = int32_t(kf);
  const float r = (x - kf * 0.693145752f) - kf * 1.42860677e-6f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  if (k > 127)
    return (p * 2.0f) * pow2i(k - 1);
  if (k < -126)
    return (p * pow2i(k + 64)) * pow2i(-64);
  return p * pow2i(k);
}
static inline double m_exp(double x) { return exp(x); }

/// ln x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact),
/// s = f / (2 + f), ln(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))) with the
/// series of 2 atanh(s) in R, as fdlibm's logf arranges it.
static inline float m_log(float x) {
  uint32_t u = float_to_bits(x);
  if (x != x || u == 0x7f800000u)
    return x; // NaN, +inf
  if (x == 0.0f)
    return -HUGE_VALF;
  if (u >> 31)
    return NAN; // negative
  int32_t e = 0;
  if (u < 0x00800000u) { // subnormal: scale into the normal range
    u = float_to_bits(x * 8388608.0f);
    e = -23;
  }
  e += int32_t(u >> 23) - 127;
  float m = bits_to_float((u & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421354f) {
    m *= 0.5f;
    e += 1;
  }
  const float f = m - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  float R = 0.181818187f; // 2/11
  R = R * z + 0.222222224f;
  R = R * z + 0.285714298f;
  R = R * z + 0.400000006f;
  R = R * z + 0.666666687f;
  R = R * z;
  const float hfsq = 0.5f * f * f;
  const float lm = f - (hfsq - s * (hfsq + R));
  const float ef = float(e);
  return ef * 0.693145752f + (lm + ef * 1.42860677e-6f);
}
static inline double m_log(double x) { return log(x); }

/// tanh x: x itself below 2^-12 (the cubic term is under half an ulp), its
/// Taylor series to x^21 below 1/2 (error below 1e-10), 1 - 2 / (e^(2|x|) + 1)
/// above, 1 from 9 on.
static inline float m_tanh(float x) {
  const float a = x < 0.0f ? -x : x;
  if (!(a >= 2.44140625e-4f)) // also NaN and -0
    return x;
  float t;
  if (a >= 9.0f) {
    t = 1.0f;
  } else if (a >= 0.5f) {
    t = 1.0f - 2.0f / (m_exp(2.0f * a) + 1.0f);
  } else {
    const float z = a * a;
    float p = 9.691537957e-05f;
    p = p * z - 2.391291142e-04f;
    p = p * z + 5.900274409e-04f;
    p = p * z - 1.455834387e-03f;
    p = p * z + 3.592128037e-03f;
    p = p * z - 8.863235530e-03f;
    p = p * z + 2.186948854e-02f;
    p = p * z - 5.396825397e-02f;
    p = p * z + 1.333333333e-01f;
    p = p * z - 3.333333333e-01f;
    t = a + a * (z * p);
  }
  return x < 0.0f ? -t : t;
}
static inline double m_tanh(double x) { return tanh(x); }
static inline float m_sqrt(float x) { return sqrtf(x); } // IEEE: correctly rounded everywhere
static inline double m_sqrt(double x) { return sqrt(x); }
static inline float m_floor(float x) { return floorf(x); }
static inline double m_floor(double x) { return floor(x); }
static inline float m_ceil(float x) { return ceilf(x); }
static inline double m_ceil(double x) { return ceil(x); }
#define TMC_MATH1(name)                                                                        \
  static inline float m_##name(float x) { return name##f(x); }                                 \
  static inline double m_##name(double x) { return name(x); }
TMC_MATH1(sin)
TMC_MATH1(cos)
TMC_MATH1(tan)
TMC_MATH1(asin)
TMC_MATH1(acos)
TMC_MATH1(atan)
TMC_MATH1(sinh)
TMC_MATH1(cosh)
TMC_MATH1(asinh)
TMC_MATH1(acosh)
TMC_MATH1(atanh)
TMC_MATH1(erf)
TMC_MATH1(fabs)
TMC_MATH1(rint) // rounds half to even in the default rounding mode
TMC_MATH1(log1p)
TMC_MATH1(expm1)
#undef TMC_MATH1
#define TMC_MATH2(name)                                                                        \
  static inline float m_##name(float x, float y) { return name##f(x, y); }                     \
  static inline double m_##name(double x, double y) { return name(x, y); }
TMC_MATH2(pow)
TMC_MATH2(fmod)
TMC_MATH2(atan2)
#undef TMC_MATH2

template <typename T> static inline T t_max(T a, T b) { return a < b ? b : a; }
template <typename T> static inline T t_min(T a, T b) { return b < a ? b : a; }

/// Smallest and largest values of an arithmetic type (no <limits> here).
template <typename T> struct Limits;
#define TMC_LIMITS(T, lo, hi)                                                                  \
  template <> struct Limits<T> {                                                               \
    static T lowest() { return lo; }                                                           \
    static T highest() { return hi; }                                                          \
  };
TMC_LIMITS(float, -HUGE_VALF, HUGE_VALF)
TMC_LIMITS(double, -HUGE_VAL, HUGE_VAL)
TMC_LIMITS(int8_t, INT8_MIN, INT8_MAX)
TMC_LIMITS(uint8_t, 0, UINT8_MAX)
TMC_LIMITS(int16_t, INT16_MIN, INT16_MAX)
TMC_LIMITS(uint16_t, 0, UINT16_MAX)
TMC_LIMITS(int32_t, INT32_MIN, INT32_MAX)
TMC_LIMITS(uint32_t, 0, UINT32_MAX)
TMC_LIMITS(int64_t, INT64_MIN, INT64_MAX)
TMC_LIMITS(uint64_t, 0, UINT64_MAX)
#undef TMC_LIMITS

/// x < 0, without comparing unsigned values against zero (-Wtype-limits).
template <typename T> struct Sign {
  static bool negative(T x) { return x < T(0); }
};
#define TMC_UNSIGNED_SIGN(T)                                                                   \
  template <> struct Sign<T> {                                                                 \
    static bool negative(T) { return false; }                                                  \
  };
TMC_UNSIGNED_SIGN(uint8_t)
TMC_UNSIGNED_SIGN(uint16_t)
TMC_UNSIGNED_SIGN(uint32_t)
TMC_UNSIGNED_SIGN(uint64_t)
TMC_UNSIGNED_SIGN(bool)
#undef TMC_UNSIGNED_SIGN
template <typename T> static inline bool is_negative(T x) { return Sign<T>::negative(x); }

template <typename T> static inline T sigmoid(T x) { return T(1) / (T(1) + m_exp(-x)); }

/// Applies activation `act` (an Activation) with its parameters.
template <typename T> static inline T activate(T x, int32_t act, float alpha, float beta) {
  switch (act) {
  case kActRelu:
    return x < T(0) ? T(0) : x;
  case kActClip: {
    // min(max(x, lo), hi), as Clip computes it (also when lo > hi).
    const T v = x < T(alpha) ? T(alpha) : x;
    return T(beta) < v ? T(beta) : v;
  }
  case kActLeakyRelu:
    return x < T(0) ? T(alpha) * x : x;
  case kActSigmoid:
    return sigmoid(x);
  case kActTanh:
    return m_tanh(x);
  case kActHardSigmoid:
    return t_max(T(0), t_min(T(1), T(alpha) * x + T(beta)));
  case kActHardSwish:
    return x * t_max(T(0), t_min(T(1), x / T(6) + T(0.5)));
  default:
    return x;
  }
}

/// Integer activations: only the clamping ones make sense.
#define TMC_INT_ACTIVATE(T)                                                                    \
  template <> inline T activate<T>(T x, int32_t act, float alpha, float beta) {                \
    (void)beta;                                                                                \
    if (act == kActRelu)                                                                       \
      return is_negative(x) ? T(0) : x;                                                        \
    if (act == kActClip) {                                                                     \
      const T v = x < T(alpha) ? T(alpha) : x;                                                 \
      return T(beta) < v ? T(beta) : v;                                                        \
    }                                                                                          \
    return x;                                                                                  \
  }
TMC_INT_ACTIVATE(int8_t)
TMC_INT_ACTIVATE(uint8_t)
TMC_INT_ACTIVATE(int16_t)
TMC_INT_ACTIVATE(uint16_t)
TMC_INT_ACTIVATE(int32_t)
TMC_INT_ACTIVATE(uint32_t)
TMC_INT_ACTIVATE(int64_t)
TMC_INT_ACTIVATE(uint64_t)
#undef TMC_INT_ACTIVATE

} // namespace tmc

#endif
