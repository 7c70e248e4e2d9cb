//===- TensorIOTest.cpp - tensors read from .npy, .pb and raw files -------===//
//
// Files are written into a fresh temporary directory per test case, built
// byte by byte (.npy) or with the ONNX protobuf classes (.pb).
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "compiler/TensorIO.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>
#include <onnx/onnx_pb.h>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

/// A temporary directory, removed with everything in it at the end of the test.
struct TempDir {
  llvm::SmallString<128> path;
  TempDir() {
    std::error_code ec = llvm::sys::fs::createUniqueDirectory("tinymlc-tensorio", path);
    REQUIRE_FALSE(ec);
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }

  /// Writes `bytes` to `name` in the directory and returns the file's path.
  std::string write(llvm::StringRef name, llvm::StringRef bytes) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    REQUIRE_FALSE(ec);
    os << bytes;
    return std::string(p);
  }
};

/// A version 1 .npy file: magic, version, little-endian header length, the
/// header dict padded with spaces to a multiple of 64 bytes, then `data`.
std::string npy(llvm::StringRef dict, llvm::StringRef data, char major = 1) {
  std::string header = dict.str();
  size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += major;
  out += '\0';
  size_t len = header.size();
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>((len >> 8) & 0xff);
  if (major != 1) {
    out += '\0';
    out += '\0';
  }
  return out + header + data.str();
}

template <typename T> std::string raw(std::vector<T> v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(T));
}

} // namespace

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST_CASE(".npy: float32 and int64, version 1 header") {
  TempDir dir;
  std::string f = dir.write(
      "a.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                   raw<float>({1, 2, 3, 4, 5, 6.5f})));
  auto t = readTensorFile(f);
  REQUIRE(t);
  CHECK(t->dtype == DType::F32);
  CHECK(t->shape == Shape{2, 3});
  CHECK(as<float>(t->bytes) == std::vector<float>{1, 2, 3, 4, 5, 6.5f});
  CHECK(*checkFileTensor(*t, DType::F32, f) == 6);

  std::string g = dir.write(
      "b.npy", npy("{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }",
                   raw<int64_t>({-1, 0, 1, int64_t(1) << 40})));
  auto u = readTensorFile(g);
  REQUIRE(u);
  CHECK(u->dtype == DType::I64);
  CHECK(u->shape == Shape{4});
  CHECK(as<int64_t>(u->bytes) == std::vector<int64_t>{-1, 0, 1, int64_t(1) << 40});
}

TEST_CASE(".npy: a scalar, an empty array, bools and a version 2 header") {
  TempDir dir;
  auto scalar = readTensorFile(dir.write(
      "s.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", raw<double>({2.5}))));
  REQUIRE(scalar);
  CHECK(scalar->dtype == DType::F64);
  CHECK(scalar->shape == Shape{});
  CHECK(as<double>(scalar->bytes) == std::vector<double>{2.5});

  auto empty = readTensorFile(
      dir.write("e.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", "")));
  REQUIRE(empty);
  CHECK(empty->shape == Shape{0, 3});
  CHECK(empty->bytes.empty());

  auto bools = readTensorFile(dir.write(
      "b.npy", npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                   std::string("\x01\x00\x01", 3))));
  REQUIRE(bools);
  CHECK(bools->dtype == DType::Bool);
  CHECK(bools->bytes == std::vector<uint8_t>{1, 0, 1});

  auto v2 = readTensorFile(dir.write(
      "v2.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "\x07\x09", 2)));
  REQUIRE(v2);
  CHECK(v2->dtype == DType::U8);
  CHECK(v2->bytes == std::vector<uint8_t>{7, 9});
}

TEST_CASE(".npy: malformed files are errors naming the file") {
  TempDir dir;
  std::string bad = dir.write("bad.npy", "PK\x03\x04 this is a zip, not an array");
  CHECK(errorOf(readTensorFile(bad)) == bad + ": not a .npy file (bad magic)");

  std::string fortran = dir.write(
      "f.npy", npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                   raw<float>({1, 2, 3, 4})));
  CHECK(errorOf(readTensorFile(fortran)) ==
        fortran + ": .npy array is in Fortran order; save it in C order");

  std::string bigEndian = dir.write(
      "be.npy", npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "\0\0\0\0"));
  CHECK(errorOf(readTensorFile(bigEndian)) ==
        bigEndian + ": .npy element type '>f4' is not supported (little-endian numeric or bool "
                    "only)");

  std::string shortData = dir.write(
      "short.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                       raw<float>({1, 2, 3, 4, 5})));
  CHECK(errorOf(readTensorFile(shortData)) ==
        shortData + ": .npy data has 20 bytes, the header says 24");

  std::string truncated = dir.write("t.npy", npy("{'descr': '<f4', }", "").substr(0, 20));
  CHECK(errorOf(readTensorFile(truncated)) == truncated + ": truncated .npy header");

  std::string noShape = dir.write(
      "ns.npy", npy("{'descr': '<f4', 'fortran_order': False, }", raw<float>({1})));
  CHECK(errorOf(readTensorFile(noShape)) == noShape + ": .npy header has no 'shape'");
}

// The version byte is printed as a number, not as a character.
TEST_CASE(".npy: an unknown version is named by number") {
  TempDir dir;
  std::string version = dir.write("v9.npy", npy("{'descr': '<f4', }", "", 9));
  CHECK(errorOf(readTensorFile(version)) == version + ": unsupported .npy version 9");
}

