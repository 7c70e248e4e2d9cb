//===- SpatialOpsTest.cpp - windowed and resampling ops -------------------===//
//
// Shape inference, errors and kernel numbers of ConvTranspose, the pools
// (Lp, global Lp, integer max, unpool, RoI max), Resize/Upsample, GridSample,
// RoiAlign and NonMaxSuppression, on cases the ONNX conformance data does not
// cover (other element types, modes and ranks, edge cases). Expected values
// are worked out by hand in the comments, or with ONNX's numpy reference
// (onnx/backend/test/case/node/resize.py) where it exists. Exact results are
// compared exactly; others within the stated tolerance.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "ir/ShapeInference.h"
#include "passes/Evaluator.h"
#include <cmath>
#include <cstring>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

using F = std::vector<float>;

std::string convT(Ints x, Ints w, const Attrs &attrs = {}) {
  OneNode b;
  return b.infer(OpKind::ConvTranspose, {b.in(x), b.in(w)}, attrs);
}

} // namespace

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

TEST_CASE("ConvTranspose: output size from pads, output_padding, output_shape and auto_pad") {
  // full = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1
  CHECK(convT({1, 1, 3, 3}, {1, 2, 3, 3}) == "f32[1,2,5,5]");
  // 3 * 2 + 1 + 3 - 1 - 1 = 8 and 2 * 5 + 1 + 3 - 2 = 12
  CHECK(convT({1, 3, 3, 6}, {3, 4, 3, 3},
              {{"strides", Ints{3, 2}}, {"pads", Ints{1, 1, 1, 1}},
               {"output_padding", Ints{1, 1}}}) == "f32[1,4,8,12]");
  // dilation 2 makes a 3-tap kernel span 5: 2 + 5 = 7
  CHECK(convT({1, 1, 3}, {1, 1, 3}, {{"dilations", Ints{2}}}) == "f32[1,1,7]");
  // groups: 4 input channels, weight [4, 3, ...], group 2 gives 6 output channels
  CHECK(convT({2, 4, 5}, {4, 3, 2}, {{"group", int64_t(2)}}) == "f32[2,6,6]");
  // output_shape wins (spatial only, or with N and C spelled out)
  CHECK(convT({1, 1, 3, 3}, {1, 2, 3, 3},
              {{"strides", Ints{3, 2}}, {"output_shape", Ints{10, 8}}}) == "f32[1,2,10,8]");
  CHECK(convT({1, 1, 3, 3}, {1, 2, 3, 3},
              {{"strides", Ints{3, 2}}, {"output_shape", Ints{1, 2, 10, 8}}}) ==
        "f32[1,2,10,8]");
  // SAME_*: in * stride; VALID: the full size
  CHECK(convT({1, 1, 3, 4, 5}, {1, 1, 3, 3, 3},
              {{"auto_pad", "SAME_LOWER"}, {"strides", Ints{2, 1, 3}}}) == "f32[1,1,6,4,15]");
  CHECK(convT({1, 1, 3}, {1, 1, 3}, {{"auto_pad", "VALID"}, {"strides", Ints{2}}}) ==
        "f32[1,1,7]");
}

TEST_CASE("ConvTranspose: invalid nodes are located errors") {
  CHECK(convT({1, 3, 4, 4}, {3, 2, 3, 3}, {{"group", int64_t(2)}}) ==
        "node 'n' (ConvTranspose): group 2 does not divide 3 input channels");
  CHECK(convT({1, 4, 4, 4}, {3, 2, 3, 3}) ==
        "node 'n' (ConvTranspose): weight 'x1' [3,2,3,3] expects 3 input channels, the input "
        "has 4");
  CHECK(convT({1, 1, 2}, {1, 1, 2}, {{"pads", Ints{2, 1}}}) ==
        "node 'n' (ConvTranspose): pads [2,1] leave no output along axis 2 (full size 3)");
  CHECK(convT({1, 1, 2}, {1, 1, 2}, {{"output_shape", Ints{4, 4}}}) ==
        "node 'n' (ConvTranspose): attribute 'output_shape' has 2 values, expected 1");
  CHECK(convT({1, 1, 2}, {1, 1, 2}, {{"dilations", Ints{int64_t(1) << 40}}}) ==
        "node 'n' (ConvTranspose): attribute 'dilations' value 1099511627776 is out of range");
  CHECK(convT({1, 1, 2}, {1, 1, 2}, {{"output_padding", Ints{-1}}}) ==
        "node 'n' (ConvTranspose): output_padding must not be negative");
  CHECK(convT({1, 1, 2}, {1, 1, 2}, {{"kernel_shape", Ints{3}}}) ==
        "node 'n' (ConvTranspose): kernel_shape [3] does not match the weight's spatial shape "
        "[2]");
  CHECK(convT({1, 1, 2}, {1, 1, 2}, {{"auto_pad", "SAME"}}) ==
        "node 'n' (ConvTranspose): auto_pad 'SAME' is not one of NOTSET, VALID, SAME_UPPER, "
        "SAME_LOWER");
  OneNode b;
  CHECK(b.infer(OpKind::ConvTranspose, {b.in({1, 1, 2}, DType::I32), b.in({1, 1, 2}, DType::I32)}) ==
        "node 'n' (ConvTranspose): element type i32 of input 0 ('x0') is not supported by "
        "ConvTranspose");
}

