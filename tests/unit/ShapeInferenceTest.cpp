//===- ShapeInferenceTest.cpp - output types of IR nodes ------------------===//
//
// Each case builds one node through the Graph API (or parses a small graph),
// runs the op's inference and compares the output type, or the located error,
// with a literal. Expected shapes are worked out by hand from the ONNX spec.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "ir/ShapeInference.h"
#include <cstring>
#include <limits>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

/// Conv of an input and a weight shape with attributes.
std::string conv(Ints x, Ints w, const Attrs &attrs = {}) {
  OneNode b;
  return b.infer(OpKind::Conv, {b.in(x), b.in(w)}, attrs);
}

std::string pool(OpKind kind, Ints x, const Attrs &attrs, unsigned outs = 1) {
  OneNode b;
  return b.infer(kind, {b.in(x)}, attrs, outs);
}

std::string gemm(Ints a, Ints bShape, const Attrs &attrs = {}) {
  OneNode b;
  return b.infer(OpKind::Gemm, {b.in(a), b.in(bShape)}, attrs);
}

std::string gemmC(Ints a, Ints bShape, Ints c, const Attrs &attrs = {}) {
  OneNode b;
  return b.infer(OpKind::Gemm, {b.in(a), b.in(bShape), b.in(c)}, attrs);
}

std::string matmul(Ints a, Ints bShape) {
  OneNode b;
  return b.infer(OpKind::MatMul, {b.in(a), b.in(bShape)});
}

std::string reshape(Ints x, Ints shape, const Attrs &attrs = {}) {
  OneNode b;
  Value *xv = b.in(x);
  return b.infer(OpKind::Reshape, {xv, b.ints(shape)}, attrs);
}

std::string slice(Ints x, Ints starts, Ints ends, std::optional<Ints> axes = std::nullopt,
                  std::optional<Ints> steps = std::nullopt) {
  OneNode b;
  std::vector<Value *> ins = {b.in(x), b.ints(starts), b.ints(ends)};
  if (axes || steps)
    ins.push_back(axes ? b.ints(*axes) : nullptr);
  if (steps)
    ins.push_back(b.ints(*steps));
  return b.infer(OpKind::Slice, ins);
}

} // namespace

//===----------------------------------------------------------------------===//
// Conv
//===----------------------------------------------------------------------===//

TEST_CASE("Conv: explicit pads, strides and dilations") {
  CHECK(conv({1, 3, 32, 32}, {8, 3, 3, 3}) == "f32[1,8,30,30]");
  CHECK(conv({1, 3, 32, 32}, {8, 3, 3, 3}, {{"pads", Ints{1, 1, 1, 1}}}) == "f32[1,8,32,32]");
  // (32 + 2 - 3) / 2 + 1 = 16
  CHECK(conv({1, 3, 32, 32}, {8, 3, 3, 3},
             {{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}}) == "f32[1,8,16,16]");
  // Asymmetric pads: H 10 + 0 + 2 - 3 + 1 = 10, W 10 + 1 + 0 - 3 + 1 = 9
  CHECK(conv({1, 1, 10, 10}, {2, 1, 3, 3}, {{"pads", Ints{0, 1, 2, 0}}}) == "f32[1,2,10,9]");
  // Dilation 2 makes a 3-tap kernel span 5: 10 - 5 + 1 = 6; strides differ per axis
  CHECK(conv({1, 1, 10, 10}, {1, 1, 3, 3},
             {{"dilations", Ints{2, 1}}, {"strides", Ints{1, 3}}}) == "f32[1,1,6,3]");
  // kernel_shape that matches the weight is accepted
  CHECK(conv({1, 3, 8, 8}, {4, 3, 1, 1}, {{"kernel_shape", Ints{1, 1}}}) == "f32[1,4,8,8]");
}

