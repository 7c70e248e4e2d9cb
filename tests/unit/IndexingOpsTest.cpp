//===- IndexingOpsTest.cpp - indexing, scattering, tiling and generator ops ===//
//
// Shape inference and located errors of the indexing family (Split, Tile,
// Expand, DepthToSpace/SpaceToDepth, Range, ConstantOfShape, EyeLike, OneHot,
// Trilu, GatherElements/ND, ScatterElements/ND, ReverseSequence, Einsum,
// Compress, NonZero, Unique) and of the data ops' edge cases; then the
// kernels, through evaluateGraph, on what ONNX's conformance data does not
// cover: integer and bool types, runtime indices, reductions that wrap,
// broadcasting, NaN and -0, empty tensors. Expected values are worked out by
// hand in the comments and compared exactly.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "ir/ShapeInference.h"
#include "passes/Evaluator.h"
#include <cmath>
#include <cstring>
#include <limits>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

using F = std::vector<float>;
using D = std::vector<double>;
using I8 = std::vector<int8_t>;
using U8 = std::vector<uint8_t>;
using I16 = std::vector<int16_t>;
using U16 = std::vector<uint16_t>;
using I32 = std::vector<int32_t>;
using I64 = std::vector<int64_t>;

} // namespace

//===----------------------------------------------------------------------===//
// Shape inference and errors
//===----------------------------------------------------------------------===//

TEST_CASE("Split: equal parts, given sizes, zero-size parts and errors") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::Split, {b.in({2, 6})}, {{"axis", int64_t(-1)}}, 3) ==
          "f32[2,2], f32[2,2], f32[2,2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Split, {b.in({5, 2}, DType::I8), b.ints({0, 5, 0})}, {}, 3) ==
          "i8[0,2], i8[5,2], i8[0,2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Split, {b.in({5})}, {}, 2) ==
          "node 'n' (Split): axis 0 of size 5 cannot be split into 2 equal parts; give the "
          "sizes with the split input");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Split, {b.in({5}), b.ints({2, 2})}, {}, 2) ==
          "node 'n' (Split): split [2,2] adds up to 4, but axis 0 has size 5");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Split, {b.in({5}), b.ints({5})}, {}, 2) ==
          "node 'n' (Split): split has 1 sizes for 2 outputs");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Split, {b.in({4}), b.in({2}, DType::I64)}, {}, 2) ==
          "node 'n' (Split): input 1 (split, 'x1') must be known at compile time, but it is "
          "computed from runtime data; bind the graph input it depends on with --const "
          "NAME=FILE");
  }
}

TEST_CASE("Tile, Expand and DepthToSpace/SpaceToDepth shapes") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::Tile, {b.in({2, 3}, DType::Bool), b.ints({3, 0})}) == "bool[6,0]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Tile, {b.in({2, 3}), b.ints({3})}) ==
          "node 'n' (Tile): repeats has 1 values for an input of rank 2");
  }
  {
    // Expand broadcasts both ways: [3,1] with [2,1,4] gives [2,3,4].
    OneNode b;
    CHECK(b.infer(OpKind::Expand, {b.in({3, 1}), b.ints({2, 1, 4})}) == "f32[2,3,4]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Expand, {b.in({3, 2}), b.ints({4})}) ==
          "node 'n' (Expand): cannot expand [3,2] to [4] (dimensions must be equal or 1)");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::DepthToSpace, {b.in({1, 8, 2, 3})}, {{"blocksize", int64_t(2)}}) ==
          "f32[1,2,4,6]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::DepthToSpace, {b.in({1, 6, 2, 3})}, {{"blocksize", int64_t(2)}}) ==
          "node 'n' (DepthToSpace): channels 6 are not a multiple of blocksize^2 = 4");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::DepthToSpace, {b.in({1, 8, 2, 3})},
                  {{"blocksize", int64_t(2)}, {"mode", "XYZ"}}) ==
          "node 'n' (DepthToSpace): mode 'XYZ' is not one of DCR, CRD");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::SpaceToDepth, {b.in({1, 2, 4, 5})}, {{"blocksize", int64_t(2)}}) ==
          "node 'n' (SpaceToDepth): height 4 and width 5 must be multiples of blocksize 2");
  }
}