TEST_CASE("ConvTranspose 1-d: stride, pads, output_padding and a bias") {
  // x = [1, 2, 3], w = [1, 10], stride 2: the full output is
  // [1, 10, 2, 20, 3, 30, 0] (the last position is output_padding); pads
  // [1, 0] drop the first position; the bias adds 0.5 everywhere.
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,1,3]
  const %w: f32[1,1,2] = [1, 10]
  const %b: f32[1] = [0.5]
  %y = ConvTranspose "ct"(%x, %w, %b) {output_padding = [1], pads = [1, 0], strides = [2]}: f32[1,1,6]
  output %y
}
)",
                      {{1, 2, 3}});
  CHECK(y == F{10.5f, 2.5f, 20.5f, 3.5f, 30.5f, 0.5f});
}

TEST_CASE("ConvTranspose: groups, dilation and a fused Relu, in double") {
  // Group 0 (channels 0, 1 -> output 0): x0 * [1, 2] and x1 * [3, 4] with the
  // taps 2 apart: [13, 17, 39, 24, 30], bias -20 then Relu: [0, 0, 19, 4, 10].
  // Group 1 (channels 2, 3 -> output 1): x2 * [5, 6] + x3 * [7, 8]:
  // [105, 117, 251, 136, 150].
  auto y = evalAs<double>(R"(graph @g {
  input %x: f64[1,4,3]
  const %w: f64[4,1,2] = [1, 2, 3, 4, 5, 6, 7, 8]
  const %b: f64[2] = [-20, 0]
  %y = ConvTranspose "ct"(%x, %w, %b) {dilations = [2], fused_activation = "Relu", group = 2}: f64[1,2,5]
  output %y
}
)",
                          {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}});
  CHECK(y == std::vector<double>{0, 0, 19, 4, 10, 105, 117, 251, 136, 150});
}

TEST_CASE("ConvTranspose: output_shape larger than the full output pads at the end") {
  // The full output of x = [1, 2] with w = [1, 1] is [1, 3, 2]; output_shape
  // 5 makes the total padding -2, and the begin padding total - total / 2
  // (rounded toward negative infinity) = -1: the output starts one position
  // before the full one and ends one after it.
  const char *text = R"(graph @g {
  input %x: f32[1,1,2]
  const %w: f32[1,1,2] = [1, 1]
  %y = ConvTranspose "ct"(%x, %w) {output_shape = [5]}: f32[1,1,5]
  output %y
}
)";
  CHECK(evalAs<float>(text, {{1, 2}}) == F{0, 1, 3, 2, 0});
}

//===----------------------------------------------------------------------===//
// LpPool, GlobalLpPool
//===----------------------------------------------------------------------===//

TEST_CASE("LpPool: shapes and errors") {
  OneNode b;
  CHECK(b.infer(OpKind::LpPool, {b.in({1, 2, 7, 7})},
                {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"p", int64_t(3)}}) ==
        "f32[1,2,3,3]");
  OneNode c;
  CHECK(c.infer(OpKind::LpPool, {c.in({1, 2, 7})},
                {{"kernel_shape", Ints{2}}, {"auto_pad", "SAME_UPPER"}}) == "f32[1,2,7]");
  // Opset 17 LpPool has neither ceil_mode nor dilations.
  OneNode d;
  CHECK(d.infer(OpKind::LpPool, {d.in({1, 2, 7})},
                {{"kernel_shape", Ints{2}}, {"ceil_mode", int64_t(1)}}) ==
        "node 'n' (LpPool): attribute 'ceil_mode' is not supported");
  OneNode e;
  CHECK(e.infer(OpKind::LpPool, {e.in({1, 2, 7})}, {{"kernel_shape", Ints{2}}, {"p", int64_t(0)}}) ==
        "node 'n' (LpPool): p 0 is out of range [1, 65536]");
  OneNode f;
  CHECK(f.infer(OpKind::GlobalLpPool, {f.in({2, 3, 4, 5, 6})}) == "f32[2,3,1,1,1]");
  // Hostile values are errors, not overflows.
  OneNode g;
  CHECK(g.infer(OpKind::LpPool, {g.in({1, 2, 7})},
                {{"kernel_shape", Ints{2}}, {"strides", Ints{int64_t(1) << 62}}}) ==
        "node 'n' (LpPool): attribute 'strides' value 4611686018427387904 is out of range");
}

