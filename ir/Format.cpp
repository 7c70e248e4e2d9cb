//===- Format.cpp - exact, deterministic number formatting ----------------===//
#include "ir/Format.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <locale.h>

namespace tinymlc {

namespace {
// snprintf and strtod honour LC_NUMERIC; use the "C" locale explicitly so that
// no environment can change what is printed.
locale_t cLocale() {
  static locale_t loc = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
  return loc;
}

struct ScopedCLocale {
  locale_t old;
  ScopedCLocale() : old(uselocale(cLocale())) {}
  ~ScopedCLocale() { uselocale(old); }
};

/// The shortest decimal that reads back to the same value (std::to_chars: a
/// Ryu-style algorithm, exact and independent of the C locale).
template <typename T> std::string shortest(T v) {
  if (std::isnan(v))
    return "nan";
  if (std::isinf(v))
    return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  assert(r.ec == std::errc() && "to_chars buffer too small");
  return std::string(buf, r.ptr);
}
} // namespace

std::string formatFloat(float v) { return shortest(v); }
std::string formatDouble(double v) { return shortest(v); }

bool parseFloat(llvm::StringRef text, float &out) {
  ScopedCLocale scoped;
  std::string s = text.str();
  char *end = nullptr;
  out = std::strtof(s.c_str(), &end);
  return end && *end == '\0' && !s.empty();
}

bool parseDouble(llvm::StringRef text, double &out) {
  ScopedCLocale scoped;
  std::string s = text.str();
  char *end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end && *end == '\0' && !s.empty();
}

std::string formatElement(DType t, const uint8_t *data, size_t i) {
  const uint8_t *p = data + i * dtypeSize(t);
  auto load = [p](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (t) {
  case DType::F32:
    return formatFloat(load(0.0f));
  case DType::F64:
    return formatDouble(load(0.0));
  case DType::I8:
    return std::to_string(load(int8_t()));
  case DType::U8:
    return std::to_string(load(uint8_t()));
  case DType::I16:
    return std::to_string(load(int16_t()));
  case DType::U16:
    return std::to_string(load(uint16_t()));
  case DType::I32:
    return std::to_string(load(int32_t()));
  case DType::U32:
    return std::to_string(load(uint32_t()));
  case DType::I64:
    return std::to_string(load(int64_t()));
  case DType::U64:
    return std::to_string(load(uint64_t()));
  case DType::Bool:
    return load(uint8_t()) ? "1" : "0";
  }
  return "";
}

} // namespace tinymlc
