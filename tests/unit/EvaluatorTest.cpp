//===- EvaluatorTest.cpp - evaluateGraph on small hand-computed graphs ----===//
//
// The evaluator runs the runtime-min kernels with the parameters lowering
// computes, so these cases check lowering and kernels together. Expected
// values are worked out by hand in the comments. Exact results are compared
// exactly; results of exp/log within 1e-6.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "passes/Evaluator.h"
#include <cmath>
#include <cstring>
#include <limits>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

using F = std::vector<float>;

} // namespace

TEST_CASE("Conv with asymmetric padding and two groups") {
  // Group 0: x0 (1..9 in a 3x3 grid) with the 2x2 kernel [1, 0, 0, 1], so each
  // output is x[i-1][j-1] + x[i][j] (padding is 1 at the top and left only),
  // plus bias 0.5. Group 1: ones with an all-ones kernel counts the taps that
  // fall inside the input, minus 1.
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,2,3,3]
  const %w: f32[2,1,2,2] = [1, 0, 0, 1, 1, 1, 1, 1]
  const %b: f32[2] = [0.5, -1]
  %y = Conv "conv"(%x, %w, %b) {group = 2, pads = [1, 1, 0, 0]}: f32[1,2,3,3]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1}});
  CHECK(y == F{1.5f, 2.5f, 3.5f, 4.5f, 6.5f, 8.5f, 7.5f, 12.5f, 14.5f, //
               0, 1, 1, 1, 3, 3, 1, 3, 3});
}

TEST_CASE("Conv with stride, dilation and a fused Relu") {
  // 1-d: x = 0..6, kernel [1, -1] dilated by 2 gives x[i] - x[i+2] = -2 for
  // every window; stride 2 keeps windows 0, 2, 4; the Relu turns them to 0,
  // and the bias 3 lifts them to 1 first.
  F y = evalAs<float>(R"(graph @g {
  input %x: f32[1,1,7]
  const %w: f32[1,1,2] = [1, -1]
  const %b: f32[1] = [3]
  %y = Conv "conv"(%x, %w, %b) {dilations = [2], fused_activation = "Relu", strides = [2]}: f32[1,1,3]
  output %y
}
)",
                      {{0, 1, 2, 3, 4, 5, 6}});
  CHECK(y == F{1, 1, 1});
}

TEST_CASE("Gemm with alpha, beta and both transposes") {
  // A = [[1,2,3],[4,5,6]] stored transposed; B = [[1,0],[0,1],[1,1]] stored
  // transposed. A*B = [[4,5],[10,11]]; * 0.5 = [[2,2.5],[5,5.5]];
  // C = [[1],[2]] broadcast along N, * 2 = [[2,2],[4,4]].
  F y = evalAs<float>(R"(graph @g {
  input %at: f32[3,2]
  const %bt: f32[2,3] = [1, 0, 1, 0, 1, 1]
  const %c: f32[2,1] = [1, 2]
  %y = Gemm "fc"(%at, %bt, %c) {alpha = 0.5, beta = 2.0, transA = 1, transB = 1}: f32[2,2]
  output %y
}
)",
                      {{1, 4, 2, 5, 3, 6}});
  CHECK(y == F{4, 4.5f, 9, 9.5f});
}

TEST_CASE("Gemm with a row-vector C and no transposes") {
  F y = evalAs<float>(R"(graph @g {
  input %a: f32[2,2]
  const %b: f32[2,3] = [1, 2, 3, 4, 5, 6]
  const %c: f32[3] = [100, 200, 300]
  %y = Gemm "fc"(%a, %b, %c): f32[2,3]
  output %y
}
)",
                      {{1, 0, 0, -1}});
  CHECK(y == F{101, 202, 303, 96, 195, 294});
}