TEST_CASE("LpPool: p = 1, 2 and 3 with padding") {
  auto lp = [](int p, const char *extra, const char *shape) {
    std::string text = std::string(R"(graph @g {
  input %x: f32[1,1,4]
  %y = LpPool "lp"(%x) {kernel_shape = [2], p = )") +
                       std::to_string(p) + ", strides = [2]" + extra + "}: f32[1,1," + shape +
                       R"(]
  output %y
}
)";
    return evalAs<float>(text, {{3, -4, 1, 2}});
  };
  // Windows [3, -4] and [1, 2].
  CHECK(lp(1, "", "2") == F{7, 3});
  CHECK(lp(2, "", "2") == F{5, std::sqrt(5.0f)});
  checkClose(lp(3, "", "2"), {std::cbrt(91.0), std::cbrt(9.0)}, 1e-5);
  // Padding 1 at both ends: windows [pad, 3], [-4, 1], [2, pad].
  CHECK(lp(2, ", pads = [1, 1]", "3") == F{3, std::sqrt(17.0f), 2});
}

TEST_CASE("GlobalLpPool over each plane") {
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,2,2,1]
  %y = GlobalLpPool "g"(%x): f32[1,2,1,1]
  output %y
}
)",
                      {{3, 4, 0, -12}});
  CHECK(y == F{5, 12});
  auto y1 = evalAs<double>(R"(graph @g {
  input %x: f64[1,2,2]
  %y = GlobalLpPool "g"(%x) {p = 1}: f64[1,2,1]
  output %y
}
)",
                           {{3, -4, 0, -12}});
  CHECK(y1 == std::vector<double>{7, 12});
}

//===----------------------------------------------------------------------===//
// MaxPool and AveragePool completeness
//===----------------------------------------------------------------------===//

TEST_CASE("MaxPool 3-d on int8 with indices in both storage orders") {
  // x [1,1,2,2,3] (d, h, w); a 2x2x1 window covers all of d and h for each
  // w: w0 {-5, 3, 0, -7} -> 3 at (0,1,0); w1 {7, 2, -1, 8} -> 8 at (1,1,1);
  // w2 {-128, 1, 9, -100} -> 9 at (1,0,2). Row-major indices 3, 10, 8;
  // column-major ((w * H + h) * D + d) 2, 7, 9.
  std::vector<int8_t> x = {-5, 7, -128, 3, 2, 1, 0, -1, 9, -7, 8, -100};
  for (int order : {0, 1}) {
    auto out = eval(R"(graph @g {
  input %x: i8[1,1,2,2,3]
  %v, %i = MaxPool "pool"(%x) {kernel_shape = [2, 2, 1], storage_order = )" +
                        std::to_string(order) + R"(}: i8[1,1,1,1,3], i64[1,1,1,1,3]
  output %v
  output %i
}
)",
                    {bytesOf(x)});
    REQUIRE(out.size() == 2);
    CHECK(as<int8_t>(out[0]) == std::vector<int8_t>{3, 8, 9});
    CHECK(as<int64_t>(out[1]) == (order ? Ints{2, 7, 9} : Ints{3, 10, 8}));
  }
}