// A shape whose element count multiplies past 2^63 (here 2^62 * 4, which
// would wrap to 0) is rejected, for .npy headers and TensorProto dims alike.
TEST_CASE("a shape whose element count overflows is rejected") {
  TempDir dir;
  std::string f = dir.write(
      "huge.npy",
      npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", ""));
  CHECK(errorOf(readTensorFile(f)) != "");

  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(int64_t(1) << 62);
  t.add_dims(4);
  CHECK(errorOf(readTensorFile(dir.write("huge.pb", t.SerializeAsString()))) != "");
}

//===----------------------------------------------------------------------===//
// .pb (ONNX TensorProto)
//===----------------------------------------------------------------------===//

TEST_CASE(".pb: raw_data and typed fields") {
  TempDir dir;
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(2);
  t.add_dims(2);
  t.set_raw_data(raw<float>({1, -2, 3.5f, 0}));
  auto a = readTensorFile(dir.write("raw.pb", t.SerializeAsString()));
  REQUIRE(a);
  CHECK(a->dtype == DType::F32);
  CHECK(a->shape == Shape{2, 2});
  CHECK(as<float>(a->bytes) == std::vector<float>{1, -2, 3.5f, 0});

  onnx::TensorProto u;
  u.set_data_type(onnx::TensorProto::FLOAT);
  u.add_dims(3);
  for (float v : {0.25f, 0.5f, 0.75f})
    u.add_float_data(v);
  auto b = readTensorFile(dir.write("typed.pb", u.SerializeAsString()));
  REQUIRE(b);
  CHECK(b->shape == Shape{3});
  CHECK(as<float>(b->bytes) == std::vector<float>{0.25f, 0.5f, 0.75f});

  onnx::TensorProto w;
  w.set_data_type(onnx::TensorProto::INT64);
  for (int64_t v : {int64_t(-5), int64_t(7)})
    w.add_int64_data(v);
  w.add_dims(2);
  auto c = readTensorFile(dir.write("ints.pb", w.SerializeAsString()));
  REQUIRE(c);
  CHECK(c->dtype == DType::I64);
  CHECK(as<int64_t>(c->bytes) == std::vector<int64_t>{-5, 7});

  // int8 values travel in int32_data
  onnx::TensorProto x;
  x.set_data_type(onnx::TensorProto::INT8);
  x.add_dims(3);
  for (int32_t v : {-128, 0, 127})
    x.add_int32_data(v);
  auto d = readTensorFile(dir.write("i8.pb", x.SerializeAsString()));
  REQUIRE(d);
  CHECK(d->dtype == DType::I8);
  CHECK(as<int8_t>(d->bytes) == std::vector<int8_t>{-128, 0, 127});
}

TEST_CASE(".pb: malformed tensors are errors naming the file") {
  TempDir dir;
  std::string garbage = dir.write("garbage.pb", std::string("\xff\xff\xff\xff", 4));
  CHECK(errorOf(readTensorFile(garbage)) == garbage + ": not a valid ONNX TensorProto (.pb)");

  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(2);
  t.add_dims(2);
  for (float v : {1.0f, 2.0f, 3.0f})
    t.add_float_data(v);
  std::string count = dir.write("count.pb", t.SerializeAsString());
  CHECK(errorOf(readTensorFile(count)) == count + ": tensor: has 3 values, shape [2,2] needs 4");

  t.clear_float_data();
  t.set_raw_data(raw<float>({1, 2}));
  std::string rawSize = dir.write("rawsize.pb", t.SerializeAsString());
  CHECK(errorOf(readTensorFile(rawSize)) ==
        rawSize + ": tensor: raw_data has 8 bytes, shape [2,2] needs 16");

  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto::FLOAT16);
  h.add_dims(1);
  h.set_raw_data(std::string("\0\x3c", 2));
  std::string half = dir.write("half.pb", h.SerializeAsString());
  CHECK(errorOf(readTensorFile(half)) ==
        half + ": tensor: element type FLOAT16 is not supported");
}

//===----------------------------------------------------------------------===//
// raw files and checkFileTensor
//===----------------------------------------------------------------------===//

TEST_CASE("raw files carry bytes only; checkFileTensor fits them to a type") {
  TempDir dir;
  std::string f = dir.write("x.bin", raw<float>({1, 2, 3}));
  auto t = readTensorFile(f);
  REQUIRE(t);
  CHECK_FALSE(t->dtype.has_value());
  CHECK_FALSE(t->shape.has_value());
  CHECK(t->bytes.size() == 12);
  CHECK(*checkFileTensor(*t, DType::F32, f) == 3);
  CHECK(*checkFileTensor(*t, DType::I16, f) == 6);
  CHECK(errorOf(checkFileTensor(*t, DType::F64, f)) ==
        f + ": has 12 bytes, not a whole number of f64 elements");

  std::string n = dir.write(
      "y.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", raw<float>({1})));
  auto typed = readTensorFile(n);
  REQUIRE(typed);
  CHECK(errorOf(checkFileTensor(*typed, DType::I32, n)) == n + ": holds f32 data, expected i32");
}

TEST_CASE("a missing file is an error naming it") {
  TempDir dir;
  llvm::SmallString<128> p(dir.path);
  llvm::sys::path::append(p, "missing.npy");
  std::string path(p);
  CHECK(errorOf(readTensorFile(path)) == path + ": cannot read: No such file or directory");
}