TEST_CASE("MatMul with batch broadcasting and 1-d operands") {
  // [2,2,2] x [2,1]: each batch times [1, 2]^T
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[2,2,2]
  const %b: f32[2,1] = [1, 2]
  %y = MatMul "mm"(%a, %b): f32[2,2,1]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6, 7, 8}}) == F{5, 11, 17, 23});
  // [2,1,1,2] x [3,2,1]: a0 = [1,2], a1 = [3,4] against b = [1,0], [0,1], [1,1]
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[2,1,1,2]
  input %b: f32[3,2,1]
  %y = MatMul "mm"(%a, %b): f32[2,3,1,1]
  output %y
}
)",
                      {{1, 2, 3, 4}, {1, 0, 0, 1, 1, 1}}) == F{1, 2, 3, 3, 4, 7});
  // vector x matrix, and a dot product
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[2]
  const %b: f32[2,3] = [1, 2, 3, 4, 5, 6]
  %y = MatMul "mm"(%a, %b): f32[3]
  output %y
}
)",
                      {{1, -1}}) == F{-3, -3, -3});
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[3]
  const %b: f32[3] = [1, 2, 3]
  %y = MatMul "mm"(%a, %b): f32[]
  output %y
}
)",
                      {{4, 5, 6}}) == F{32});
}

TEST_CASE("MaxPool with the indices output") {
  // Channel 0:            Channel 1 is channel 0 negated.
  //   1 5 | 2 0
  //   3 4 | 8 7           Maxima 5 (at 1), 8 (6), 9 (8), 10 (15); in channel 1
  //   ----+----           -1 (0), 0 (3), -2 (12: the first of two in window
  //   9 6 | 1 1           order), -1 (10), offset by the plane size 16.
  //   2 2 | 3 10
  F x0 = {1, 5, 2, 0, 3, 4, 8, 7, 9, 6, 1, 1, 2, 2, 3, 10};
  F x = x0;
  for (float v : x0)
    x.push_back(-v);
  auto out = eval(R"(graph @g {
  input %x: f32[1,2,4,4]
  %v, %i = MaxPool "pool"(%x) {kernel_shape = [2, 2], strides = [2, 2]}: f32[1,2,2,2], i64[1,2,2,2]
  output %v
  output %i
}
)",
                  {bytesOf(x)});
  REQUIRE(out.size() == 2);
  CHECK(as<float>(out[0]) == F{5, 8, 9, 10, -1, 0, -2, -1});
  CHECK(as<int64_t>(out[1]) == std::vector<int64_t>{1, 6, 8, 15, 16, 19, 28, 26});
}

TEST_CASE("AveragePool with count_include_pad off and on") {
  // 3x3 input 1..9, 3x3 windows, padding 1, stride 2: four windows whose
  // in-input parts are {1,2,4,5}, {2,3,5,6}, {4,5,7,8}, {5,6,8,9}.
  const char *excl = R"(graph @g {
  input %x: f32[1,1,3,3]
  %y = AveragePool "pool"(%x) {kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]}: f32[1,1,2,2]
  output %y
}
)";
  const char *incl = R"(graph @g {
  input %x: f32[1,1,3,3]
  %y = AveragePool "pool"(%x) {count_include_pad = 1, kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]}: f32[1,1,2,2]
  output %y
}
)";
  F x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  CHECK(evalAs<float>(excl, {x}) == F{3, 4, 6, 7});
  CHECK(evalAs<float>(incl, {x}) == F{12.0f / 9, 16.0f / 9, 24.0f / 9, 28.0f / 9});
}

TEST_CASE("Softmax and LogSoftmax on an inner axis") {
  // x[n][j][k], softmax over j: the pairs (x[n][0][k], x[n][1][k]) are
  // (0, 1), (1, 1), (5, 5), (0, 2).
  const char *softmax = R"(graph @g {
  input %x: f32[2,2,2]
  %y = Softmax "sm"(%x) {axis = 1}: f32[2,2,2]
  output %y
}
)";
  const char *logSoftmax = R"(graph @g {
  input %x: f32[2,2,2]
  %y = LogSoftmax "lsm"(%x) {axis = -2}: f32[2,2,2]
  output %y
}
)";
  F x = {0, 1, 1, 1, 5, 0, 5, 2};
  // 1 / (1 + e) = 0.26894142, 1 / (1 + e^2) = 0.11920292
  checkClose(evalAs<float>(softmax, {x}),
             F{0.26894142f, 0.5f, 0.73105858f, 0.5f, 0.5f, 0.11920292f, 0.5f, 0.88079708f}, 1e-6);
  checkClose(evalAs<float>(logSoftmax, {x}),
             F{-1.31326169f, -0.69314718f, -0.31326169f, -0.69314718f, -0.69314718f, -2.12692801f,
              -0.69314718f, -0.12692801f},
             1e-6);
}