TEST_CASE("MaxPool on uint8 with dilations; ceil_mode") {
  //  3  9  4  1     2x2 taps 2 apart: (0,0) {3,4,5,11}, (0,1) {9,1,0,13},
  //  7  2  8  6     (1,0) {7,8,12,10}, (1,1) {2,6,15,14}.
  //  5  0 11 13
  // 12 15 10 14
  std::vector<uint8_t> x = {3, 9, 4, 1, 7, 2, 8, 6, 5, 0, 11, 13, 12, 15, 10, 14};
  CHECK(evalAs<uint8_t>(R"(graph @g {
  input %x: u8[1,1,4,4]
  %y = MaxPool "pool"(%x) {dilations = [2, 2], kernel_shape = [2, 2]}: u8[1,1,2,2]
  output %y
}
)",
                        {x}) == std::vector<uint8_t>{11, 13, 12, 15});
  // 3x3 windows, stride 2, ceil_mode: (4 - 3) / 2 rounds up to 1, so 2 windows
  // per axis; the last ones hang over the end: {11,13,10,14} at (1,1).
  CHECK(evalAs<uint8_t>(R"(graph @g {
  input %x: u8[1,1,4,4]
  %y = MaxPool "pool"(%x) {ceil_mode = 1, kernel_shape = [3, 3], strides = [2, 2]}: u8[1,1,2,2]
  output %y
}
)",
                        {x}) == std::vector<uint8_t>{11, 13, 15, 14});
}

TEST_CASE("AveragePool 1-d with ceil_mode and count_include_pad") {
  // x = 1..6, kernel 2, stride 2, pads [1, 0], ceil_mode: (6 + 1 - 2) / 2
  // rounds up to 3, so 4 windows: [pad, 1] (the pad counts: 0.5), [2, 3],
  // [4, 5], and [6, past the end] (which does not count: 6).
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,1,6]
  %y = AveragePool "pool"(%x) {ceil_mode = 1, count_include_pad = 1, kernel_shape = [2], pads = [1, 0], strides = [2]}: f32[1,1,4]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6}});
  CHECK(y == F{0.5f, 2.5f, 4.5f, 6});
}

//===----------------------------------------------------------------------===//
// MaxUnpool, MaxRoiPool
//===----------------------------------------------------------------------===//

TEST_CASE("MaxUnpool: shapes and errors") {
  OneNode b;
  Value *x = b.in({1, 2, 2, 3});
  CHECK(b.infer(OpKind::MaxUnpool, {x, b.in({1, 2, 2, 3}, DType::I64)},
                {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{0, 1, 0, 1}}}) ==
        "f32[1,2,4,4]");
  OneNode c;
  CHECK(c.infer(OpKind::MaxUnpool,
                {c.in({1, 1, 2, 2}), c.in({1, 1, 2, 2}, DType::I64), c.ints({1, 1, 5, 5})},
                {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}) == "f32[1,1,5,5]");
  OneNode d;
  CHECK(d.infer(OpKind::MaxUnpool,
                {d.in({1, 1, 2, 2}), d.in({1, 1, 2, 2}, DType::I64),
                 d.in("os", {4}, DType::I64)},
                {{"kernel_shape", Ints{2, 2}}}) ==
        "node 'n' (MaxUnpool): input 2 (output_shape, 'os') must be known at compile time, but "
        "it is computed from runtime data; bind the graph input it depends on with --const "
        "NAME=FILE");
  OneNode e;
  CHECK(e.infer(OpKind::MaxUnpool, {e.in({1, 1, 2, 2}), e.in({1, 1, 2, 2}, DType::I32)},
                {{"kernel_shape", Ints{2, 2}}}) ==
        "node 'n' (MaxUnpool): indices 'x1' must be int64, not i32");
}

TEST_CASE("MaxUnpool on int32 with an output_shape keeps coordinates") {
  // Indices address the 2x4 the attributes give: 5 is (1,1), 2 is (0,2).
  // In the 3x3 output they land at (1,1) and (0,2): flat 4 and 2.
  auto y = evalAs<int32_t>(R"(graph @g {
  input %x: i32[1,1,1,2]
  const %i: i64[1,1,1,2] = [5, 2]
  const %s: i64[4] = [1, 1, 3, 3]
  %y = MaxUnpool "u"(%x, %i, %s) {kernel_shape = [2, 2], strides = [2, 2]}: i32[1,1,3,3]
  output %y
}
)",
                           {{7, -9}});
  CHECK(y == std::vector<int32_t>{0, 0, -9, 0, 7, 0, 0, 0, 0});
}

