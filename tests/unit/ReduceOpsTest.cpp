//===- ReduceOpsTest.cpp - reductions and normalisations ------------------===//
//
// Shape inference and located errors of the reduction family (Reduce*,
// ArgMax/ArgMin, CumSum, TopK, Det) and the normalisations (Instance-, Layer-,
// Lp-, MeanVariance-Normalization, LRN, the softmax family); then the kernels,
// through evaluateGraph, on what ONNX's conformance data does not cover:
// integer types, axes that are not adjacent, empty reductions, ties, NaN,
// pivoting, broadcast scales and double precision. Expected values are worked
// out by hand in the comments; exact results are compared exactly, results of
// sqrt/exp/log/pow within the stated tolerance.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "ir/ShapeInference.h"
#include "passes/Evaluator.h"
#include "tmc_reduce.h"
#include <cmath>
#include <cstring>
#include <limits>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

std::string reduce(OpKind kind, Ints x, const Attrs &attrs = {}, DType t = DType::F32) {
  OneNode b;
  return b.infer(kind, {b.in(x, t)}, attrs);
}

using F = std::vector<float>;
using D = std::vector<double>;
using I32 = std::vector<int32_t>;
using I64 = std::vector<int64_t>;

} // namespace

//===----------------------------------------------------------------------===//
// Shape inference and errors
//===----------------------------------------------------------------------===//

TEST_CASE("Reduce: axes attribute, keepdims and empty axes") {
  CHECK(reduce(OpKind::ReduceMean, {2, 3, 4}, {{"axes", Ints{1}}}) == "f32[2,1,4]");
  CHECK(reduce(OpKind::ReduceMean, {2, 3, 4},
               {{"axes", Ints{-1, 0}}, {"keepdims", int64_t(0)}}) == "f32[3]");
  // No axes: every axis
  CHECK(reduce(OpKind::ReduceMax, {2, 3, 4}) == "f32[1,1,1]");
  CHECK(reduce(OpKind::ReduceL2, {2, 3, 4}, {{"keepdims", int64_t(0)}}) == "f32[]");
  CHECK(reduce(OpKind::ReduceProd, {5}, {}, DType::I64) == "i64[1]");
  CHECK(reduce(OpKind::ReduceMin, {2, 3}, {{"axes", Ints{3}}}) ==
        "node 'n' (ReduceMin): axis 3 is out of range for rank 2");
  CHECK(reduce(OpKind::ReduceMin, {2, 3}, {{"axes", Ints{1, -1}}}) ==
        "node 'n' (ReduceMin): axis -1 appears twice in axes");
  CHECK(reduce(OpKind::ReduceSum, {2}, {}, DType::Bool) ==
        "node 'n' (ReduceSum): element type bool of input 0 ('x0') is not supported by "
        "ReduceSum");
  CHECK(reduce(OpKind::ReduceSum, {2}, {{"alpha", 1.0f}}) ==
        "node 'n' (ReduceSum): attribute 'alpha' is not supported");
}

TEST_CASE("ReduceSum: axes as an input, noop_with_empty_axes") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::ReduceSum, {b.in({2, 3, 4}), b.ints({0, 2})}) == "f32[1,3,1]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ReduceSum, {b.in({2, 3, 4}), b.ints({})},
                  {{"noop_with_empty_axes", int64_t(1)}, {"keepdims", int64_t(0)}}) ==
          "f32[2,3,4]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ReduceSum, {b.in({2, 3, 4}), b.ints({})},
                  {{"keepdims", int64_t(0)}}) == "f32[]");
  }
  {
    OneNode b;
    Value *x = b.in({2, 3});
    Value *axes = b.in({1}, DType::I64);
    CHECK(b.infer(OpKind::ReduceSum, {x, axes}) ==
          "node 'n' (ReduceSum): input 1 (axes, 'x1') must be known at compile time, but it is "
          "computed from runtime data; bind the graph input it depends on with --const "
          "NAME=FILE");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::ReduceSum, {b.in({2, 3}), b.ints({1})}, {{"axes", Ints{1}}}) ==
          "node 'n' (ReduceSum): axes is given both as an attribute and as input 1");
  }
}