TEST_CASE("Conv: auto_pad") {
  // SAME_*: out = ceil(in / stride) whatever the kernel
  CHECK(conv({1, 3, 7, 7}, {4, 3, 3, 3},
             {{"auto_pad", "SAME_UPPER"}, {"strides", Ints{2, 2}}}) == "f32[1,4,4,4]");
  CHECK(conv({1, 3, 7, 7}, {4, 3, 3, 3},
             {{"auto_pad", "SAME_LOWER"}, {"strides", Ints{2, 2}}}) == "f32[1,4,4,4]");
  CHECK(conv({1, 3, 7, 7}, {4, 3, 3, 3}, {{"auto_pad", "SAME_UPPER"}}) == "f32[1,4,7,7]");
  // VALID: no padding, (7 - 3) / 2 + 1 = 3
  CHECK(conv({1, 3, 7, 7}, {4, 3, 3, 3}, {{"auto_pad", "VALID"}, {"strides", Ints{2, 2}}}) ==
        "f32[1,4,3,3]");
  // NOTSET uses pads
  CHECK(conv({1, 3, 7, 7}, {4, 3, 3, 3}, {{"auto_pad", "NOTSET"}, {"pads", Ints{1, 1, 1, 1}}}) ==
        "f32[1,4,7,7]");
}

TEST_CASE("windowGeometry splits SAME padding with the odd element at the end or the start") {
  // in 8, kernel 3, stride 2: out 4, total padding (4 - 1) * 2 + 3 - 8 = 1
  OneNode b;
  b.infer(OpKind::Conv, {b.in({1, 1, 8, 8}), b.in({1, 1, 3, 3})},
          {{"auto_pad", "SAME_UPPER"}, {"strides", Ints{2, 2}}});
  Node *upper = b.g.nodes()[0];
  auto g = windowGeometry(*upper, {8, 8}, {3, 3});
  REQUIRE(g);
  CHECK(g->out == Shape{4, 4});
  CHECK(g->padBegin == Shape{0, 0});
  CHECK(g->padEnd == Shape{1, 1});

  upper->setAttr("auto_pad", "SAME_LOWER");
  auto l = windowGeometry(*upper, {8, 8}, {3, 3});
  REQUIRE(l);
  CHECK(l->out == Shape{4, 4});
  CHECK(l->padBegin == Shape{1, 1});
  CHECK(l->padEnd == Shape{0, 0});

  // Even total: split evenly either way (in 7, out 4: total 2)
  auto even = windowGeometry(*upper, {7, 7}, {3, 3});
  REQUIRE(even);
  CHECK(even->padBegin == Shape{1, 1});
  CHECK(even->padEnd == Shape{1, 1});
}

TEST_CASE("Conv: groups and depthwise") {
  CHECK(conv({1, 4, 8, 8}, {8, 2, 3, 3}, {{"group", int64_t(2)}}) == "f32[1,8,6,6]");
  // depthwise, multiplier 1 and 2
  CHECK(conv({1, 16, 8, 8}, {16, 1, 3, 3}, {{"group", int64_t(16)}}) == "f32[1,16,6,6]");
  CHECK(conv({1, 16, 8, 8}, {32, 1, 3, 3},
             {{"group", int64_t(16)}, {"pads", Ints{1, 1, 1, 1}}}) == "f32[1,32,8,8]");
}

TEST_CASE("Conv: 1-d and 3-d") {
  // (10 - 4) / 3 + 1 = 3
  CHECK(conv({2, 3, 10}, {5, 3, 4}, {{"strides", Ints{3}}}) == "f32[2,5,3]");
  CHECK(conv({2, 3, 10}, {5, 3, 4}, {{"auto_pad", "SAME_LOWER"}}) == "f32[2,5,10]");
  // D 5 + 1 + 1 - 3 + 1 = 5, H 6 - 3 + 1 = 4, W 7 + 1 + 1 - 3 + 1 = 7
  CHECK(conv({1, 2, 5, 6, 7}, {4, 2, 3, 3, 3}, {{"pads", Ints{1, 0, 1, 1, 0, 1}}}) ==
        "f32[1,4,5,4,7]");
}