TEST_CASE("Range counts exactly and requires constant inputs") {
  auto range = [](DType t, Ints v) {
    OneNode b;
    return b.infer(OpKind::Range, {b.scalar(v[0], t), b.scalar(v[1], t), b.scalar(v[2], t)});
  };
  CHECK(range(DType::I32, {10, 4, -3}) == "i32[2]"); // 10, 7
  CHECK(range(DType::I64, {0, 10, 3}) == "i64[4]");  // 0, 3, 6, 9
  CHECK(range(DType::I16, {5, 5, 1}) == "i16[0]");
  CHECK(range(DType::I64, {0, 10, -1}) == "i64[0]");
  CHECK(range(DType::I64, {std::numeric_limits<int64_t>::min(), 0,
                           std::numeric_limits<int64_t>::max()}) == "i64[2]");
  CHECK(range(DType::I32, {0, 4, 0}) == "node 'n' (Range): delta must be nonzero");
  CHECK(range(DType::U8, {0, 4, 1}) ==
        "node 'n' (Range): element type u8 is not supported by Range (float, double, int16, "
        "int32, int64)");
  {
    OneNode b;
    CHECK(b.infer(OpKind::Range, {b.floats({1}, {}), b.floats({2.5f}, {}), b.floats({0.5f}, {})}) ==
          "f32[3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Range, {b.floats({1}, {}), b.in({}), b.floats({0.5f}, {})}) ==
          "node 'n' (Range): input 1 (limit, 'x1') must be known at compile time: the output "
          "shape of Range depends on its values; bind the graph input it depends on with "
          "--const NAME=FILE");
  }
}

TEST_CASE("ConstantOfShape, EyeLike and OneHot types and shapes") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::ConstantOfShape, {b.ints({2, 3})}) == "f32[2,3]");
  }
  {
    OneNode b;
    TensorData v{DType::I32, {1}, {7, 0, 0, 0}};
    CHECK(b.infer(OpKind::ConstantOfShape, {b.ints({})}, {{"value", v}}) == "i32[]");
  }
  {
    OneNode b;
    TensorData v{DType::I32, {2}, {7, 0, 0, 0, 8, 0, 0, 0}};
    CHECK(b.infer(OpKind::ConstantOfShape, {b.ints({2})}, {{"value", v}}) ==
          "node 'n' (ConstantOfShape): value must hold exactly one element, not 2");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ConstantOfShape, {b.ints({2, -1})}) ==
          "node 'n' (ConstantOfShape): shape [2,-1] has a negative entry");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::EyeLike, {b.in({3, 4}, DType::I32)}, {{"dtype", int64_t(9)}}) ==
          "bool[3,4]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::EyeLike, {b.in({3, 4}, DType::I32)}, {{"dtype", int64_t(10)}}) ==
          "node 'n' (EyeLike): dtype FLOAT16 is not supported");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::EyeLike, {b.in({3})}) == "node 'n' (EyeLike): input must be 2-d, not [3]");
  }
  {
    // Depth may be a float; axis inserts it.
    OneNode b;
    CHECK(b.infer(OpKind::OneHot, {b.in({2, 3}, DType::I32), b.floats({4}, {1}),
                                   b.ints({0, 1}, DType::U8)},
                  {{"axis", int64_t(1)}}) == "u8[2,4,3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::OneHot, {b.in({2}), b.in({}), b.ints({0, 1})}) ==
          "node 'n' (OneHot): input 1 (depth, 'x1') must be known at compile time: the output "
          "shape of OneHot depends on its values; bind the graph input it depends on with "
          "--const NAME=FILE");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::OneHot, {b.in({2}), b.scalar(0), b.ints({0, 1})}) ==
          "node 'n' (OneHot): depth 0 must be a positive count");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::OneHot, {b.in({2}), b.ints({3}), b.ints({0, 1, 2})}) ==
          "node 'n' (OneHot): values must be a 2-element vector [off, on], not [3]");
  }
}

