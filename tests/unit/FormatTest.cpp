//===- FormatTest.cpp - shortest round-trip float formatting --------------===//
#include "ir/Format.h"
#include <cfloat>
#include <clocale>
#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <limits>
#include <string>

using namespace tinymlc;

namespace {

/// The bits of a float.
uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

/// formatFloat(v) reads back to exactly v.
bool roundTrips(float v) {
  float back;
  return parseFloat(formatFloat(v), back) && bitsOf(back) == bitsOf(v);
}

void checkFloats() {
  CHECK(formatFloat(0.1f) == "0.1");
  CHECK(formatFloat(1.0f) == "1");
  CHECK(formatFloat(3.0f) == "3");
  CHECK(formatFloat(-2.5f) == "-2.5");
  CHECK(formatFloat(1e-5f) == "1e-05");
  CHECK(formatFloat(0.0f) == "0");
  CHECK(formatFloat(-0.0f) == "-0");
  // the smallest denormal
  CHECK(formatFloat(1e-45f) == "1e-45");
  CHECK(formatFloat(std::numeric_limits<float>::denorm_min()) == "1e-45");
  // 2^24: all eight digits are needed
  CHECK(formatFloat(16777216.0f) == "16777216");
  CHECK(formatFloat(16777217.0f) == "16777216"); // not representable: rounds to 2^24
  CHECK(formatFloat(FLT_MAX) == "3.4028235e+38");
  CHECK(formatFloat(FLT_MIN) == "1.1754944e-38");
  CHECK(formatFloat(1.0f / 3.0f) == "0.33333334");
  CHECK(formatFloat(std::numeric_limits<float>::infinity()) == "inf");
  CHECK(formatFloat(-std::numeric_limits<float>::infinity()) == "-inf");
  CHECK(formatFloat(std::numeric_limits<float>::quiet_NaN()) == "nan");
  for (float v : {0.1f, 1e-45f, -0.0f, 16777216.0f, FLT_MAX, FLT_MIN, 1.0f / 3.0f, 123456.79f})
    CHECK(roundTrips(v));
}

void checkDoubles() {
  CHECK(formatDouble(0.1) == "0.1");
  CHECK(formatDouble(static_cast<double>(0.1f)) == "0.10000000149011612");
  CHECK(formatDouble(-0.0) == "-0");
  CHECK(formatDouble(5e-324) == "5e-324"); // the smallest denormal
  CHECK(formatDouble(DBL_MAX) == "1.7976931348623157e+308");
  CHECK(formatDouble(9007199254740992.0) == "9007199254740992");
  CHECK(formatDouble(1.0 / 3.0) == "0.3333333333333333");
  CHECK(formatDouble(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(formatDouble(std::numeric_limits<double>::quiet_NaN()) == "nan");
  double back;
  REQUIRE(parseDouble(formatDouble(1.0 / 3.0), back));
  CHECK(back == 1.0 / 3.0);
}

void checkParsing() {
  float f;
  CHECK(parseFloat("0.5", f));
  CHECK(f == 0.5f);
  CHECK(parseFloat("-inf", f));
  CHECK(std::isinf(f));
  CHECK(f < 0);
  CHECK(parseFloat("nan", f));
  CHECK(std::isnan(f));
  CHECK_FALSE(parseFloat("", f));
  CHECK_FALSE(parseFloat("0,5", f));
  CHECK_FALSE(parseFloat("1.5x", f));
}

/// A locale whose decimal separator is not '.', if one is installed.
const char *commaLocale() {
  static const char *const candidates[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8",
                                           "fr_FR.utf8", "fr_FR", "nl_NL.UTF-8", "ru_RU.UTF-8"};
  for (const char *name : candidates)
    if (std::setlocale(LC_NUMERIC, name)) {
      bool comma = std::strcmp(std::localeconv()->decimal_point, ".") != 0;
      std::setlocale(LC_NUMERIC, "C");
      if (comma)
        return name;
    }
  return nullptr;
}

} // namespace

TEST_CASE("formatFloat prints the shortest decimal that reads back exactly") { checkFloats(); }

TEST_CASE("formatDouble prints the shortest decimal that reads back exactly") { checkDoubles(); }

TEST_CASE("parseFloat accepts decimals, inf and nan, and nothing else") { checkParsing(); }

TEST_CASE("formatting and parsing ignore LC_NUMERIC") {
  const char *name = commaLocale();
  if (!name) {
    MESSAGE("no locale with a decimal comma is installed (locale -a); check skipped");
    return;
  }
  INFO("LC_NUMERIC=" << std::string(name));
  struct Restore {
    ~Restore() { std::setlocale(LC_NUMERIC, "C"); }
  } restore;
  std::setlocale(LC_NUMERIC, name);
  checkFloats();
  checkDoubles();
  checkParsing();
}