TEST_CASE("ArgMax, ArgMin: int64 output, keepdims") {
  CHECK(reduce(OpKind::ArgMax, {2, 3, 4}, {{"axis", int64_t(1)}}) == "i64[2,1,4]");
  CHECK(reduce(OpKind::ArgMin, {2, 3, 4}, {{"axis", int64_t(-1)}, {"keepdims", int64_t(0)}}) ==
        "i64[2,3]");
  CHECK(reduce(OpKind::ArgMax, {2, 3}, {}, DType::U8) == "i64[1,3]");
  CHECK(reduce(OpKind::ArgMax, {2, 0}, {{"axis", int64_t(1)}}) ==
        "node 'n' (ArgMax): axis 1 is empty; ArgMax needs at least one element");
}

TEST_CASE("CumSum and TopK: constant axis and K") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::CumSum, {b.in({2, 3}, DType::I32), b.ints({-1}, DType::I32)}) ==
          "i32[2,3]");
  }
  {
    OneNode b;
    Value *x = b.in({2, 3});
    CHECK(b.infer(OpKind::CumSum, {x, b.in({}, DType::I64)}) ==
          "node 'n' (CumSum): input 1 (axis, 'x1') must be known at compile time, but it is "
          "computed from runtime data; bind the graph input it depends on with --const "
          "NAME=FILE");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::CumSum, {b.in({2, 3}), b.ints({2})}) ==
          "node 'n' (CumSum): axis 2 is out of range for rank 2");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::TopK, {b.in({3, 5}), b.ints({2})}, {}, 2) == "f32[3,2], i64[3,2]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::TopK, {b.in({3, 5}, DType::I16), b.ints({3})}, {{"axis", int64_t(0)}},
                  2) == "i16[3,5], i64[3,5]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::TopK, {b.in({3, 5}), b.ints({6})}, {}, 2) ==
          "node 'n' (TopK): K 6 is out of range for axis 1 of size 5");
  }
  {
    OneNode b;
    Value *x = b.in({3, 5});
    CHECK(
        b.infer(OpKind::TopK, {x, b.in({1}, DType::I64)}, {}, 2) ==
        "node 'n' (TopK): input 1 (K, 'x1') must be known at compile time, but it is computed "
        "from runtime data; bind the graph input it depends on with --const NAME=FILE");
  }
}

TEST_CASE("Det: batches of square matrices") {
  CHECK(reduce(OpKind::Det, {3, 3}) == "f32[]");
  CHECK(reduce(OpKind::Det, {2, 4, 5, 5}, {}, DType::F64) == "f64[2,4]");
  CHECK(reduce(OpKind::Det, {2, 3}) ==
        "node 'n' (Det): input 'x0' has shape [2,3]; expected [..., M, M] (square matrices)");
  CHECK(reduce(OpKind::Det, {2, 2}, {}, DType::I32) ==
        "node 'n' (Det): element type i32 of input 0 ('x0') is not supported by Det");
}

TEST_CASE("LayerNormalization: outputs, stash_type and broadcast scales") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::LayerNormalization, {b.in({2, 3, 4}), b.in({3, 4}), b.in({4})},
                  {{"axis", int64_t(1)}}, 3) == "f32[2,3,4], f32[2,1,1], f32[2,1,1]");
  }
  {
    // Mean and InvStdDev have the stash type, float by default.
    OneNode b;
    CHECK(b.infer(OpKind::LayerNormalization, {b.in({2, 3}, DType::F64), b.in({3}, DType::F64)},
                  {}, 3) == "f64[2,3], f32[2,1], f32[2,1]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::LayerNormalization, {b.in({2, 3}, DType::F64), b.in({3}, DType::F64)},
                  {{"stash_type", int64_t(11)}}, 3) == "f64[2,3], f64[2,1], f64[2,1]");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::LayerNormalization, {b.in({2, 3}), b.in({3})},
                  {{"stash_type", int64_t(10)}}) ==
          "node 'n' (LayerNormalization): stash_type 10 is not supported; use 1 (float) or 11 "
          "(double)");
  }
  {
    OneNode b;
    CHECK(b.infer(OpKind::LayerNormalization, {b.in({2, 3, 4}), b.in({3, 1})}) ==
          "node 'n' (LayerNormalization): input 1 (Scale, 'x1') has shape [3,1], which does "
          "not broadcast to the normalized shape [4]");
  }
}