TEST_CASE("Gathers and scatters: shapes and errors") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::GatherElements, {b.in({3, 4}), b.in({2, 4}, DType::I32)},
                  {{"axis", int64_t(0)}}) == "f32[2,4]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::GatherElements, {b.in({3, 4}), b.in({2, 5}, DType::I64)}) ==
          "node 'n' (GatherElements): indices shape [2,5] is larger than data shape [3,4] along "
          "axis 1");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::GatherElements,
                  {b.in({3, 4}), b.ints({0, 3}, DType::I64, Shape{1, 2})}) ==
          "node 'n' (GatherElements): index 3 is out of range for axis 0 of size 3");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::GatherElements, {b.in({3}), b.in({3}, DType::I16)}) ==
          "node 'n' (GatherElements): indices must be int32 or int64, not i16");
  }
  {
    // batch_dims 1: indices [2,3,1] index data's dim 1; slices of [5].
    OneNode b;
    CHECK(b.infer(OpKind::GatherND, {b.in({2, 4, 5}), b.in({2, 3, 1}, DType::I64)},
                  {{"batch_dims", int64_t(1)}}) == "f32[2,3,5]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::GatherND, {b.in({2, 4}), b.in({3, 3}, DType::I64)}) ==
          "node 'n' (GatherND): the last dimension of indices, 3, must be in [1, 2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::GatherND, {b.in({2, 4}), b.in({3, 1}, DType::I64)},
                  {{"batch_dims", int64_t(1)}}) ==
          "node 'n' (GatherND): batch dimension 0 differs: indices [3,1], data [2,4]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ScatterElements,
                  {b.in({3, 4}), b.in({1, 2}, DType::I64), b.in({1, 2})},
                  {{"reduction", "max"}}) ==
          "node 'n' (ScatterElements): reduction 'max' is not one of none, add, mul (opset 17)");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Scatter, {b.in({3, 4}), b.in({1, 2}, DType::I64), b.in({1, 2})},
                  {{"reduction", "add"}}) ==
          "node 'n' (Scatter): attribute 'reduction' is not supported");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ScatterElements,
                  {b.in({3, 4}), b.in({1, 2}, DType::I64), b.in({2, 1})}) ==
          "node 'n' (ScatterElements): updates have shape [2,1], indices have [1,2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ScatterND, {b.in({4, 5, 6}), b.in({3, 2}, DType::I64), b.in({3, 6})}) ==
          "f32[4,5,6]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ScatterND, {b.in({4, 5, 6}), b.in({3, 2}, DType::I64), b.in({3, 5})}) ==
          "node 'n' (ScatterND): updates have shape [3,5], expected [3,6]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ReverseSequence, {b.in({3, 2}), b.ints({1, 4})}) ==
          "node 'n' (ReverseSequence): sequence length 4 is outside [0, 3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ReverseSequence, {b.in({3, 2}), b.ints({1, 2})},
                  {{"batch_axis", int64_t(0)}}) ==
          "node 'n' (ReverseSequence): batch_axis 0 and time_axis 0 must be 0 and 1 in some "
          "order");
  }
}

TEST_CASE("Einsum: implicit output, ellipsis broadcasting and errors") {
  auto einsum = [](const char *eq, std::vector<Ints> shapes, DType t = DType::F32) {
    OneNode b;
    std::vector<Value *> ins;
    for (const Ints &s : shapes)
      ins.push_back(b.in(s, t));
    return b.infer(OpKind::Einsum, ins, {{"equation", eq}});
  };
  CHECK(einsum("ij,jk", {{2, 3}, {3, 4}}) == "f32[2,4]");
  CHECK(einsum("ba", {{2, 3}}) == "f32[3,2]"); // implicit: letters in ASCII order
  CHECK(einsum("ii", {{3, 3}}) == "f32[]");
  CHECK(einsum("Ab,b", {{2, 3}, {3}}) == "f32[2]");
  CHECK(einsum("...ij,...jk->...ik", {{5, 1, 2, 3}, {4, 3, 2}}, DType::I32) == "i32[5,4,2,2]");
  CHECK(einsum("...i", {{2, 3}}) == "f32[2,3]");
  CHECK(einsum(" i j , j -> i ", {{2, 3}, {3}}) == "f32[2]");
  CHECK(einsum("ij,jk->ik", {{2, 3}, {4, 5}}) ==
        "node 'n' (Einsum): equation 'ij,jk->ik': dimension 'j' has sizes 3 and 4");
  CHECK(einsum("ij->k", {{2, 3}}) ==
        "node 'n' (Einsum): equation 'ij->k': output letter 'k' is not in any operand");
  CHECK(einsum("ij,jk", {{2, 3}}) ==
        "node 'n' (Einsum): equation 'ij,jk': it has 2 operands but the node has 1 inputs");
  CHECK(einsum("ijk", {{2, 3}}) ==
        "node 'n' (Einsum): equation 'ijk': operand 0 ('ijk') does not match its rank 2");
  CHECK(einsum("...ij->ij", {{4, 2, 3}}) ==
        "node 'n' (Einsum): equation '...ij->ij': the operands have '...' dimensions but the "
        "output has no '...'");
  CHECK(einsum("i1", {{2, 3}}) == "node 'n' (Einsum): equation 'i1': '1' is not a letter");
  CHECK(einsum("i", {{2}}, DType::Bool) ==
        "node 'n' (Einsum): element type bool of input 0 ('x0') is not supported by Einsum");
  CHECK(einsum("i,i,i,i,i", {{2}, {2}, {2}, {2}, {2}}) ==
        "node 'n' (Einsum): Einsum of 5 operands is not supported (at most 4); split the "
        "equation into several Einsum nodes");
}

