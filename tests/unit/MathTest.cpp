//===- MathTest.cpp - runtime-min's own exp, log and tanh -----------------===//
//
// The kernels compute exp, log and tanh in float themselves (tmc_base.h) so
// that every target gives the same bits. These tests hold them to 2.5 ulp of
// the double-precision result over a sweep of the float range, and check the
// special values.
//
#include "tmc_base.h"
#include <cmath>
#include <cstring>
#include <doctest/doctest.h>

namespace {

float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// |got - want| in units in the last place of the float nearest `want`.
double ulps(float got, double want) {
  float w = static_cast<float>(want);
  if (std::isinf(w))
    return got == w ? 0.0 : 1e9;
  int e;
  std::frexp(w, &e);
  double ulp = std::ldexp(1.0, std::max(e - 24, -149));
  return std::fabs(static_cast<double>(got) - want) / ulp;
}

template <typename F, typename R>
double worstUlps(F mine, R reference, float lo, float hi) {
  double worst = 0;
  for (uint32_t u = 0; u < 0xff800000u; u += 4099) {
    float x = fromBits(u);
    if (std::isnan(x) || x < lo || x > hi)
      continue;
    worst = std::max(worst, ulps(mine(x), reference(static_cast<double>(x))));
  }
  return worst;
}

} // namespace

TEST_CASE("exp, log and tanh are within 2.5 ulp") {
  CHECK(worstUlps([](float x) { return tmc::m_exp(x); }, [](double x) { return std::exp(x); },
                  -110.0f, 110.0f) < 2.5);
  CHECK(worstUlps([](float x) { return tmc::m_log(x); }, [](double x) { return std::log(x); },
                  1e-45f, 3.4e38f) < 2.5);
  CHECK(worstUlps([](float x) { return tmc::m_tanh(x); }, [](double x) { return std::tanh(x); },
                  -3.4e38f, 3.4e38f) < 2.5);
}

TEST_CASE("exp, log and tanh: special values") {
  const float inf = HUGE_VALF;
  CHECK(tmc::m_exp(0.0f) == 1.0f);
  CHECK(tmc::m_exp(-0.0f) == 1.0f);
  CHECK(tmc::m_exp(inf) == inf);
  CHECK(tmc::m_exp(-inf) == 0.0f);
  CHECK(tmc::m_exp(89.0f) == inf);
  CHECK(tmc::m_exp(-104.0f) == 0.0f);
  CHECK(tmc::m_exp(-100.0f) > 0.0f); // subnormal result
  CHECK(std::isnan(tmc::m_exp(NAN)));
  CHECK(tmc::m_log(1.0f) == 0.0f);
  CHECK(tmc::m_log(0.0f) == -inf);
  CHECK(tmc::m_log(inf) == inf);
  CHECK(std::isnan(tmc::m_log(-1.0f)));
  CHECK(std::isnan(tmc::m_log(NAN)));
  CHECK(tmc::m_log(1e-45f) < -103.0f); // subnormal input
  CHECK(tmc::m_tanh(inf) == 1.0f);
  CHECK(tmc::m_tanh(-inf) == -1.0f);
  CHECK(std::signbit(tmc::m_tanh(-0.0f)));
  CHECK(std::isnan(tmc::m_tanh(NAN)));
  CHECK(tmc::m_tanh(1e-30f) == 1e-30f);
}