TEST_CASE("MaxRoiPool: rounding, bins and an out-of-range batch index") {
  OneNode b;
  CHECK(b.infer(OpKind::MaxRoiPool, {b.in({1, 3, 8, 8}), b.in({4, 5})},
                {{"pooled_shape", Ints{2, 3}}}) == "f32[4,3,2,3]");
  OneNode c;
  CHECK(c.infer(OpKind::MaxRoiPool, {c.in({1, 3, 8, 8}), c.in({4, 4})},
                {{"pooled_shape", Ints{2, 3}}}) ==
        "node 'n' (MaxRoiPool): rois 'x1' has shape [4,4]; expected [num_rois, 5] (batch "
        "index, x1, y1, x2, y2)");
  // x[r][c] = 4r + c; spatial_scale 0.5. Roi 0: 0..1.5 rounds to 0..2 on
  // both axes (half away from zero): 3x3 pixels, bins of 1.5 with rows (and
  // columns) {0,1} / {1,2}: 5, 6, 9, 10. Roi 1: x 0.5..2 -> 1..2, y
  // 0.5..2.5 -> 1..3: bins rows {1,2} / {2,3}, columns {1} / {2}: 9, 10, 13,
  // 14. Roi 2 names batch 5 of 1: zeros.
  F x(16);
  for (int i = 0; i < 16; ++i)
    x[i] = float(i);
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,1,4,4]
  const %r: f32[3,5] = [0, 0, 0, 3, 3, 0, 1, 1, 4, 5, 5, 0, 0, 1, 1]
  %y = MaxRoiPool "p"(%x, %r) {pooled_shape = [2, 2], spatial_scale = 0.5}: f32[3,1,2,2]
  output %y
}
)",
                      {x});
  CHECK(y == F{5, 6, 9, 10, 9, 10, 13, 14, 0, 0, 0, 0});
}

//===----------------------------------------------------------------------===//
// RoiAlign, GridSample
//===----------------------------------------------------------------------===//

TEST_CASE("RoiAlign: shapes and errors") {
  OneNode b;
  CHECK(b.infer(OpKind::RoiAlign, {b.in({2, 3, 8, 8}), b.in({5, 4}), b.in({5}, DType::I64)},
                {{"output_height", int64_t(2)}, {"output_width", int64_t(4)}}) ==
        "f32[5,3,2,4]");
  OneNode c;
  CHECK(c.infer(OpKind::RoiAlign, {c.in({2, 3, 8, 8}), c.in({5, 4}), c.in({5}, DType::I64)},
                {{"mode", "min"}}) == "node 'n' (RoiAlign): mode 'min' is not one of avg, max");
  OneNode d;
  CHECK(d.infer(OpKind::RoiAlign, {d.in({2, 3, 8, 8}), d.in({5, 4}), d.in({4}, DType::I64)}) ==
        "node 'n' (RoiAlign): batch_indices 'x2' has shape [4]; expected [5]");
}

TEST_CASE("RoiAlign: avg and max over a 2x2 sampling grid") {
  // x = [[1, 2], [3, 4]], roi (0,0)-(1,1) without the half-pixel shift, one
  // bin sampled at 0.25 and 0.75 on each axis. avg: the bilinear values 1.75,
  // 2.25, 2.75, 3.25 average to 2.5. max (ONNX Runtime's definition): the
  // largest weighted corner, 0.5625 * 4 = 2.25 at (0.75, 0.75).
  auto run = [](const char *mode) {
    return evalAs<float>(std::string(R"(graph @g {
  input %x: f32[1,1,2,2]
  const %r: f32[1,4] = [0, 0, 1, 1]
  const %b: i64[1] = [0]
  %y = RoiAlign "ra"(%x, %r, %b) {coordinate_transformation_mode = "output_half_pixel", mode = ")") +
                             mode + R"(", sampling_ratio = 2}: f32[1,1,1,1]
  output %y
}
)",
                         {{1, 2, 3, 4}});
  };
  CHECK(run("avg") == F{2.5f});
  CHECK(run("max") == F{2.25f});
}

TEST_CASE("GridSample: shapes and errors") {
  OneNode b;
  CHECK(b.infer(OpKind::GridSample, {b.in({2, 3, 8, 8}), b.in({2, 5, 6, 2})}) ==
        "f32[2,3,5,6]");
  OneNode c;
  CHECK(c.infer(OpKind::GridSample, {c.in({2, 3, 8, 8}), c.in({2, 5, 6, 3})}) ==
        "node 'n' (GridSample): grid 'x1' has shape [2,5,6,3]; expected [2, H_out, W_out, 2]");
  OneNode d;
  CHECK(d.infer(OpKind::GridSample, {d.in({2, 3, 8, 8}), d.in({2, 5, 6, 2})},
                {{"padding_mode", "wrap"}}) ==
        "node 'n' (GridSample): padding_mode 'wrap' is not one of zeros, border, reflection");
}