TEST_CASE("Compress, NonZero and Unique count from constants and refuse runtime data") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::Compress, {b.in({3, 2}), b.ints({0, 1}, DType::Bool)},
                  {{"axis", int64_t(0)}}) == "f32[1,2]");
  }
  {
    // No axis: the flattened input.
    OneNode b;
    CHECK(b.infer(OpKind::Compress, {b.in({3, 2}), b.ints({1, 0, 1, 1}, DType::Bool)}) ==
          "f32[3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Compress, {b.in({3, 2}), b.ints({0, 0, 1}, DType::Bool)},
                  {{"axis", int64_t(1)}}) ==
          "node 'n' (Compress): condition selects index 2, past the size 2 of the axis");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Compress, {b.in({3, 2}), b.in({3}, DType::Bool)}) ==
          "node 'n' (Compress): input 1 (condition, 'x1') must be known at compile time: the "
          "output shape of Compress depends on its values; bind the graph input it depends on "
          "with --const NAME=FILE");
  }
  {
    OneNode b;
    // -0 is zero, NaN is not.
    CHECK(b.infer(OpKind::NonZero, {b.floats({0, -0.0f, NAN, 2, 0, 1}, {2, 3})}) == "i64[2,3]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::NonZero, {b.in({4})}) ==
          "node 'n' (NonZero): input 0 (X, 'x0') must be known at compile time: the output "
          "shape of NonZero depends on its values; bind the graph input it depends on with "
          "--const NAME=FILE");
  }
  {
    // NaNs are all distinct; 0 and -0 are one value: {1, 0, NaN, NaN}.
    OneNode b;
    CHECK(b.infer(OpKind::Unique, {b.floats({1, 0, NAN, -0.0f, 1, NAN}, {6})}, {}, 4) ==
          "f32[4], i64[4], i64[6], i64[4]");
  }
  {
    // Rows along axis 0: two distinct.
    OneNode b;
    CHECK(b.infer(OpKind::Unique, {b.ints({1, 2, 3, 1, 2, 3, 1, 2, 4}, DType::U64, Shape{3, 3})},
                  {{"axis", int64_t(0)}}, 4) == "u64[2,3], i64[2], i64[3], i64[2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Unique, {b.in({4})}, {}, 1) ==
          "node 'n' (Unique): input 0 (X, 'x0') must be known at compile time: the output "
          "shape of Unique depends on its values; bind the graph input it depends on with "
          "--const NAME=FILE");
  }
}

TEST_CASE("Data ops: Slice on empty dims and huge steps, Reshape allowzero, Pad limits") {
  {
    // A negative step on an empty dim selects nothing.
    OneNode b;
    CHECK(b.infer(OpKind::Slice, {b.in({0, 3}), b.ints({-1}), b.ints({-100}), b.ints({0}),
                                  b.ints({-1})}) == "f32[0,3]");
  }
  {
    // A step beyond the dim takes one element; INT64_MIN does not overflow.
    OneNode b;
    CHECK(b.infer(OpKind::Slice, {b.in({5}), b.ints({-1}), b.ints({std::numeric_limits<int64_t>::min()}),
                                  b.ints({0}), b.ints({std::numeric_limits<int64_t>::min()})}) ==
          "f32[1]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Reshape, {b.in({0, 3}), b.ints({3, 0})}, {{"allowzero", int64_t(1)}}) ==
          "f32[3,0]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Reshape, {b.in({2, 3}), b.ints({1ll << 40, 1ll << 40, 1ll << 40})}) ==
          "node 'n' (Reshape): cannot reshape [2,3] to [1099511627776,1099511627776,1099511627776]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::Pad, {b.in({2}), b.ints({std::numeric_limits<int64_t>::max(), 0})}) ==
          "node 'n' (Pad): pad 9223372036854775807 is out of range");
  }
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

TEST_CASE("Split with a zero-size part, Tile of bool and Expand both ways") {
  auto out = eval(R"(graph @g {
  input %x: i16[2,3]
  const %s: i64[3] = [1, 0, 2]
  %a, %b, %c = Split "s"(%x, %s) {axis = 1}: i16[2,1], i16[2,0], i16[2,2]
  output %a
  output %b
  output %c
}
)",
                  {bytesOf(I16{1, 2, 3, 4, 5, 6})});
  REQUIRE(out.size() == 3);
  CHECK(as<int16_t>(out[0]) == I16{1, 4});
  CHECK(out[1].empty());
  CHECK(as<int16_t>(out[2]) == I16{2, 3, 5, 6});
  // Tile [2] by 3 on a bool.
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: bool[1,2]
  const %r: i64[2] = [2, 3]
  %y = Tile "t"(%x, %r): bool[2,6]
  output %y
}
)",
                       {bytesOf(std::vector<bool>{true, false})}) ==
        U8{1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0});
  // [3,1] expanded with [2,1,2]: each row value repeated along the last dim,
  // the whole block twice.
  CHECK(eval1<double>(R"(graph @g {
  input %x: f64[3,1]
  const %s: i64[3] = [2, 1, 2]
  %y = Expand "e"(%x, %s): f64[2,3,2]
  output %y
}
)",
                      {bytesOf(D{1, 2, 3})}) == D{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});
}