TEST_CASE("Normalisations: shapes and attribute errors") {
  {
    OneNode b;
    CHECK(b.infer(OpKind::InstanceNormalization, {b.in({1, 3, 4, 4}), b.in({3}), b.in({3})}) ==
          "f32[1,3,4,4]");
  }
  {
    OneNode b;
    CHECK(
        b.infer(OpKind::InstanceNormalization, {b.in({1, 3, 4}), b.in({4}), b.in({3})}) ==
        "node 'n' (InstanceNormalization): input 1 (scale, 'x1') must have shape [3], not [4]");
  }
  CHECK(reduce(OpKind::LpNormalization, {2, 3}, {{"p", int64_t(3)}}) ==
        "node 'n' (LpNormalization): p 3 is not supported; LpNormalization takes p 1 or 2");
  CHECK(reduce(OpKind::LRN, {1, 3, 2, 2}) == "node 'n' (LRN): attribute 'size' is required");
  CHECK(reduce(OpKind::LRN, {1, 3, 2, 2}, {{"size", int64_t(3)}}) == "f32[1,3,2,2]");
  CHECK(reduce(OpKind::LRN, {1, 3, 2, 2}, {{"size", int64_t(1) << 40}}) ==
        "node 'n' (LRN): size 1099511627776 is out of range; it must be 1 or more (at most the "
        "channel count is useful)");
  CHECK(reduce(OpKind::MeanVarianceNormalization, {1, 3, 2, 2}) == "f32[1,3,2,2]");
  CHECK(reduce(OpKind::MeanVarianceNormalization, {2, 3}, {{"axes", Ints{0, 2}}}) ==
        "node 'n' (MeanVarianceNormalization): axis 2 is out of range for rank 2");
  CHECK(reduce(OpKind::Hardmax, {2, 3}, {{"axis", int64_t(0)}}, DType::F64) == "f64[2,3]");
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

TEST_CASE("Reductions over non-adjacent axes") {
  // x[i][j][k] = 12 i + 4 j + k, shape [2,3,4]; axes 0 and 2 leave j.
  // sum = sum_i sum_k (12 i + 4 j + k) = 48 + 32 j + 12 = 60 + 32 j
  // max = 12 + 4 j + 3, min = 4 j, mean = sum / 8
  F x(24);
  for (int i = 0; i < 24; ++i)
    x[i] = static_cast<float>(i);
  auto run = [&](const char *op) {
    return evalAs<float>(std::string(R"(graph @g {
  input %x: f32[2,3,4]
  %y = )") + op + R"( "r"(%x) {axes = [0, -1], keepdims = 0}: f32[3]
  output %y
}
)",
                         {x});
  };
  CHECK(run("ReduceSum") == F{60, 92, 124});
  CHECK(run("ReduceMax") == F{15, 19, 23});
  CHECK(run("ReduceMin") == F{0, 4, 8});
  CHECK(run("ReduceMean") == F{7.5f, 11.5f, 15.5f});
  // Sum of squares for j = 0: k^2 over 0..3 is 14, (12 + k)^2 is 144*4 + 24*6 + 14 = 734
  // Sums of squares: j = 0: 0+1+4+9 + 144+169+196+225 = 748; j = 1: 126 + 1230 = 1356;
  // j = 2: 366 + 1854 = 2220
  CHECK(run("ReduceSumSquare") == F{748, 1356, 2220});
  checkClose(run("ReduceL2"), F{27.349589f, 36.823906f, 47.116875f}, 1e-4);
  checkClose(run("ReduceL1"), run("ReduceSum"), 0);
  checkClose(run("ReduceLogSum"), F{4.0943446f, 4.5217886f, 4.8202816f}, 1e-5);
}