TEST_CASE("Conv: invalid nodes are located errors") {
  CHECK(conv({1, 16, 8, 8}, {6, 5, 3, 3}, {{"group", int64_t(3)}}) ==
        "node 'n' (Conv): group 3 does not divide 16 input channels");
  CHECK(conv({1, 4, 8, 8}, {8, 3, 3, 3}) ==
        "node 'n' (Conv): weight 'x1' [8,3,3,3] expects 3 input channels, the input has 4");
  CHECK(conv({1, 3, 2, 2}, {1, 3, 3, 3}) ==
        "node 'n' (Conv): kernel extent 3 is larger than the padded input (2)");
  CHECK(conv({1, 3, 8, 8}, {1, 3, 3, 3}, {{"auto_pad", "FOO"}}) ==
        "node 'n' (Conv): auto_pad 'FOO' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  CHECK(conv({1, 3, 8, 8}, {1, 3, 3, 3}, {{"pads", Ints{1, 1}}}) ==
        "node 'n' (Conv): attribute 'pads' has 2 values, expected 4");
  CHECK(conv({1, 3, 8, 8}, {1, 3, 3, 3}, {{"strides", Ints{0, 1}}}) ==
        "node 'n' (Conv): strides must be positive");
  CHECK(conv({1, 3, 8, 8}, {1, 3, 3, 3}, {{"kernel_shape", Ints{5, 5}}}) ==
        "node 'n' (Conv): kernel_shape [5,5] does not match the weight's spatial shape [3,3]");
  CHECK(conv({3, 8}, {1, 3, 3}) ==
        "node 'n' (Conv): input 'x0' has shape [3,8]; Conv supports 1, 2 or 3 spatial "
        "dimensions");
  CHECK(conv({1, 3, 8, 8}, {1, 3, 3, 3}, {{"group", "two"}}) ==
        "node 'n' (Conv): attribute 'group' must be int, not string");
}

TEST_CASE("Conv: the text parser runs the same inference") {
  CHECK(parse(R"(graph @g {
  input %x: f32[1,4,9,9]
  input %w: f32[4,1,3,3]
  %y = Conv "dw"(%x, %w) {group = 4, pads = [1, 1, 1, 1], strides = [2, 2]}: f32[1,4,5,5]
  output %y
}
)"));
  CHECK(errorOf(parseGraph(R"(graph @g {
  input %x: f32[1,16,8,8]
  input %w: f32[16,5,3,3]
  %y = Conv "conv3"(%x, %w) {group = 3}: f32[1,16,6,6]
  output %y
}
)")) == "node 'conv3' (Conv): group 3 does not divide 16 input channels");
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

TEST_CASE("MaxPool and AveragePool: floor and ceil mode") {
  Attrs k2s2 = {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}};
  // floor((5 - 2) / 2) + 1 = 2; ceil gives 3
  CHECK(pool(OpKind::MaxPool, {1, 1, 5, 5}, k2s2) == "f32[1,1,2,2]");
  Attrs ceil = k2s2;
  ceil.push_back({"ceil_mode", int64_t(1)});
  CHECK(pool(OpKind::MaxPool, {1, 1, 5, 5}, ceil) == "f32[1,1,3,3]");
  CHECK(pool(OpKind::AveragePool, {1, 1, 5, 5}, ceil) == "f32[1,1,3,3]");
  // Exact fit: ceil mode changes nothing
  CHECK(pool(OpKind::MaxPool, {1, 1, 6, 6}, ceil) == "f32[1,1,3,3]");
  // ceil((4 + 2 - 2) / 3) + 1 = 3, but the third window would start at 6, in
  // the end padding (input 4 + begin pad 0), so it is dropped
  CHECK(pool(OpKind::MaxPool, {1, 1, 4},
             {{"kernel_shape", Ints{2}}, {"strides", Ints{3}}, {"pads", Ints{0, 2}},
              {"ceil_mode", int64_t(1)}}) == "f32[1,1,2]");
}

TEST_CASE("pooling: padding, auto_pad, count_include_pad, indices") {
  Attrs padded = {{"kernel_shape", Ints{3, 3}},
                  {"pads", Ints{1, 1, 1, 1}},
                  {"strides", Ints{2, 2}},
                  {"count_include_pad", int64_t(1)}};
  // (5 + 2 - 3) / 2 + 1 = 3; count_include_pad does not change the shape
  CHECK(pool(OpKind::AveragePool, {1, 2, 5, 5}, padded) == "f32[1,2,3,3]");
  CHECK(pool(OpKind::AveragePool, {1, 2, 5, 5},
             {{"kernel_shape", Ints{3, 3}}, {"auto_pad", "SAME_UPPER"}}) == "f32[1,2,5,5]");
  // 1-d and 3-d
  CHECK(pool(OpKind::MaxPool, {2, 3, 9}, {{"kernel_shape", Ints{3}}, {"strides", Ints{3}}}) ==
        "f32[2,3,3]");
  CHECK(pool(OpKind::AveragePool, {1, 1, 4, 4, 4}, {{"kernel_shape", Ints{2, 2, 2}}}) ==
        "f32[1,1,3,3,3]");
  // The indices output is int64 with the same shape
  CHECK(pool(OpKind::MaxPool, {1, 2, 4, 4}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}},
             2) == "f32[1,2,2,2], i64[1,2,2,2]");
  // int8 MaxPool is allowed, int8 AveragePool is not
  {
    OneNode b;
    CHECK(b.infer(OpKind::MaxPool, {b.in({1, 1, 4, 4}, DType::I8)},
                  {{"kernel_shape", Ints{2, 2}}}) == "i8[1,1,3,3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::AveragePool, {b.in({1, 1, 4, 4}, DType::I8)},
                  {{"kernel_shape", Ints{2, 2}}}) ==
          "node 'n' (AveragePool): element type i8 of input 0 ('x0') is not supported by "
          "AveragePool");
  }
}