TEST_CASE("Tile of a rank-8 tensor with alternating repeats") {
  // x[i0..i7] = the flat index; y[j] = x[j mod in] per dim, checked against a
  // direct computation over the 4096 output elements.
  std::vector<int8_t> x(256);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<int8_t>(i);
  std::vector<int8_t> y = eval1<int8_t>(R"(graph @g {
  input %x: i8[2,2,2,2,2,2,2,2]
  const %r: i64[8] = [1, 2, 1, 3, 1, 1, 2, 2]
  %y = Tile "t"(%x, %r): i8[2,4,2,6,2,2,4,4]
  output %y
}
)",
                                        {bytesOf(x)});
  const int out[8] = {2, 4, 2, 6, 2, 2, 4, 4};
  REQUIRE(y.size() == 2u * 4 * 2 * 6 * 2 * 2 * 4 * 4);
  bool same = true;
  for (size_t flat = 0; flat < y.size(); ++flat) {
    size_t rest = flat, in = 0, scale = 1;
    for (int d = 7; d >= 0; --d) {
      in += (rest % out[d] % 2) * scale;
      rest /= out[d];
      scale *= 2;
    }
    same &= y[flat] == x[in];
  }
  CHECK(same);
}

TEST_CASE("DepthToSpace in both modes and SpaceToDepth undo each other") {
  // 4 channels of 1x1 with blocksize 2: DCR puts channel i*2+j at (i, j);
  // CRD (one output channel) does the same; with 8 channels they differ.
  std::vector<int32_t> x8 = {0, 1, 2, 3, 4, 5, 6, 7};
  // DCR: y[c', i, j] = x[(i*2 + j)*2 + c'] -> c'=0: 0,2,4,6; c'=1: 1,3,5,7
  CHECK(eval1<int32_t>(R"(graph @g {
  input %x: i32[1,8,1,1]
  %y = DepthToSpace "d"(%x) {blocksize = 2}: i32[1,2,2,2]
  output %y
}
)",
                       {bytesOf(x8)}) == I32{0, 2, 4, 6, 1, 3, 5, 7});
  // CRD: y[c', i, j] = x[c'*4 + i*2 + j]
  CHECK(eval1<int32_t>(R"(graph @g {
  input %x: i32[1,8,1,1]
  %y = DepthToSpace "d"(%x) {blocksize = 2, mode = "CRD"}: i32[1,2,2,2]
  output %y
}
)",
                       {bytesOf(x8)}) == I32{0, 1, 2, 3, 4, 5, 6, 7});
  // SpaceToDepth then DepthToSpace (DCR) is the identity.
  std::vector<int8_t> x(2 * 4 * 6);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<int8_t>(i);
  CHECK(eval1<int8_t>(R"(graph @g {
  input %x: i8[1,2,4,6]
  %s = SpaceToDepth "s"(%x) {blocksize = 2}: i8[1,8,2,3]
  %y = DepthToSpace "d"(%s) {blocksize = 2}: i8[1,2,4,6]
  output %y
}
)",
                      {bytesOf(x)}) == x);
}

