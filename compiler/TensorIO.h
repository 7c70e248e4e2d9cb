//===- TensorIO.h - tensors in files: .npy, ONNX TensorProto .pb, raw .bin ===//
#ifndef TINYMLC_COMPILER_TENSORIO_H
#define TINYMLC_COMPILER_TENSORIO_H

#include "ir/Attribute.h"
#include "llvm/Support/Error.h"
#include <optional>

namespace onnx {
class TensorProto;
}

namespace tinymlc {

/// A tensor read from a file. Raw files carry no type or shape.
struct FileTensor {
  std::optional<DType> dtype; ///< absent for raw files
  std::optional<Shape> shape; ///< absent for raw files
  std::vector<uint8_t> bytes;
};

/// Reads `path` by its extension: `.npy` (NumPy, little-endian, C order),
/// `.pb` (an ONNX TensorProto), anything else raw bytes.
llvm::Expected<FileTensor> readTensorFile(llvm::StringRef path);

/// Converts a TensorProto (raw_data or typed fields); `what` names it in
/// errors ("initializer 'w'").
llvm::Expected<TensorData> tensorFromProto(const onnx::TensorProto &t, llvm::StringRef what);

/// Checks a file tensor against the expected type and fits it: raw bytes must
/// be a whole number of `dtype` elements; typed files must have `dtype`.
/// Returns the element count.
llvm::Expected<int64_t> checkFileTensor(const FileTensor &t, DType dtype, llvm::StringRef path);

} // namespace tinymlc

#endif