TEST_CASE("pooling: invalid nodes") {
  CHECK(pool(OpKind::MaxPool, {1, 1, 4, 4}, {}) ==
        "node 'n' (MaxPool): attribute 'kernel_shape' must have 2 values");
  CHECK(pool(OpKind::MaxPool, {1, 1, 4, 4}, {{"kernel_shape", Ints{2, 2}}, {"pads", Ints{-1, 0, 0, 0}}}) ==
        "node 'n' (MaxPool): pads must not be negative");
  CHECK(pool(OpKind::AveragePool, {1, 1, 4, 4},
             {{"kernel_shape", Ints{2, 2}}, {"storage_order", int64_t(1)}}) ==
        "node 'n' (AveragePool): attribute 'storage_order' is not supported");
  CHECK(pool(OpKind::GlobalAveragePool, {1, 3, 5, 7}, {}) == "f32[1,3,1,1]");
}

//===----------------------------------------------------------------------===//
// Gemm and MatMul
//===----------------------------------------------------------------------===//

TEST_CASE("Gemm: transposes and C broadcasting") {
  CHECK(gemm({3, 4}, {4, 5}) == "f32[3,5]");
  CHECK(gemm({4, 3}, {4, 5}, {{"transA", int64_t(1)}}) == "f32[3,5]");
  CHECK(gemm({3, 4}, {5, 4}, {{"transB", int64_t(1)}}) == "f32[3,5]");
  CHECK(gemm({4, 3}, {5, 4}, {{"transA", int64_t(1)}, {"transB", int64_t(1)}}) == "f32[3,5]");
  CHECK(gemmC({3, 4}, {4, 5}, {5}) == "f32[3,5]");
  CHECK(gemmC({3, 4}, {4, 5}, {1, 5}) == "f32[3,5]");
  CHECK(gemmC({3, 4}, {4, 5}, {3, 1}) == "f32[3,5]");
  CHECK(gemmC({3, 4}, {4, 5}, {3, 5}) == "f32[3,5]");
  CHECK(gemmC({3, 4}, {4, 5}, {}) == "f32[3,5]");
}