TEST_CASE("Generators: Range, ConstantOfShape, EyeLike") {
  // int16 with a negative delta: 10, 7, 4, 1
  CHECK(eval1<int16_t>(R"(graph @g {
  const %a: i16[] = [10]
  const %b: i16[] = [0]
  const %d: i16[] = [-3]
  %y = Range "r"(%a, %b, %d): i16[4]
  output %y
}
)") == I16{10, 7, 4, 1});
  CHECK(eval1<double>(R"(graph @g {
  const %s: i64[2] = [2, 2]
  %y = ConstantOfShape "c"(%s) {value = tensor<f64[1]>[-2.5]}: f64[2,2]
  output %y
}
)") == D{-2.5, -2.5, -2.5, -2.5});
  CHECK(eval1<int64_t>(R"(graph @g {
  const %s: i64[1] = [3]
  %y = ConstantOfShape "c"(%s) {value = tensor<i64[1]>[-9000000000]}: i64[3]
  output %y
}
)") == I64{-9000000000, -9000000000, -9000000000});
  // k = -1 on a 3x2 bool matrix: ones at (1,0) and (2,1).
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: f32[3,2]
  %y = EyeLike "e"(%x) {dtype = 9, k = -1}: bool[3,2]
  output %y
}
)",
                       {bytesOf(F(6, 0))}) == U8{0, 0, 1, 0, 0, 1});
}

TEST_CASE("OneHot: negative, fractional and out-of-range indices") {
  // depth 3, axis 0; indices -1 (=2), 1.7 (truncates to 1), 3 and -4 (out of
  // range: all off). Output [3, 4] of uint8 with off 5, on 9.
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %i: f32[4]
  const %d: i64[] = [3]
  const %v: u8[2] = [5, 9]
  %y = OneHot "o"(%i, %d, %v) {axis = 0}: u8[3,4]
  output %y
}
)",
                       {bytesOf(F{-1, 1.7f, 3, -4})}) ==
        U8{5, 5, 5, 5, 5, 9, 5, 5, 9, 5, 5, 5});
  // int8 indices, default axis (last): rows of depth 2.
  CHECK(eval1<int64_t>(R"(graph @g {
  input %i: i8[2]
  const %d: f32[1] = [2]
  const %v: i64[2] = [0, -1]
  %y = OneHot "o"(%i, %d, %v): i64[2,2]
  output %y
}
)",
                       {bytesOf(I8{-2, 127})}) == I64{-1, 0, 0, 0});
}

TEST_CASE("Trilu with a runtime k and the lower triangle") {
  const char *text = R"(graph @g {
  input %x: i32[2,3]
  input %k: i64[]
  %y = Trilu "t"(%x, %k) {upper = 0}: i32[2,3]
  output %y
}
)";
  // lower, k = 1: keep col - row <= 1
  CHECK(eval1<int32_t>(text, {bytesOf(I32{1, 2, 3, 4, 5, 6}), bytesOf(I64{1})}) ==
        I32{1, 2, 0, 4, 5, 6});
  // lower, k = -5: nothing kept
  CHECK(eval1<int32_t>(text, {bytesOf(I32{1, 2, 3, 4, 5, 6}), bytesOf(I64{-5})}) ==
        I32{0, 0, 0, 0, 0, 0});
}

TEST_CASE("GatherElements and GatherND with runtime indices") {
  // axis 1 with int32 indices, one negative: y[i][j] = x[i][idx[i][j]]
  CHECK(eval1<uint16_t>(R"(graph @g {
  input %x: u16[2,3]
  input %i: i32[2,2]
  %y = GatherElements "g"(%x, %i) {axis = 1}: u16[2,2]
  output %y
}
)",
                        {bytesOf(U16{10, 11, 12, 20, 21, 22}), bytesOf(I32{-1, 0, 1, 1})}) ==
        U16{12, 10, 21, 21});
  // batch_dims 1: batch b picks rows of data[b]; an out-of-range runtime
  // index gives zeros.
  CHECK(eval1<float>(R"(graph @g {
  input %x: f32[2,2,2]
  input %i: i64[2,2,1]
  %y = GatherND "g"(%x, %i) {batch_dims = 1}: f32[2,2,2]
  output %y
}
)",
                     {bytesOf(F{1, 2, 3, 4, 5, 6, 7, 8}), bytesOf(I64{1, -2, 7, 0})}) ==
        F{3, 4, 1, 2, 0, 0, 5, 6});
}