TEST_CASE("Integer reductions: wrapping sums, truncating means, saturated real results") {
  const char *text = R"(graph @g {
  input %x: i32[2,3]
  %y = %OP "r"(%x) {axes = [1], keepdims = 0}: i32[2]
  output %y
}
)";
  I32 x = {-7, 2, 3, std::numeric_limits<int32_t>::max(), 1, 0};
  auto run = [&](const std::string &op) {
    std::string t = text;
    t.replace(t.find("%OP"), 3, op);
    return evalAs<int32_t>(t, {x});
  };
  CHECK(run("ReduceSum") == I32{-2, std::numeric_limits<int32_t>::min()}); // wraps
  CHECK(run("ReduceMean") == I32{0, 715827882}); // -2 / 3 -> 0; 2^31 / 3 in 64 bits
  CHECK(run("ReduceMax") == I32{3, std::numeric_limits<int32_t>::max()});
  CHECK(run("ReduceMin") == I32{-7, 0});
  CHECK(run("ReduceProd") == I32{-42, 0});
  CHECK(run("ReduceL1")[0] == 12);
  CHECK(run("ReduceL2")[0] == 7);     // sqrt(62) = 7.87
  CHECK(run("ReduceLogSum")[0] == 0); // log(-2) is NaN, stored as 0
  // 3 + log(1 + e^-1 + e^-10) = 3.31; 2^31 - 1 + log(1 + ...) saturates
  CHECK(run("ReduceLogSumExp") == I32{3, std::numeric_limits<int32_t>::max()});

  CHECK(evalAs<uint8_t>(R"(graph @g {
  input %x: u8[3]
  %y = ReduceMax "r"(%x): u8[1]
  output %y
}
)",
                        {std::vector<uint8_t>{200, 3, 255}}) == std::vector<uint8_t>{255});
  CHECK(evalAs<int64_t>(R"(graph @g {
  input %x: i64[3]
  %y = ReduceProd "r"(%x) {keepdims = 0}: i64[]
  output %y
}
)",
                        {I64{3, -5, 1000000007}}) == I64{-15000000105});
}

TEST_CASE("Reductions of empty sets and of large values") {
  // [2, 0] reduced over axis 1 (the kernel directly: the evaluator binds no
  // buffer to an empty input): two outputs of zero inputs each.
  tmc::ReduceParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = 2;
  p.reduced = 0;
  p.out_rank = 1;
  p.out_dims[0] = 2;
  p.red_rank = 1;
  p.red_strides[0] = 1;
  const float none[1] = {0};
  float y[2];
  tmc::reduce<tmc::RedSum, float>(&p, none, y);
  CHECK(F(y, y + 2) == F{0, 0});
  tmc::reduce<tmc::RedProd, float>(&p, none, y);
  CHECK(F(y, y + 2) == F{1, 1});
  tmc::reduce<tmc::RedMax, float>(&p, none, y);
  CHECK(F(y, y + 2) == F{-HUGE_VALF, -HUGE_VALF});
  tmc::reduce<tmc::RedLogSumExp, float>(&p, none, y);
  CHECK(F(y, y + 2) == F{-HUGE_VALF, -HUGE_VALF});
  // log(e^1000 + e^1000) = 1000 + log 2, computed without overflow
  F lse = evalAs<float>(R"(graph @g {
  input %x: f32[2,2]
  %y = ReduceLogSumExp "r"(%x) {axes = [1], keepdims = 0}: f32[2]
  output %y
}
)",
                        {F{1000, 1000, -HUGE_VALF, -HUGE_VALF}});
  REQUIRE(lse.size() == 2);
  CHECK(std::fabs(lse[0] - 1000.6931f) < 1e-3);
  CHECK(lse[1] == -HUGE_VALF);
}

TEST_CASE("ReduceSum with noop_with_empty_axes passes the input through") {
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,2]
  const %a: i64[0] = []
  %y = ReduceSum "r"(%x, %a) {noop_with_empty_axes = 1}: f32[2,2]
  output %y
}
)",
                      {F{1, 2, 3, 4}}) == F{1, 2, 3, 4});
}

TEST_CASE("ArgMax and ArgMin: ties, select_last_index and NaN") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  F x = {1, 3, 3, 0, nan, 5, nan, 7};
  auto run = [&](const char *op, int last) {
    return evalAs<int64_t, float>(std::string(R"(graph @g {
  input %x: f32[2,4]
  %y = )") + op + R"( "a"(%x) {axis = 1, keepdims = 0, select_last_index = )" +
                                      std::to_string(last) + R"(}: i64[2]
  output %y
}
)",
                                  {x});
  };
  CHECK(run("ArgMax", 0) == I64{1, 0});
  CHECK(run("ArgMax", 1) == I64{2, 2});
  CHECK(run("ArgMin", 0) == I64{3, 0});
  CHECK(run("ArgMin", 1) == I64{3, 2});
  CHECK(evalAs<int64_t, int8_t>(R"(graph @g {
  input %x: i8[2,2]
  %y = ArgMax "a"(%x) {select_last_index = 1}: i64[1,2]
  output %y
}
)",
                                {std::vector<int8_t>{1, -2, 1, -3}}) == I64{1, 0});
}