TEST_CASE("Gemm: invalid nodes") {
  CHECK(gemm({3, 4}, {5, 6}) == "node 'n' (Gemm): inner dimensions differ: A [3,4], B [5,6]");
  CHECK(gemm({3, 4}, {6, 5}, {{"transB", int64_t(1)}}) ==
        "node 'n' (Gemm): inner dimensions differ: A [3,4], B [6,5] (transposed)");
  // C must broadcast to [M, N] without growing it: [3] aligns with N = 5
  CHECK(gemmC({3, 4}, {4, 5}, {3}) == "node 'n' (Gemm): C [3] does not broadcast to [3,5]");
  CHECK(gemmC({3, 4}, {4, 5}, {2, 3, 5}) ==
        "node 'n' (Gemm): C [2,3,5] does not broadcast to [3,5]");
  CHECK(gemm({1, 3, 4}, {4, 5}) == "node 'n' (Gemm): A [1,3,4] and B [4,5] must both be 2-d");
}

TEST_CASE("MatMul: 1-d operands and batch broadcasting") {
  CHECK(matmul({3, 4}, {4, 5}) == "f32[3,5]");
  CHECK(matmul({4}, {4, 5}) == "f32[5]");
  CHECK(matmul({3, 4}, {4}) == "f32[3]");
  CHECK(matmul({4}, {4}) == "f32[]");
  CHECK(matmul({2, 1, 3, 4}, {5, 4, 6}) == "f32[2,5,3,6]");
  CHECK(matmul({7, 3, 4}, {4, 2}) == "f32[7,3,2]");
  CHECK(matmul({4}, {2, 4, 6}) == "f32[2,6]");
  CHECK(matmul({2, 3, 4}, {4}) == "f32[2,3]");
}