TEST_CASE("ScatterElements and ScatterND reductions wrap and follow index order") {
  // add with duplicate indices on int8: 100 + 100 + 100 wraps to 300 - 256 = 44
  CHECK(eval1<int8_t>(R"(graph @g {
  input %x: i8[3]
  const %i: i64[3] = [1, 1, -1]
  input %u: i8[3]
  %y = ScatterElements "s"(%x, %i, %u) {reduction = "add"}: i8[3]
  output %y
}
)",
                      {bytesOf(I8{1, 100, 3}), bytesOf(I8{100, 100, 5})}) == I8{1, 44, 8});
  // Scatter (deprecated name): no reduction, the last duplicate wins.
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: bool[4]
  const %i: i64[2] = [2, 2]
  const %u: bool[2] = [1, 0]
  %y = Scatter "s"(%x, %i, %u): bool[4]
  output %y
}
)",
                       {bytesOf(std::vector<bool>{true, true, true, true})}) == U8{1, 1, 0, 1});
  // ScatterND mul of rows, int64 wrapping: 2^62 * 4 wraps to 0.
  CHECK(eval1<int64_t>(R"(graph @g {
  input %x: i64[2,2]
  const %i: i64[2,1] = [1, 1]
  const %u: i64[2,2] = [2, 3, 2, 1]
  %y = ScatterND "s"(%x, %i, %u) {reduction = "mul"}: i64[2,2]
  output %y
}
)",
                       {bytesOf(I64{1, 1, int64_t(1) << 62, 5})}) == I64{1, 1, 0, 15});
}

TEST_CASE("ScatterElements mul: rows and columns of a 2-d tensor") {
  // axis 0: column j of row idx[0][j] is multiplied: (1,0) *= 300 and (0,1) *= 5.
  CHECK(eval1<uint16_t>(R"(graph @g {
  input %x: u16[2,2]
  const %i: i32[1,2] = [1, 0]
  input %u: u16[1,2]
  %y = ScatterElements "s"(%x, %i, %u) {axis = 0, reduction = "mul"}: u16[2,2]
  output %y
}
)",
                        {bytesOf(U16{300, 2, 300, 4}), bytesOf(U16{300, 5})}) ==
        U16{300, 10, 24464, 4});
}

TEST_CASE("ReverseSequence with batch_axis 0 and runtime lengths") {
  // x[b][t][c]: batch 0 reverses 3 steps, batch 1 none, batch 2 all 2... of 3.
  CHECK(eval1<int32_t>(R"(graph @g {
  input %x: i32[3,3,1]
  input %l: i64[3]
  %y = ReverseSequence "r"(%x, %l) {batch_axis = 0, time_axis = 1}: i32[3,3,1]
  output %y
}
)",
                       {bytesOf(I32{1, 2, 3, 4, 5, 6, 7, 8, 9}), bytesOf(I64{3, 0, 2})}) ==
        I32{3, 2, 1, 4, 5, 6, 8, 7, 9});
}

TEST_CASE("Einsum: trace, integer matmul, broadcasting ellipsis, three operands") {
  CHECK(eval1<float>(R"(graph @g {
  input %x: f32[3,3]
  %y = Einsum "e"(%x) {equation = "ii"}: f32[]
  output %y
}
)",
                     {bytesOf(F{1, 2, 3, 4, 5, 6, 7, 8, 9})}) == F{15});
  // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]], transposed by the output.
  CHECK(eval1<int32_t>(R"(graph @g {
  input %a: i32[2,2]
  input %b: i32[2,2]
  %y = Einsum "e"(%a, %b) {equation = "ij,jk->ki"}: i32[2,2]
  output %y
}
)",
                       {bytesOf(I32{1, 2, 3, 4}), bytesOf(I32{5, 6, 7, 8})}) ==
        I32{19, 43, 22, 50});
  // a [2,1,2] broadcasts against b [3,2]: y[p,q] = sum_i a[p,0,i] * b[q,i]
  CHECK(eval1<double>(R"(graph @g {
  input %a: f64[2,1,2]
  input %b: f64[3,2]
  %y = Einsum "e"(%a, %b) {equation = "...i,...i->..."}: f64[2,3]
  output %y
}
)",
                      {bytesOf(D{1, 2, 3, 4}), bytesOf(D{1, 0, 0, 1, 1, 1})}) ==
        D{1, 2, 3, 3, 4, 7});
  // i,i,i: sum of triple products 1*4*7 + 2*5*8 + 3*6*9 = 28 + 80 + 162 = 270
  CHECK(eval1<int64_t>(R"(graph @g {
  input %a: i64[3]
  input %b: i64[3]
  input %c: i64[3]
  %y = Einsum "e"(%a, %b, %c) {equation = "i,i,i->"}: i64[]
  output %y
}
)",
                       {bytesOf(I64{1, 2, 3}), bytesOf(I64{4, 5, 6}), bytesOf(I64{7, 8, 9})}) ==
        I64{270});
  // An empty summed dim gives zeros.
  CHECK(eval1<float>(R"(graph @g {
  input %a: f32[2,0]
  %y = Einsum "e"(%a) {equation = "ij->i"}: f32[2]
  output %y
}
)",
                     {Buffer{}}) == F{0, 0});
}

