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
static inline float m_exp(float x) { return expf(x); }
static inline double m_exp(double x) { return exp(x); }
static inline float m_log(float x) { return logf(x); }
static inline double m_log(double x) { return log(x); }
static inline float m_sqrt(float x) { return sqrtf(x); }
static inline double m_sqrt(double x) { return sqrt(x); }
static inline float m_tanh(float x) { return tanhf(x); }
static inline double m_tanh(double x) { return tanh(x); }
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