TEST_CASE("MatMul: invalid nodes") {
  CHECK(matmul({3, 4}, {5, 6}) == "node 'n' (MatMul): inner dimensions differ: [3,4] x [5,6]");
  CHECK(matmul({2, 3, 4}, {3, 4, 5}) ==
        "node 'n' (MatMul): batch dimensions of [2,3,4] and [3,4,5] do not broadcast");
  OneNode b;
  CHECK(b.infer(OpKind::MatMul, {b.in({2, 2}), b.in({2, 2}, DType::I32)}) ==
        "node 'n' (MatMul): input 1 ('x1') is i32 but 'x0' is f32");
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

TEST_CASE("Reshape: 0 copies, -1 infers, allowzero keeps zeros") {
  CHECK(reshape({2, 3, 4}, {0, -1}) == "f32[2,12]");
  CHECK(reshape({2, 3, 4}, {-1}) == "f32[24]");
  CHECK(reshape({2, 3, 4}, {4, 0, 2}) == "f32[4,3,2]");
  CHECK(reshape({2, 3, 4}, {1, -1, 1, 2}) == "f32[1,12,1,2]");
  // an empty tensor: allowzero=1 makes 0 a real size
  CHECK(reshape({3, 0}, {0, 5}, {{"allowzero", int64_t(1)}}) == "f32[0,5]");
  CHECK(reshape({3, 0}, {0, 5}) ==
        "node 'n' (Reshape): cannot reshape [3,0] (0 elements) to [3,5]");
  CHECK(reshape({2, 3, 4}, {-1, -1}) ==
        "node 'n' (Reshape): shape [-1,-1] has more than one -1");
  CHECK(reshape({2, 3, 4}, {5, -1}) == "node 'n' (Reshape): cannot reshape [2,3,4] to [5,-1]");
  CHECK(reshape({2, 3, 4}, {5, 5}) ==
        "node 'n' (Reshape): cannot reshape [2,3,4] (24 elements) to [5,5]");
  CHECK(reshape({2, 3}, {2, 3, 0}) ==
        "node 'n' (Reshape): shape entry 2 is 0 (copy) but the input has rank 2");
  CHECK(reshape({2, 3}, {-2, 3}) == "node 'n' (Reshape): shape [-2,3] has a negative entry");
}

TEST_CASE("Reshape: a shape computed at run time asks for --const") {
  OneNode b;
  Value *x = b.in({2, 3});
  Value *s = b.in("s", {2}, DType::I64);
  CHECK(b.infer(OpKind::Reshape, {x, s}) ==
        "node 'n' (Reshape): input 1 (shape, 's') must be known at compile time, but it is "
        "computed from runtime data; bind the graph input it depends on with --const "
        "NAME=FILE");
}

TEST_CASE("Flatten") {
  auto flatten = [](Ints x, int64_t axis) {
    OneNode b;
    return b.infer(OpKind::Flatten, {b.in(x)}, {{"axis", axis}});
  };
  CHECK(flatten({2, 3, 4, 5}, 1) == "f32[2,60]");
  CHECK(flatten({2, 3, 4, 5}, 0) == "f32[1,120]");
  CHECK(flatten({2, 3, 4, 5}, -1) == "f32[24,5]");
  CHECK(flatten({2, 3, 4, 5}, 4) == "f32[120,1]");
  CHECK(flatten({2, 3, 4, 5}, 5) == "node 'n' (Flatten): axis 5 is out of range for rank 4");
  OneNode b;
  CHECK(b.infer(OpKind::Flatten, {b.in({2, 3, 4})}) == "f32[2,12]"); // default axis 1
}

TEST_CASE("Squeeze and Unsqueeze") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::Squeeze, {b.in({1, 3, 1, 5})}) == "f32[3,5]");
  }
  {
    OneNode b;
    Value *x = b.in({1, 3, 1, 5});
    CHECK(b.infer(OpKind::Squeeze, {x, b.ints({-2})}) == "f32[1,3,5]");
  }
  {
    OneNode b;
    Value *x = b.in({1, 3, 1, 5});
    CHECK(b.infer(OpKind::Squeeze, {x, b.ints({1})}) ==
          "node 'n' (Squeeze): cannot squeeze axis 1 of size 3");
  }
  {
    OneNode b;
    Value *x = b.in({1, 3});
    CHECK(b.infer(OpKind::Squeeze, {x, b.ints({2})}) ==
          "node 'n' (Squeeze): axis 2 is out of range for rank 2");
  }
  {
    OneNode b;
    Value *x = b.in({3, 4});
    CHECK(b.infer(OpKind::Unsqueeze, {x, b.ints({0, 3})}) == "f32[1,3,4,1]");
  }
  {
    // negative axes count in the output rank
    OneNode b;
    Value *x = b.in({3, 4});
    CHECK(b.infer(OpKind::Unsqueeze, {x, b.ints({-1})}) == "f32[3,4,1]");
  }
  {
    OneNode b;
    Value *x = b.in({3, 4});
    CHECK(b.infer(OpKind::Unsqueeze, {x, b.ints({1, -3})}) ==
          "node 'n' (Unsqueeze): axis -3 appears twice");
  }
}

TEST_CASE("Transpose") {
  auto transpose = [](Ints x, std::optional<Ints> perm) {
    OneNode b;
    Attrs a;
    if (perm)
      a.push_back({"perm", *perm});
    return b.infer(OpKind::Transpose, {b.in(x)}, a);
  };
  CHECK(transpose({2, 3, 4}, std::nullopt) == "f32[4,3,2]");
  CHECK(transpose({2, 3, 4}, Ints{1, 0, 2}) == "f32[3,2,4]");
  CHECK(transpose({1, 3, 8, 8}, Ints{0, 2, 3, 1}) == "f32[1,8,8,3]");
  CHECK(transpose({2, 3, 4}, Ints{0, 0, 1}) ==
        "node 'n' (Transpose): perm [0,0,1] is not a permutation");
  CHECK(transpose({2, 3, 4}, Ints{0, 1, 3}) ==
        "node 'n' (Transpose): perm [0,1,3] is not a permutation");
  CHECK(transpose({2, 3, 4}, Ints{1, 0}) == "node 'n' (Transpose): perm has 2 entries for rank 3");
}

