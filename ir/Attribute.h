//===- Attribute.h - typed node attributes --------------------------------===//
//
// Node attributes keep ONNX's names and types. The text IR spells each kind so
// that it parses back to the same kind: ints `3`, floats `3.0`, strings `"a"`,
// lists `[1, 2]` / `[0.5]` / `["a"]`, tensors `tensor<f32[2]>[1.0, 2.0]`.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_ATTRIBUTE_H
#define TINYMLC_IR_ATTRIBUTE_H

#include "ir/DType.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace tinymlc {

using Shape = llvm::SmallVector<int64_t, 6>;

/// A constant tensor held by value: used by tensor attributes and constants.
struct TensorData {
  DType dtype = DType::F32;
  Shape shape;
  std::vector<uint8_t> bytes; ///< little-endian, C order
  bool operator==(const TensorData &o) const {
    return dtype == o.dtype && shape == o.shape && bytes == o.bytes;
  }
};

class Attribute {
public:
  enum class Kind { Int, Float, String, Ints, Floats, Strings, Tensor };

  Attribute(int64_t v) : value(v) {}
  Attribute(float v) : value(v) {}
  Attribute(std::string v) : value(std::move(v)) {}
  Attribute(const char *v) : value(std::string(v)) {}
  Attribute(std::vector<int64_t> v) : value(std::move(v)) {}
  Attribute(std::vector<float> v) : value(std::move(v)) {}
  Attribute(std::vector<std::string> v) : value(std::move(v)) {}
  Attribute(TensorData v) : value(std::move(v)) {}

  Kind kind() const { return static_cast<Kind>(value.index()); }
  /// True for a list kind with no elements: an empty list matches every list kind.
  bool isEmptyList() const;

  int64_t getInt() const { return std::get<int64_t>(value); }
  float getFloat() const { return std::get<float>(value); }
  const std::string &getString() const { return std::get<std::string>(value); }
  llvm::ArrayRef<int64_t> getInts() const;
  llvm::ArrayRef<float> getFloats() const;
  llvm::ArrayRef<std::string> getStrings() const;
  const TensorData &getTensor() const { return std::get<TensorData>(value); }

  bool operator==(const Attribute &o) const { return value == o.value; }

private:
  std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
               std::vector<std::string>, TensorData>
      value;
};

llvm::StringRef attributeKindName(Attribute::Kind k);

} // namespace tinymlc

#endif
