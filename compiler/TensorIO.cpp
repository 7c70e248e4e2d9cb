//===- TensorIO.cpp - tensors in files ------------------------------------===//
#include "compiler/TensorIO.h"
#include "ir/Diagnostic.h"
#include "ir/Graph.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <cstring>
#include <onnx/onnx_pb.h>

namespace tinymlc {

namespace {

llvm::Error fileError(llvm::StringRef path, const llvm::Twine &msg) {
  llvm::Error e = makeError(msg);
  return withFile(std::move(e), path);
}

/// NumPy .npy, format versions 1 to 3: magic, version, header length, a
/// Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
llvm::Expected<FileTensor> readNpy(llvm::StringRef path, llvm::StringRef data) {
  if (data.size() < 10 || !data.startswith("\x93NUMPY"))
    return fileError(path, "not a .npy file (bad magic)");
  uint8_t major = static_cast<uint8_t>(data[6]);
  size_t headerLen, start;
  if (major == 1) {
    headerLen = static_cast<uint8_t>(data[8]) | (static_cast<uint8_t>(data[9]) << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      return fileError(path, "truncated .npy header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | static_cast<uint8_t>(data[8 + i]);
    start = 12;
  } else {
    return fileError(path, "unsupported .npy version " + llvm::Twine(unsigned(major)));
  }
  if (start + headerLen > data.size())
    return fileError(path, "truncated .npy header");
  llvm::StringRef header = data.substr(start, headerLen);
  auto field = [&](llvm::StringRef key) -> llvm::StringRef {
    size_t k = header.find("'" + key.str() + "'");
    if (k == llvm::StringRef::npos)
      return "";
    llvm::StringRef rest = header.drop_front(k + key.size() + 2).ltrim(" :");
    return rest;
  };
  llvm::StringRef descr = field("descr");
  if (!descr.consume_front("'"))
    return fileError(path, ".npy header has no 'descr'");
  descr = descr.take_until([](char c) { return c == '\''; });
  static const struct {
    const char *descr;
    DType type;
  } kTypes[] = {{"<f4", DType::F32}, {"<f8", DType::F64}, {"|i1", DType::I8},
                {"|u1", DType::U8},  {"<i2", DType::I16}, {"<u2", DType::U16},
                {"<i4", DType::I32}, {"<u4", DType::U32}, {"<i8", DType::I64},
                {"<u8", DType::U64}, {"|b1", DType::Bool}};
  std::optional<DType> dtype;
  for (const auto &t : kTypes)
    if (descr == t.descr)
      dtype = t.type;
  if (!dtype)
    return fileError(path, ".npy element type '" + descr +
                               "' is not supported (little-endian numeric or bool only)");
  if (field("fortran_order").startswith("True"))
    return fileError(path, ".npy array is in Fortran order; save it in C order");
  llvm::StringRef shapeText = field("shape");
  if (!shapeText.consume_front("("))
    return fileError(path, ".npy header has no 'shape'");
  shapeText = shapeText.take_until([](char c) { return c == ')'; });
  Shape shape;
  llvm::SmallVector<llvm::StringRef, 8> parts;
  shapeText.split(parts, ',');
  for (llvm::StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0)
      return fileError(path, "bad .npy shape entry '" + p + "'");
    shape.push_back(d);
  }
  std::optional<int64_t> bytes = checkedTensorBytes(shape, dtypeSize(*dtype));
  if (!bytes)
    return fileError(path, ".npy shape " + shapeToString(shape) +
                               " is larger than the 2 GiB tinymlc supports per tensor");
  FileTensor t;
  t.dtype = dtype;
  t.shape = shape;
  size_t expected = static_cast<size_t>(*bytes);
  llvm::StringRef body = data.drop_front(start + headerLen);
  if (body.size() != expected)
    return fileError(path, ".npy data has " + llvm::Twine(body.size()) + " bytes, the header says " +
                               llvm::Twine(expected));
  t.bytes.assign(body.bytes_begin(), body.bytes_end());
  return t;
}

} // namespace

llvm::Expected<TensorData> tensorFromProto(const onnx::TensorProto &t, llvm::StringRef what) {
  std::optional<DType> dtype = dtypeFromOnnx(t.data_type());
  if (!dtype)
    return makeError(what, "element type " + onnxTypeName(t.data_type()) +
                               " is not supported");
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return makeError(what, "tensor data stored in an external file is not supported yet; save "
                           "the model with its weights inside (onnx.save(model, "
                           "save_as_external_data=False))");
  if (t.has_segment())
    return makeError(what, "segmented tensors are not supported");
  TensorData out;
  out.dtype = *dtype;
  for (int64_t d : t.dims()) {
    if (d < 0)
      return makeError(what, "negative dimension " + llvm::Twine(d));
    out.shape.push_back(d);
  }
  size_t size = dtypeSize(*dtype);
  if (!checkedTensorBytes(out.shape, size))
    return makeError(what, "shape " + shapeToString(out.shape) +
                               " is larger than the 2 GiB tinymlc supports per tensor");
  int64_t n = numElements(out.shape);
  if (!t.raw_data().empty()) {
    if (t.raw_data().size() != static_cast<size_t>(n) * size)
      return makeError(what, "raw_data has " + llvm::Twine(t.raw_data().size()) +
                                 " bytes, shape " + shapeToString(out.shape) + " needs " +
                                 llvm::Twine(n * static_cast<int64_t>(size)));
    out.bytes.assign(t.raw_data().begin(), t.raw_data().end());
    return out;
  }
  out.bytes.resize(static_cast<size_t>(n) * size);
  auto fill = [&](const auto &field, auto convert) -> llvm::Error {
    if (field.size() != n)
      return makeError(what, "has " + llvm::Twine(field.size()) + " values, shape " +
                                 shapeToString(out.shape) + " needs " + llvm::Twine(n));
    for (int64_t i = 0; i < n; ++i) {
      auto v = convert(field.Get(static_cast<int>(i)));
      std::memcpy(out.bytes.data() + i * size, &v, size);
    }
    return llvm::Error::success();
  };
  llvm::Error e = llvm::Error::success();
  switch (*dtype) {
  case DType::F32:
    e = fill(t.float_data(), [](float v) { return v; });
    break;
  case DType::F64:
    e = fill(t.double_data(), [](double v) { return v; });
    break;
  case DType::I64:
    e = fill(t.int64_data(), [](int64_t v) { return v; });
    break;
  case DType::U32:
    e = fill(t.uint64_data(), [](uint64_t v) { return static_cast<uint32_t>(v); });
    break;
  case DType::U64:
    e = fill(t.uint64_data(), [](uint64_t v) { return v; });
    break;
  case DType::I32:
    e = fill(t.int32_data(), [](int32_t v) { return v; });
    break;
  case DType::I16:
    e = fill(t.int32_data(), [](int32_t v) { return static_cast<int16_t>(v); });
    break;
  case DType::U16:
    e = fill(t.int32_data(), [](int32_t v) { return static_cast<uint16_t>(v); });
    break;
  case DType::I8:
    e = fill(t.int32_data(), [](int32_t v) { return static_cast<int8_t>(v); });
    break;
  case DType::U8:
    e = fill(t.int32_data(), [](int32_t v) { return static_cast<uint8_t>(v); });
    break;
  case DType::Bool:
    e = fill(t.int32_data(), [](int32_t v) { return static_cast<uint8_t>(v != 0); });
    break;
  }
  if (e)
    return e;
  return out;
}

llvm::Expected<FileTensor> readTensorFile(llvm::StringRef path) {
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return fileError(path, "cannot read: " + buf.getError().message());
  llvm::StringRef data = (*buf)->getBuffer();
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext.equals_insensitive(".npy"))
    return readNpy(path, data);
  if (ext.equals_insensitive(".pb")) {
    onnx::TensorProto proto;
    if (!proto.ParseFromArray(data.data(), static_cast<int>(data.size())))
      return fileError(path, "not a valid ONNX TensorProto (.pb)");
    auto t = tensorFromProto(proto, "tensor");
    if (!t)
      return withFile(t.takeError(), path);
    FileTensor f;
    f.dtype = t->dtype;
    f.shape = t->shape;
    f.bytes = std::move(t->bytes);
    return f;
  }
  FileTensor f;
  f.bytes.assign(data.bytes_begin(), data.bytes_end());
  return f;
}

llvm::Expected<int64_t> checkFileTensor(const FileTensor &t, DType dtype, llvm::StringRef path) {
  if (t.dtype && *t.dtype != dtype)
    return fileError(path, "holds " + dtypeName(*t.dtype) + " data, expected " +
                               dtypeName(dtype));
  size_t size = dtypeSize(dtype);
  if (t.bytes.size() % size != 0)
    return fileError(path, "has " + llvm::Twine(t.bytes.size()) +
                               " bytes, not a whole number of " + dtypeName(dtype) +
                               " elements");
  return static_cast<int64_t>(t.bytes.size() / size);
}

} // namespace tinymlc