TEST_CASE("CumSum: exclusive, reverse, integer and inner axes") {
  CHECK(evalAs<int64_t>(R"(graph @g {
  input %x: i64[4]
  const %a: i32[1] = [0]
  %y = CumSum "c"(%x, %a) {exclusive = 1, reverse = 1}: i64[4]
  output %y
}
)",
                        {I64{1, 2, 3, 4}}) == I64{9, 7, 4, 0});
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,2]
  const %a: i64[] = [-2]
  %y = CumSum "c"(%x, %a): f32[2,2]
  output %y
}
)",
                      {F{1, 2, 3, 4}}) == F{1, 2, 4, 6});
}

TEST_CASE("TopK: ties keep the lower index first") {
  auto out = eval(R"(graph @g {
  input %x: f32[5]
  const %k: i64[1] = [2]
  %v, %i = TopK "t"(%x, %k): f32[2], i64[2]
  output %v
  output %i
}
)",
                  {bytesOf(F{3, 1, 3, 2, 3})});
  REQUIRE(out.size() == 2);
  CHECK(as<float>(out[0]) == F{3, 3});
  CHECK(as<int64_t>(out[1]) == I64{0, 2});
  out = eval(R"(graph @g {
  input %x: u16[5]
  const %k: i64[1] = [3]
  %v, %i = TopK "t"(%x, %k) {largest = 0}: u16[3], i64[3]
  output %v
  output %i
}
)",
             {bytesOf(std::vector<uint16_t>{3, 1, 3, 2, 3})});
  REQUIRE(out.size() == 2);
  CHECK(as<uint16_t>(out[0]) == std::vector<uint16_t>{1, 2, 3});
  CHECK(as<int64_t>(out[1]) == I64{1, 3, 0});
  // Along axis 0 of [[1, 5], [4, 2], [3, 3]]
  out = eval(R"(graph @g {
  input %x: f32[3,2]
  const %k: i64[1] = [2]
  %v, %i = TopK "t"(%x, %k) {axis = 0}: f32[2,2], i64[2,2]
  output %v
  output %i
}
)",
             {bytesOf(F{1, 5, 4, 2, 3, 3})});
  REQUIRE(out.size() == 2);
  CHECK(as<float>(out[0]) == F{4, 5, 3, 3});
  CHECK(as<int64_t>(out[1]) == I64{1, 0, 2, 2});
}

TEST_CASE("Det: pivoting, singular matrices, batches in double") {
  // det [[0, 2, 1], [1, 1, 1], [2, 0, 3]] = 0 - 2 * (3 - 2) + 1 * (0 - 2) = -4;
  // the first pivot is 0, so rows must be exchanged.
  checkClose(evalAs<float>(R"(graph @g {
  input %x: f32[2,3,3]
  %y = Det "d"(%x): f32[2]
  output %y
}
)",
                           {F{0, 2, 1, 1, 1, 1, 2, 0, 3, 1, 2, 3, 2, 4, 6, 0, 1, 5}}),
             F{-4, 0}, 1e-5);
  checkClose(evalAs<double>(R"(graph @g {
  input %x: f64[2,2,2]
  %y = Det "d"(%x): f64[2]
  output %y
}
)",
                            {D{1, 2, 3, 4, 2, 0, 0, 3}}),
             D{-2, 6}, 1e-12);
}

TEST_CASE("Hardmax: the first maximum on either axis") {
  F x = {1, 3, 3, 2, 1, 0};
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3]
  %y = Hardmax "h"(%x): f32[2,3]
  output %y
}
)",
                      {x}) == F{0, 1, 0, 1, 0, 0});
  CHECK(evalAs<float>(R"(graph @g {
  input %x: f32[2,3]
  %y = Hardmax "h"(%x) {axis = 0}: f32[2,3]
  output %y
}
)",
                      {x}) == F{0, 1, 1, 1, 0, 0});
}