TEST_CASE("Add with broadcasting") {
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[2,3]
  input %b: f32[3]
  %y = Add "add"(%a, %b): f32[2,3]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6}, {10, 20, 30}}) == F{11, 22, 33, 14, 25, 36});
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[2,1]
  input %b: f32[1,3]
  %y = Add "add"(%a, %b): f32[2,3]
  output %y
}
)",
                      {{1, 2}, {10, 20, 30}}) == F{11, 21, 31, 12, 22, 32});
  // a scalar on the left, and the output larger than both operands
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[]
  input %b: f32[2,1,2]
  %y = Sub "sub"(%a, %b): f32[2,1,2]
  output %y
}
)",
                      {{10}, {1, 2, 3, 4}}) == F{9, 8, 7, 6});
}

TEST_CASE("Div on int32 truncates toward zero and gives 0 for a zero divisor") {
  const int32_t kMin = std::numeric_limits<int32_t>::min();
  auto out = eval(R"(graph @g {
  input %a: i32[7]
  input %b: i32[7]
  %y = Div "div"(%a, %b): i32[7]
  output %y
}
)",
                  {bytesOf(std::vector<int32_t>{7, -7, 7, -7, 5, 0, kMin}),
                   bytesOf(std::vector<int32_t>{2, 2, -2, -2, 0, 0, -1})});
  REQUIRE(out.size() == 1);
  CHECK(as<int32_t>(out[0]) == std::vector<int32_t>{3, -3, -3, 3, 0, 0, kMin});
}

TEST_CASE("Transpose") {
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3]
  %y = Transpose "t"(%x): f32[3,2]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6}}) == F{1, 4, 2, 5, 3, 6});
  // y[a][b][c] = x[b][c][a], x holding its own flat index
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3,2]
  %y = Transpose "t"(%x) {perm = [2, 0, 1]}: f32[2,2,3]
  output %y
}
)",
                      {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}}) ==
        F{0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11});
}

TEST_CASE("Slice with negative steps") {
  // x = [[0..4], [5..9]]; columns 4, 2, 0
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,5]
  const %starts: i64[1] = [-1]
  const %ends: i64[1] = [-6]
  const %axes: i64[1] = [1]
  const %steps: i64[1] = [-2]
  %y = Slice "s"(%x, %starts, %ends, %axes, %steps): f32[2,3]
  output %y
}
)",
                      {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}) == F{4, 2, 0, 9, 7, 5});
  // rows 1, 0 and columns 3, 1
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,5]
  const %starts: i64[2] = [1, 3]
  const %ends: i64[2] = [-10, 0]
  const %axes: i64[2] = [0, 1]
  const %steps: i64[2] = [-1, -2]
  %y = Slice "s"(%x, %starts, %ends, %axes, %steps): f32[2,2]
  output %y
}
)",
                      {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}) == F{8, 6, 3, 1});
}

TEST_CASE("Concat on axis 1") {
  CHECK(evalAs<float>(R"(graph @g {
  input %a: f32[2,1]
  input %b: f32[2,2]
  %y = Concat "cat"(%a, %b) {axis = 1}: f32[2,3]
  output %y
}
)",
                      {{1, 2}, {3, 4, 5, 6}}) == F{1, 3, 4, 2, 5, 6});
}