TEST_CASE("Concat") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::Concat, {b.in({2, 3}), b.in({2, 5}), b.in({2, 1})},
                  {{"axis", int64_t(1)}}) == "f32[2,9]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Concat, {b.in({2, 3}), b.in({4, 3})}, {{"axis", int64_t(-2)}}) ==
          "f32[6,3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Concat, {b.in({2, 3}), b.in("b", {3, 5})}, {{"axis", int64_t(1)}}) ==
          "node 'n' (Concat): input 1 ('b') has shape [3,5], incompatible with [2,3] along "
          "axis 1");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Concat, {b.in({2, 3}), b.in({2, 3})}) ==
          "node 'n' (Concat): attribute 'axis' is required");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Concat, {b.in({2, 3}), b.in({2, 3}, DType::I32)},
                  {{"axis", int64_t(0)}}) ==
          "node 'n' (Concat): input 1 ('x1') is i32, input 0 is f32");
  }
}

TEST_CASE("Slice: negative starts, ends and steps; clamping") {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  CHECK(slice({10}, {-3}, {100}) == "f32[3]");                     // 7, 8, 9
  CHECK(slice({10}, {2}, {-2}) == "f32[6]");                       // 2 .. 7
  CHECK(slice({10}, {8}, {2}, Ints{0}, Ints{-2}) == "f32[3]");     // 8, 6, 4
  CHECK(slice({10}, {-1}, {kMin}, Ints{0}, Ints{-1}) == "f32[10]"); // reversed
  CHECK(slice({10}, {-1}, {-11}, Ints{0}, Ints{-1}) == "f32[10]");
  CHECK(slice({10}, {-20}, {-30}, Ints{0}, Ints{-1}) == "f32[1]"); // start clamps to 0
  CHECK(slice({10}, {20}, {30}) == "f32[0]");                      // empty
  CHECK(slice({10}, {0}, {kMax}, Ints{0}, Ints{3}) == "f32[4]");   // 0, 3, 6, 9
  CHECK(slice({4, 6}, {1}, {-1}, Ints{1}) == "f32[4,4]");
  CHECK(slice({4, 6}, {3, 5}, {0, 0}, Ints{-2, -1}, Ints{-2, -2}) == "f32[2,3]");

  OneNode b;
  Value *x = b.in({10});
  b.infer(OpKind::Slice, {x, b.ints({-1}), b.ints({kMin}), b.ints({0}), b.ints({-3})});
  auto g = sliceGeometry(*b.g.nodes()[0]);
  REQUIRE(g);
  CHECK(g->starts == Shape{9});
  CHECK(g->steps == Shape{-3});
  CHECK(g->out == Shape{4}); // 9, 6, 3, 0
}

TEST_CASE("Slice: invalid nodes") {
  CHECK(slice({10}, {0}, {5}, Ints{0}, Ints{0}) == "node 'n' (Slice): steps must not be 0");
  CHECK(slice({4, 6}, {0, 0}, {1, 1}, Ints{1, -1}) == "node 'n' (Slice): axis -1 appears twice");
  CHECK(slice({4, 6}, {0}, {1}, Ints{2}) == "node 'n' (Slice): axis 2 is out of range for rank 2");
  CHECK(slice({4, 6}, {0, 0}, {1}) ==
        "node 'n' (Slice): starts, ends, axes and steps must have the same length");
}

TEST_CASE("Pad") {
  auto pad = [](Ints x, Ints pads, const char *mode = "constant") {
    OneNode b;
    Value *xv = b.in(x);
    return b.infer(OpKind::Pad, {xv, b.ints(pads)}, {{"mode", mode}});
  };
  CHECK(pad({2, 3}, {1, 2, 0, 1}) == "f32[3,6]");
  CHECK(pad({2, 3}, {0, -1, 0, 0}) == "f32[2,2]"); // negative pads crop
  CHECK(pad({2, 3}, {1, 2, 1, 2}, "reflect") == "f32[4,7]");
  CHECK(pad({2, 3}, {3, 3, 3, 3}, "edge") == "f32[8,9]");
  CHECK(pad({2, 3}, {0, 3, 0, 0}, "reflect") ==
        "node 'n' (Pad): reflect pads must be smaller than dimension 1");
  CHECK(pad({2, 3}, {0, -2, 0, -2}) ==
        "node 'n' (Pad): pads remove more than dimension 1 holds");
  CHECK(pad({2, 3}, {1, 1}) == "node 'n' (Pad): pads has 2 values, expected 4");
  CHECK(pad({2, 3}, {1, 1, 1, 1}, "wrap") ==
        "node 'n' (Pad): mode 'wrap' is not one of constant, reflect, edge");
}