TEST_CASE("Softmax in double along axis 0") {
  // Column 0: (0, ln 3) -> (1/4, 3/4); column 1: (0, 0) -> (1/2, 1/2)
  checkClose(evalAs<double>(R"(graph @g {
  input %x: f64[2,2]
  %y = Softmax "s"(%x) {axis = 0}: f64[2,2]
  output %y
}
)",
                            {D{0, 0, std::log(3.0), 0}}),
             D{0.25, 0.5, 0.75, 0.5}, 1e-12);
}

TEST_CASE("LayerNormalization: broadcast Scale, no B, Mean and InvStdDev") {
  // Rows [1, 2, 3, 4]: mean 2.5, var 1.25, inv 0.894427; [0, 0, 0, 8]: mean 2,
  // var 12, inv 0.288675. Scale [[1], [2]] doubles the second half of each row.
  auto out = eval(R"(graph @g {
  input %x: f32[2,2,2]
  const %s: f32[2,1] = [1, 2]
  %y, %m, %r = LayerNormalization "ln"(%x, %s) {axis = 1, epsilon = 0.0}: f32[2,2,2], f32[2,1,1], f32[2,1,1]
  output %y
  output %m
  output %r
}
)",
                  {bytesOf(F{1, 2, 3, 4, 0, 0, 0, 8})});
  REQUIRE(out.size() == 3);
  checkClose(as<float>(out[0]),
             F{-1.3416408f, -0.4472136f, 0.8944272f, 2.6832816f, -0.5773503f, -0.5773503f,
               -1.1547005f, 3.4641016f},
             1e-5);
  checkClose(as<float>(out[1]), F{2.5f, 2}, 1e-6);
  checkClose(as<float>(out[2]), F{0.8944272f, 0.2886751f}, 1e-6);
}

TEST_CASE("InstanceNormalization in double") {
  // Channel 0: [1, 3] -> mean 2, var 1 -> [-1, 1] * 2 + 0; channel 1: [0, 4] ->
  // mean 2, var 4 -> [-1, 1] * 1 + 10
  checkClose(evalAs<double>(R"(graph @g {
  input %x: f64[1,2,2]
  const %s: f64[2] = [2, 1]
  const %b: f64[2] = [0, 10]
  %y = InstanceNormalization "in"(%x, %s, %b) {epsilon = 0.0}: f64[1,2,2]
  output %y
}
)",
                            {D{1, 3, 0, 4}}),
             D{-2, 2, 9, 11}, 1e-12);
}

TEST_CASE("LpNormalization with p 1 and 2") {
  F x = {1, -3, 3, 1};
  checkClose(evalAs<float>(R"(graph @g {
  input %x: f32[2,2]
  %y = LpNormalization "lp"(%x) {axis = 0, p = 1}: f32[2,2]
  output %y
}
)",
                           {x}),
             F{0.25f, -0.75f, 0.75f, 0.25f}, 1e-6);
  checkClose(evalAs<float>(R"(graph @g {
  input %x: f32[2,2]
  %y = LpNormalization "lp"(%x): f32[2,2]
  output %y
}
)",
                           {x}),
             F{0.3162278f, -0.9486833f, 0.9486833f, 0.3162278f}, 1e-6);
}

TEST_CASE("LRN with an even size takes one more channel after than before") {
  // size 2: channels [c, c + 1]; y = x / (1 + 1 / 2 * sum x^2)
  checkClose(evalAs<float>(R"(graph @g {
  input %x: f32[1,3,1,1]
  %y = LRN "l"(%x) {alpha = 1.0, beta = 1.0, bias = 1.0, size = 2}: f32[1,3,1,1]
  output %y
}
)",
                           {F{1, 2, 3}}),
             F{1 / 3.5f, 2 / 7.5f, 3 / 5.5f}, 1e-6);
}

TEST_CASE("MeanVarianceNormalization over the last axis") {
  // [1, 3]: mean 2, std 1 -> [-1, 1]; [2, 2]: std 0 -> 0 / 1e-9 = 0
  checkClose(evalAs<float>(R"(graph @g {
  input %x: f32[2,2]
  %y = MeanVarianceNormalization "m"(%x) {axes = [1]}: f32[2,2]
  output %y
}
)",
                           {F{1, 3, 2, 2}}),
             F{-1, 1, 0, 0}, 1e-6);
}