TEST_CASE("GridSample: padding modes at and beyond the border") {
  // x = [[1, 2], [3, 4]]; points (0, 0), (-1, -1), (1.5, 0) without
  // align_corners map to pixels (0.5, 0.5), (-0.5, -0.5), (2, 0.5).
  auto run = [](const char *attrs) {
    return evalAs<float>(std::string(R"(graph @g {
  input %x: f32[1,1,2,2]
  const %g: f32[1,1,3,2] = [0, 0, -1, -1, 1.5, 0]
  %y = GridSample "gs"(%x, %g) {)") + attrs +
                             R"(}: f32[1,1,1,3]
  output %y
}
)",
                         {{1, 2, 3, 4}});
  };
  // bilinear, zeros: 2.5; a quarter of pixel (0,0); nothing.
  CHECK(run(R"(mode = "bilinear")") == F{2.5f, 0.25f, 0});
  // nearest, border: (0.5, 0.5) rounds to even (0, 0); (-0.5, -0.5) clamps to
  // (0, 0); x 2 clamps to 1, y 0.5 rounds to 0: pixel (0, 1).
  CHECK(run(R"(mode = "nearest", padding_mode = "border")") == F{1, 1, 2});
  // bilinear, reflection: -0.5 reflects onto itself, then clamps to 0; x 2
  // reflects to 1, so row 0.5 of column 1: (2 + 4) / 2.
  CHECK(run(R"(mode = "bilinear", padding_mode = "reflection")") == F{2.5f, 1, 3});
  // align_corners: (-1, -1) is pixel (0, 0); (1.5, 0) is x 1.25, y 0.5:
  // column 1 with weight 0.75 (column 2 is outside), rows 0 and 1 halved.
  CHECK(run(R"(align_corners = 1, mode = "bilinear")") == F{2.5f, 1, 2.25f});
}

//===----------------------------------------------------------------------===//
// Resize, Upsample
//===----------------------------------------------------------------------===//

TEST_CASE("Resize: output shapes from scales and sizes") {
  OneNode b;
  Value *x = b.in({1, 3, 5, 7});
  CHECK(b.infer(OpKind::Resize, {x, nullptr, b.floats({1, 1, 0.6f, 2.5f})}) ==
        "f32[1,3,3,17]");
  OneNode c;
  CHECK(c.infer(OpKind::Resize, {c.in({2, 4}, DType::U8), nullptr, c.floats({}, {0}),
                                 c.ints({3, 9})},
                {{"mode", "linear"}}) == "u8[3,9]");
  OneNode d;
  CHECK(d.infer(OpKind::Upsample, {d.in({1, 1, 2, 2}, DType::Bool), d.floats({1, 1, 2, 3})}) ==
        "bool[1,1,4,6]");
}

TEST_CASE("Resize: invalid nodes are located errors") {
  OneNode b;
  CHECK(b.infer(OpKind::Resize, {b.in({2, 4}), nullptr, b.floats({1, 2}), b.ints({3, 9})}) ==
        "node 'n' (Resize): only one of input 2 (scales) and input 3 (sizes) may be given");
  OneNode c;
  CHECK(c.infer(OpKind::Resize, {c.in({2, 4})}) ==
        "node 'n' (Resize): one of input 2 (scales) and input 3 (sizes) is required");
  OneNode d;
  CHECK(d.infer(OpKind::Resize, {d.in({2, 4}), nullptr, d.in("s", {2})}) ==
        "node 'n' (Resize): input 2 (scales, 's') must be known at compile time, but it is "
        "computed from runtime data; bind the graph input it depends on with --const "
        "NAME=FILE");
  OneNode e;
  CHECK(e.infer(OpKind::Resize, {e.in("m", {2, 4}, DType::Bool), nullptr, e.floats({1, 2})},
                {{"mode", "linear"}}) ==
        "node 'n' (Resize): mode 'linear' interpolates, which bool input 'm' cannot; use mode "
        "'nearest'");
  OneNode f;
  CHECK(f.infer(OpKind::Resize, {f.in({2, 4}), nullptr, f.floats({1, 2})},
                {{"coordinate_transformation_mode", "tf_crop_and_resize"}}) ==
        "node 'n' (Resize): coordinate_transformation_mode 'tf_crop_and_resize' needs input 1 "
        "(roi)");
  OneNode g;
  CHECK(g.infer(OpKind::Resize, {g.in({2, 4}), nullptr, g.floats({1, 0})}) ==
        "node 'n' (Resize): scales must be positive and finite");
  OneNode h;
  CHECK(h.infer(OpKind::Resize, {h.in({2, 4}), nullptr, h.floats({1, 2})},
                {{"nearest_mode", "round"}}) ==
        "node 'n' (Resize): nearest_mode 'round' is not one of round_prefer_floor, "
        "round_prefer_ceil, floor, ceil");
  OneNode i;
  CHECK(i.infer(OpKind::Upsample, {i.in({2, 4}), i.floats({1, 2})}, {{"mode", "cubic"}}) ==
        "node 'n' (Upsample): mode 'cubic' is not one of nearest, linear");
}

