//===- DType.cpp - element types of IR tensors ----------------------------===//
#include "ir/DType.h"

namespace tinymlc {

namespace {
struct DTypeInfo {
  DType type;
  const char *name;
  const char *ctype;
  size_t size;
  int onnx;
};
// Ordered as the enum.
constexpr DTypeInfo kInfos[] = {
    {DType::F32, "f32", "float", 4, 1},     {DType::F64, "f64", "double", 8, 11},
    {DType::I8, "i8", "int8_t", 1, 3},      {DType::U8, "u8", "uint8_t", 1, 2},
    {DType::I16, "i16", "int16_t", 2, 5},   {DType::U16, "u16", "uint16_t", 2, 4},
    {DType::I32, "i32", "int32_t", 4, 6},   {DType::U32, "u32", "uint32_t", 4, 12},
    {DType::I64, "i64", "int64_t", 8, 7},   {DType::U64, "u64", "uint64_t", 8, 13},
    {DType::Bool, "bool", "bool", 1, 9},
};
const DTypeInfo &info(DType t) { return kInfos[static_cast<unsigned>(t)]; }
} // namespace

size_t dtypeSize(DType t) { return info(t).size; }
llvm::StringRef dtypeName(DType t) { return info(t).name; }
llvm::StringRef dtypeCType(DType t) { return info(t).ctype; }
int dtypeToOnnx(DType t) { return info(t).onnx; }

std::optional<DType> parseDType(llvm::StringRef name) {
  for (const DTypeInfo &i : kInfos)
    if (name == i.name)
      return i.type;
  return std::nullopt;
}

std::optional<DType> dtypeFromOnnx(int onnxType) {
  for (const DTypeInfo &i : kInfos)
    if (onnxType == i.onnx)
      return i.type;
  return std::nullopt;
}

llvm::StringRef onnxTypeName(int onnxType) {
  static const char *const names[] = {
      "UNDEFINED", "FLOAT",  "UINT8",  "INT8",      "UINT16",     "INT16",
      "INT32",     "INT64",  "STRING", "BOOL",      "FLOAT16",    "DOUBLE",
      "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  if (onnxType >= 0 && onnxType < static_cast<int>(sizeof(names) / sizeof(names[0])))
    return names[onnxType];
  return "UNKNOWN";
}

} // namespace tinymlc
