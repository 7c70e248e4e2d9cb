//===- DType.h - element types of IR tensors ------------------------------===//
//
// The element types tinymlc can compile. The list is the subset of ONNX's
// TensorProto.DataType that makes sense on a microcontroller; float16/bfloat16,
// strings and complex types are rejected by the front end.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_DTYPE_H
#define TINYMLC_IR_DTYPE_H

#include "llvm/ADT/StringRef.h"
#include <cstddef>
#include <cstdint>
#include <optional>

namespace tinymlc {

enum class DType : uint8_t {
  F32,
  F64,
  I8,
  U8,
  I16,
  U16,
  I32,
  U32,
  I64,
  U64,
  Bool,
};

/// Size in bytes of one element.
size_t dtypeSize(DType t);
/// Short name used by the text IR and diagnostics: f32, i64, bool, ...
llvm::StringRef dtypeName(DType t);
/// Parses a short name; std::nullopt when unknown.
std::optional<DType> parseDType(llvm::StringRef name);
/// The C type spelled in generated code and kernels: float, int64_t, bool, ...
llvm::StringRef dtypeCType(DType t);
/// ONNX TensorProto.DataType code for the type.
int dtypeToOnnx(DType t);
/// Maps an ONNX TensorProto.DataType code; std::nullopt when unsupported.
std::optional<DType> dtypeFromOnnx(int onnxType);
/// The ONNX spelling of a data type code (FLOAT, INT64, ...), for messages about
/// types tinymlc does not support.
llvm::StringRef onnxTypeName(int onnxType);

inline bool isFloat(DType t) { return t == DType::F32 || t == DType::F64; }
inline bool isSignedInt(DType t) {
  return t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::I64;
}
inline bool isUnsignedInt(DType t) {
  return t == DType::U8 || t == DType::U16 || t == DType::U32 || t == DType::U64;
}
inline bool isInteger(DType t) { return isSignedInt(t) || isUnsignedInt(t); }

} // namespace tinymlc

#endif