TEST_CASE("Compress with a short condition, NonZero, Unique unsorted with NaN") {
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: u8[2,3]
  const %c: bool[2] = [0, 1]
  %y = Compress "c"(%x, %c) {axis = 1}: u8[2,1]
  output %y
}
)",
                       {bytesOf(U8{1, 2, 3, 4, 5, 6})}) == U8{2, 5});
  // NonZero of a constant folds in inference and in the evaluator alike.
  CHECK(eval1<int64_t>(R"(graph @g {
  const %x: f32[2,3] = [0, -0.0, nan, 2, 0, 1]
  %y = NonZero "n"(%x): i64[2,3]
  output %y
}
)") == I64{0, 1, 1, 2, 0, 2});
  // Unsorted: first occurrences in order 3, NaN, 1, NaN; -0 == 0 is not in it.
  auto out = eval(R"(graph @g {
  const %x: f32[6] = [3, nan, 1, 3, nan, 1]
  %y, %i, %v, %n = Unique "u"(%x) {sorted = 0}: f32[4], i64[4], i64[6], i64[4]
  output %y
  output %i
  output %v
  output %n
}
)",
                  {});
  REQUIRE(out.size() == 4);
  F y = as<float>(out[0]);
  CHECK(y[0] == 3);
  CHECK(std::isnan(y[1]));
  CHECK(y[2] == 1);
  CHECK(std::isnan(y[3]));
  CHECK(as<int64_t>(out[1]) == I64{0, 1, 2, 4});
  CHECK(as<int64_t>(out[2]) == I64{0, 1, 2, 0, 3, 2});
  CHECK(as<int64_t>(out[3]) == I64{2, 1, 2, 1});
  // Sorted int8 along axis 1: columns (2,1), (-1,0), (2,1), (-1,5) sort as
  // (-1,0) < (-1,5) < (2,1).
  auto cols = eval(R"(graph @g {
  const %x: i8[2,4] = [2, -1, 2, -1, 1, 0, 1, 5]
  %y, %i, %v, %n = Unique "u"(%x) {axis = 1}: i8[2,3], i64[3], i64[4], i64[3]
  output %y
  output %i
  output %v
  output %n
}
)",
                   {});
  REQUIRE(cols.size() == 4);
  CHECK(as<int8_t>(cols[0]) == I8{-1, -1, 2, 0, 5, 1});
  CHECK(as<int64_t>(cols[1]) == I64{1, 3, 0});
  CHECK(as<int64_t>(cols[2]) == I64{2, 0, 2, 1});
  CHECK(as<int64_t>(cols[3]) == I64{1, 1, 2});
}

TEST_CASE("Data ops on other types: Slice with a negative step, Gather of bool, Pad of int64") {
  CHECK(eval1<uint32_t>(R"(graph @g {
  input %x: u32[5]
  const %s: i64[1] = [-1]
  const %e: i64[1] = [-9223372036854775808]
  const %a: i64[1] = [0]
  const %t: i64[1] = [-2]
  %y = Slice "s"(%x, %s, %e, %a, %t): u32[3]
  output %y
}
)",
                        {bytesOf(std::vector<uint32_t>{1, 2, 3, 4, 5})}) ==
        std::vector<uint32_t>{5, 3, 1});
  CHECK(eval1<uint8_t>(R"(graph @g {
  input %x: bool[3]
  const %i: i32[2,2] = [-1, 0, 1, 2]
  %y = Gather "g"(%x, %i): bool[2,2]
  output %y
}
)",
                       {bytesOf(std::vector<bool>{true, false, true})}) == U8{1, 1, 0, 1});
  CHECK(eval1<int64_t>(R"(graph @g {
  input %x: i64[2]
  const %p: i64[2] = [1, 2]
  const %v: i64[] = [-7]
  %y = Pad "p"(%x, %p, %v): i64[5]
  output %y
}
)",
                       {bytesOf(I64{1, 2})}) == I64{-7, 1, 2, -7, -7});
  // Concat with an empty input.
  CHECK(eval1<int16_t>(R"(graph @g {
  input %a: i16[0,2]
  input %b: i16[1,2]
  %y = Concat "c"(%a, %b) {axis = 0}: i16[1,2]
  output %y
}
)",
                       {Buffer{}, bytesOf(I16{7, 8})}) == I16{7, 8});
}