TEST_CASE("Gather") {
  {
    OneNode b;
    Value *d = b.in({5, 4});
    CHECK(b.infer(OpKind::Gather, {d, b.in({2, 3}, DType::I64)}) == "f32[2,3,4]");
  }
  {
    // a scalar index removes the axis
    OneNode b;
    Value *d = b.in({5, 4});
    CHECK(b.infer(OpKind::Gather, {d, b.in({}, DType::I32)}, {{"axis", int64_t(1)}}) ==
          "f32[5]");
  }
  {
    OneNode b;
    Value *d = b.in({5, 4});
    CHECK(b.infer(OpKind::Gather, {d, b.ints({-1, 0})}, {{"axis", int64_t(-1)}}) == "f32[5,2]");
  }
  {
    OneNode b;
    Value *d = b.in({5, 4});
    CHECK(b.infer(OpKind::Gather, {d, b.ints({5})}) ==
          "node 'n' (Gather): index 5 is out of range for axis 0 of size 5");
  }
  {
    OneNode b;
    Value *d = b.in({5, 4});
    CHECK(b.infer(OpKind::Gather, {d, b.ints({-6})}) ==
          "node 'n' (Gather): index -6 is out of range for axis 0 of size 5");
  }
  {
    OneNode b;
    Value *d = b.in({5, 4});
    CHECK(b.infer(OpKind::Gather, {d, b.in({2})}) ==
          "node 'n' (Gather): indices must be int32 or int64, not f32");
  }
}

//===----------------------------------------------------------------------===//
// Elementwise and broadcasting
//===----------------------------------------------------------------------===//

TEST_CASE("broadcastShapes") {
  CHECK(broadcastShapes({2, 3}, {3}) == Shape{2, 3});
  CHECK(broadcastShapes({2, 1}, {1, 3}) == Shape{2, 3});
  CHECK(broadcastShapes({4, 1, 5}, {3, 1}) == Shape{4, 3, 5});
  CHECK(broadcastShapes({}, {2, 2}) == Shape{2, 2});
  CHECK(broadcastShapes({0, 3}, {1, 3}) == Shape{0, 3});
  CHECK_FALSE(broadcastShapes({2, 3}, {4}).has_value());
  CHECK_FALSE(broadcastShapes({2, 3}, {3, 3}).has_value());
}

TEST_CASE("binary ops: broadcasting and errors") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::Add, {b.in({2, 1, 4}), b.in({3, 1})}) == "f32[2,3,4]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Mul, {b.in({2, 3}), b.in({4})}) ==
          "node 'n' (Mul): shapes [2,3] and [4] do not broadcast");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Div, {b.in({2}, DType::Bool), b.in({2}, DType::Bool)}) ==
          "node 'n' (Div): element type bool of input 0 ('x0') is not supported by Div");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Relu, {b.in({2}, DType::U8)}) ==
          "node 'n' (Relu): element type u8 of input 0 ('x0') is not supported by Relu");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Cast, {b.in({2, 2})}, {{"to", int64_t(6)}}) == "i32[2,2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Cast, {b.in({2, 2})}, {{"to", int64_t(10)}}) ==
          "node 'n' (Cast): cast to FLOAT16 is not supported; tinymlc handles float, double, "
          "bool and 8/16/32/64-bit integers");
  }
}

TEST_CASE("arity is checked before the op's own rules") {
  OneNode b;
  CHECK(b.infer(OpKind::Relu, {b.in({2}), b.in({2})}) ==
        "node 'n' (Relu): has 2 inputs; Relu takes 1 to 1");
}
