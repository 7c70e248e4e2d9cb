//===- Format.h - exact, deterministic number formatting ------------------===//
//
// Floats reach generated code, the text IR and reports. They are printed as
// the shortest decimal that reads back to the same bits (so the printing is
// exact and still readable), independent of the C locale.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_FORMAT_H
#define TINYMLC_IR_FORMAT_H

#include "ir/DType.h"
#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <string>

namespace tinymlc {

/// Shortest round-trip decimal for a float: "0.1", "1e-05", "3"; "inf",
/// "-inf" and "nan" for the non-finite values.
std::string formatFloat(float v);
/// The same for a double.
std::string formatDouble(double v);
/// Parses a decimal (or inf/nan) as the C library does in the "C" locale.
bool parseFloat(llvm::StringRef text, float &out);
bool parseDouble(llvm::StringRef text, double &out);

/// Element `i` of raw little-endian data of type `t`, as text: floats as
/// formatFloat/formatDouble, bools as 0/1, integers in decimal.
std::string formatElement(DType t, const uint8_t *data, size_t i);

} // namespace tinymlc

#endif