TEST_CASE("Resize: linear over three axes (N-d)") {
  // ONNX's reference: x = 0..11 as [2,3,2], scales [1, 2, 1.5], half_pixel.
  F x(12);
  for (int i = 0; i < 12; ++i)
    x[i] = float(i);
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[2,3,2]
  const %s: f32[3] = [1, 2, 1.5]
  %y = Resize "r"(%x, _, %s) {mode = "linear"}: f32[2,6,3]
  output %y
}
)",
                      {x});
  checkClose(y, {0.0, 0.5, 1.0, 0.5, 1.0, 1.5, 1.5, 2.0, 2.5, 2.5, 3.0, 3.5,
                 3.5, 4.0, 4.5, 4.0, 4.5, 5.0, 6.0, 6.5, 7.0, 6.5, 7.0, 7.5,
                 7.5, 8.0, 8.5, 8.5, 9.0, 9.5, 9.5, 10.0, 10.5, 10.0, 10.5, 11.0},
             1e-5);
}

TEST_CASE("Resize: linear on int16 rounds half away from zero") {
  // align_corners, 2 -> 4: [-3, -0.667, 1.667, 4] rounds to [-3, -1, 2, 4].
  auto y = evalAs<int16_t>(R"(graph @g {
  input %x: i16[1,1,2]
  const %s: i64[3] = [1, 1, 4]
  %y = Resize "r"(%x, _, _, %s) {coordinate_transformation_mode = "align_corners", mode = "linear"}: i16[1,1,4]
  output %y
}
)",
                           {{-3, 4}});
  CHECK(y == std::vector<int16_t>{-3, -1, 2, 4});
}

TEST_CASE("Resize: cubic with A = -0.5 and exclude_outside on a rank-1 double tensor") {
  // ONNX's reference on [1, 4, 2, 8] resized to 6.
  auto y = evalAs<double>(R"(graph @g {
  input %x: f64[4]
  const %s: i64[1] = [6]
  %y = Resize "r"(%x, _, _, %s) {cubic_coeff_a = -0.5, exclude_outside = 1, mode = "cubic"}: f64[6]
  output %y
}
)",
                          {{1, 4, 2, 8}});
  checkClose(y, {0.8026315789473689, 2.5294117647058822, 3.8634259259259274, 1.9282407407407391,
                 5.0588235294117645, 8.394736842105265},
             1e-12);
}

TEST_CASE("Resize: tf_crop_and_resize in nearest mode extrapolates") {
  // ONNX's reference: roi [0.4, 0.6] - [1.2, 1.7] of a 4x4 1..16, 3x3 output.
  F x(16);
  for (int i = 0; i < 16; ++i)
    x[i] = float(i + 1);
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,1,4,4]
  const %roi: f32[8] = [0, 0, 0.4, 0.6, 1, 1, 1.2, 1.7]
  const %s: i64[4] = [1, 1, 3, 3]
  %y = Resize "r"(%x, %roi, _, %s) {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = -1.0}: f32[1,1,3,3]
  output %y
}
)",
                      {x});
  CHECK(y == F{7, -1, -1, 11, -1, -1, -1, -1, -1});
}

TEST_CASE("Resize: nearest on uint8 and bool") {
  // ceil, half_pixel, 10 -> 4 (ONNX's reference): 1, 4, 6, 9.
  std::vector<uint8_t> x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(evalAs<uint8_t>(R"(graph @g {
  input %x: u8[1,10]
  const %s: i64[2] = [1, 4]
  %y = Resize "r"(%x, _, _, %s) {nearest_mode = "ceil"}: u8[1,4]
  output %y
}
)",
                        {x}) == std::vector<uint8_t>{1, 4, 6, 9});
  // round_prefer_floor, asymmetric, scale 1.5 on [t, f]: sources 0, 0.67, 1.33.
  CHECK(evalAs<uint8_t>(R"(graph @g {
  input %x: bool[2]
  const %s: f32[1] = [1.5]
  %y = Resize "r"(%x, _, %s) {coordinate_transformation_mode = "asymmetric"}: bool[3]
  output %y
}
)",
                        {{1, 0}}) == std::vector<uint8_t>{1, 0, 0});
}