TEST_CASE("Pad: constant, reflect and edge") {
  auto pad1d = [](const char *mode, bool withValue) {
    std::string text = std::string(R"(graph @g {
  input %x: f32[3]
  const %pads: i64[2] = [2, 1]
)") + (withValue ? "  const %v: f32[] = [9]\n" : "") +
                       "  %y = Pad \"pad\"(%x, %pads" + (withValue ? ", %v" : "") +
                       ") {mode = \"" + mode + "\"}: f32[6]\n  output %y\n}\n";
    return evalAs<float>(text, {{1, 2, 3}});
  };
  CHECK(pad1d("constant", false) == F{0, 0, 1, 2, 3, 0});
  CHECK(pad1d("constant", true) == F{9, 9, 1, 2, 3, 9});
  CHECK(pad1d("reflect", false) == F{3, 2, 1, 2, 3, 2});
  CHECK(pad1d("edge", false) == F{1, 1, 1, 2, 3, 3});
  // 2-d reflect: rows -1 and 2 mirror rows 1 and 0, columns likewise
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3]
  const %pads: i64[4] = [1, 1, 1, 1]
  %y = Pad "pad"(%x, %pads) {mode = "reflect"}: f32[4,5]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6}}) ==
        F{5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2});
}

TEST_CASE("Gather with negative indices") {
  auto out = eval(R"(graph @g {
  input %data: f32[3,2]
  input %idx: i64[2]
  %y = Gather "g"(%data, %idx): f32[2,2]
  output %y
}
)",
                  {bytesOf(F{1, 2, 3, 4, 5, 6}), bytesOf(std::vector<int64_t>{-1, 0})});
  REQUIRE(out.size() == 1);
  CHECK(as<float>(out[0]) == F{5, 6, 1, 2});
  CHECK(evalAs<float>(R"(graph @g {
  input %data: f32[3,2]
  const %idx: i32[1] = [-1]
  %y = Gather "g"(%data, %idx) {axis = 1}: f32[3,1]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6}}) == F{2, 4, 6});
}

TEST_CASE("Cast from float to int32 and to bool") {
  auto toInt = eval(R"(graph @g {
  input %x: f32[5]
  %y = Cast "c"(%x) {to = 6}: i32[5]
  output %y
}
)",
                    {bytesOf(F{2.7f, -2.7f, 0.5f, -0.0f, 100})});
  REQUIRE(toInt.size() == 1);
  CHECK(as<int32_t>(toInt[0]) == std::vector<int32_t>{2, -2, 0, 0, 100});
  // Nonzero (and NaN) is true; bools are stored as bytes 0 and 1
  auto toBool = eval(R"(graph @g {
  input %x: f32[5]
  %y = Cast "c"(%x) {to = 9}: bool[5]
  output %y
}
)",
                     {bytesOf(F{0.0f, -0.0f, 0.5f, std::numeric_limits<float>::quiet_NaN(), -3})});
  REQUIRE(toBool.size() == 1);
  CHECK(as<uint8_t>(toBool[0]) == std::vector<uint8_t>{0, 0, 1, 1, 1});
}

TEST_CASE("Reshape and Flatten are views: the bytes pass through") {
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3]
  const %s: i64[2] = [3, -1]
  %r = Reshape "r"(%x, %s): f32[3,2]
  %f = Flatten "f"(%r) {axis = 0}: f32[1,6]
  output %f
}
)",
                      {{1, 2, 3, 4, 5, 6}}) == F{1, 2, 3, 4, 5, 6});
}

TEST_CASE("Softmax and LogSoftmax are stable for large inputs") {
  // exp(1000) overflows a float: the kernels must subtract the maximum first
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[1,3]
  %y = Softmax "sm"(%x): f32[1,3]
  output %y
}
)",
                      {{1000, 1000, -1000}}) == F{0.5f, 0.5f, 0});
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2]
  %y = LogSoftmax "lsm"(%x): f32[2]
  output %y
}
)",
                      {{1000, 0}}) == F{0, -1000});
}

TEST_CASE("Pad with negative pads crops") {
  // [[1,2,3],[4,5,6]]: drop the first column, add a zero row at the end
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3]
  const %pads: i64[4] = [0, -1, 1, 0]
  %y = Pad "pad"(%x, %pads): f32[3,2]
  output %y
}
)",
                      {{1, 2, 3, 4, 5, 6}}) == F{2, 3, 5, 6, 0, 0});
}