TEST_CASE("Upsample (opset 10): asymmetric nearest (floor) and linear") {
  F x = {1, 2, 3, 4};
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[1,1,2,2]
  const %s: f32[4] = [1, 1, 2, 1.5]
  %y = Upsample "u"(%x, %s): f32[1,1,4,3]
  output %y
}
)",
                      {x}) == F{1, 1, 2, 1, 1, 2, 3, 3, 4, 3, 3, 4});
  // linear along w: sources 0, 0.5, 1, 1.5 (clamped to the edge).
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[1,1,2,2]
  const %s: f32[4] = [1, 1, 1, 2]
  %y = Upsample "u"(%x, %s) {mode = "linear"}: f32[1,1,2,4]
  output %y
}
)",
                      {x}) == F{1, 1.5f, 2, 2, 3, 3.5f, 4, 4});
}

//===----------------------------------------------------------------------===//
// NonMaxSuppression
//===----------------------------------------------------------------------===//

namespace {
const char *nmsGraph(const char *maxOut, const char *type) {
  static std::string text;
  text = std::string(R"(graph @g {
  const %boxes: f32[1,3,4] = [0, 0, 1, 1, 0, 0.1, 1, 1.1, 0, 2, 1, 3]
  const %scores: f32[1,2,3] = [0.9, 0.8, 0.7, 0.1, 0.95, 0.3]
  const %max: i64[1] = [)") +
         maxOut + R"(]
  const %iou: f32[1] = [0.5]
  const %thr: f32[1] = [0.2]
  %y = NonMaxSuppression "nms"(%boxes, %scores, %max, %iou, %thr): )" +
         type + R"(
  output %y
}
)";
  return text.c_str();
}
} // namespace

TEST_CASE("NonMaxSuppression: selection at compile time, per class, by score and IoU") {
  // Boxes 0 and 1 overlap with IoU 0.9 / 1.1; box 2 is apart. Class 0 keeps
  // 0 (0.9), drops 1, keeps 2. Class 1 keeps 1 (0.95) and 2 (0.3); box 0
  // (0.1) is under the score threshold.
  auto g = parse(nmsGraph("3", "i64[4,3]"));
  REQUIRE(g);
  Value *y = g->outputs()[0];
  CHECK(y->typeString() == "i64[4,3]");
  auto out = evaluateGraph(*g, {});
  REQUIRE(out);
  CHECK(as<int64_t>((*out)[0]) == Ints{0, 0, 0, 0, 0, 2, 0, 1, 1, 0, 1, 2});
  // At most one box per class.
  auto g1 = parse(nmsGraph("1", "i64[2,3]"));
  REQUIRE(g1);
  auto out1 = evaluateGraph(*g1, {});
  REQUIRE(out1);
  CHECK(as<int64_t>((*out1)[0]) == Ints{0, 0, 0, 0, 1, 1});
}

TEST_CASE("NonMaxSuppression: inputs computed at run time name --const") {
  OneNode b;
  CHECK(b.infer(OpKind::NonMaxSuppression, {b.in("boxes", {1, 3, 4}), b.in("scores", {1, 2, 3})}) ==
        "node 'n' (NonMaxSuppression): the number of selected boxes decides the output shape, "
        "so every input must be known at compile time, but input 0 (boxes, 'boxes'), input 1 "
        "(scores, 'scores') is computed from runtime data; bind the graph inputs it depends on "
        "with --const NAME=FILE");
  OneNode c;
  CHECK(c.infer(OpKind::NonMaxSuppression,
                {c.floats(F(12, 0.0f), {1, 3, 4}), c.floats(F(6, 0.0f), {1, 2, 3}), c.ints({2}),
                 c.floats({1.5f})}) ==
        "node 'n' (NonMaxSuppression): iou_threshold 1.5 must be in [0, 1]");
  // Without max_output_boxes_per_class nothing is selected.
  OneNode d;
  CHECK(d.infer(OpKind::NonMaxSuppression,
                {d.floats(F(12, 0.0f), {1, 3, 4}), d.floats(F(6, 1.0f), {1, 2, 3})}) ==
        "i64[0,3]");
}
