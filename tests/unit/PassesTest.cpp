//===- PassesTest.cpp - one pass on textual IR, the printed result checked ===//
//
// Each case: textual IR in, runPass(name), graphToString out compared whole.
// runPass verifies the graph after the pass (PassContext::verifyEach), so a
// pass that leaves broken IR fails here too. Folded numbers are also checked
// against hand-computed values, and the model's outputs before and after a
// fold are compared with evaluateGraph.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "passes/Evaluator.h"
#include "passes/Pass.h"
#include <cmath>
#include <cstring>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

/// Parses `in`, runs pass `name`, and returns the printed graph (or the error).
std::string runOn(llvm::StringRef name, llvm::StringRef in, PassContext *ctxOut = nullptr) {
  auto g = parse(in);
  if (!g)
    return "<parse error>";
  PassContext local;
  PassContext &ctx = ctxOut ? *ctxOut : local;
  if (auto e = runPass(name, *g, ctx))
    return errorToString(std::move(e));
  return graphToString(*g);
}

} // namespace

TEST_CASE("runPass rejects an unknown pass name") {
  auto g = parse("graph @g {\n  input %x: f32[1]\n  output %x\n}\n");
  REQUIRE(g);
  PassContext ctx;
  CHECK(errorOf(runPass("no-such-pass", *g, ctx)) == "no pass named 'no-such-pass'");
}

//===----------------------------------------------------------------------===//
// canonicalize
//===----------------------------------------------------------------------===//

TEST_CASE("canonicalize removes Identity, letting the producer write a graph output") {
  PassContext ctx;
  CHECK(runOn("canonicalize", R"(graph @g {
  input %x: f32[2,3]
  %a = Identity "id1"(%x): f32[2,3]
  %b = Relu "r"(%a): f32[2,3]
  %c = Identity "id2"(%b): f32[2,3]
  output %c
}
)",
              &ctx) == R"(graph @g {
  input %x: f32[2,3]
  %c = Relu "r"(%x): f32[2,3]
  output %c
}
)");
  CHECK(ctx.stats["canonicalize.identities-removed"] == 2);
}

TEST_CASE("canonicalize keeps an Identity that names a graph output it cannot take over") {
  // The input of the Identity is a graph input: nothing can write the output.
  CHECK(runOn("canonicalize", R"(graph @g {
  input %x: f32[2]
  %y = Identity "id"(%x): f32[2]
  output %y
}
)") == R"(graph @g {
  input %x: f32[2]
  %y = Identity "id"(%x): f32[2]
  output %y
}
)");
  // The Identity's input has another reader: the producer must keep writing it.
  CHECK(runOn("canonicalize", R"(graph @g {
  input %x: f32[2]
  %a = Relu "r"(%x): f32[2]
  %y = Identity "id"(%a): f32[2]
  %z = Neg "neg"(%a): f32[2]
  output %y
  output %z
}
)") == R"(graph @g {
  input %x: f32[2]
  %a = Relu "r"(%x): f32[2]
  %y = Identity "id"(%a): f32[2]
  %z = Neg "neg"(%a): f32[2]
  output %y
  output %z
}
)");
}

TEST_CASE("canonicalize turns Dropout into nothing and a used mask into a constant") {
  CHECK(runOn("canonicalize", R"(graph @g {
  input %x: f32[4]
  %y, %m = Dropout "drop"(%x): f32[4], bool[4]
  %z = Cast "c"(%m) {to = 1}: f32[4]
  %w = Mul "mul"(%y, %z): f32[4]
  output %w
}
)") == R"(graph @g {
  input %x: f32[4]
  const %m: bool[4] = [1, 1, 1, 1]
  %z = Cast "c"(%m) {to = 1}: f32[4]
  %w = Mul "mul"(%x, %z): f32[4]
  output %w
}
)");
  // Dropout straight to a graph output: its producer writes the output.
  CHECK(runOn("canonicalize", R"(graph @g {
  input %x: f32[4]
  %a = Abs "abs"(%x): f32[4]
  %y = Dropout "drop"(%a): f32[4]
  output %y
}
)") == R"(graph @g {
  input %x: f32[4]
  %y = Abs "abs"(%x): f32[4]
  output %y
}
)");
}

//===----------------------------------------------------------------------===//
// fold-constants
//===----------------------------------------------------------------------===//

TEST_CASE("fold-constants folds a chain of constant ops in one run") {
  PassContext ctx;
  // (a + b) = [1.5, 2.5, 3.5]; Neg, then Abs, gives it back
  CHECK(runOn("fold-constants", R"(graph @g {
  input %x: f32[3]
  const %a: f32[3] = [1, 2, 3]
  const %b: f32[3] = [0.5, 0.5, 0.5]
  %s = Add "add"(%a, %b): f32[3]
  %n = Neg "neg"(%s): f32[3]
  %r = Abs "abs"(%n): f32[3]
  %y = Mul "mul"(%x, %r): f32[3]
  output %y
}
)",
              &ctx) == R"(graph @g {
  input %x: f32[3]
  const %r: f32[3] = [1.5, 2.5, 3.5]
  %y = Mul "mul"(%x, %r): f32[3]
  output %y
}
)");
  CHECK(ctx.stats["fold-constants.folded"] == 3);
}

TEST_CASE("fold-constants folds Shape from the type alone") {
  PassContext ctx;
  CHECK(runOn("fold-constants", R"(graph @g {
  input %x: f32[2,5]
  %s = Shape "shape"(%x): i64[2]
  %c = Cast "cast"(%s) {to = 1}: f32[2]
  output %c
}
)",
              &ctx) == R"(graph @g {
  input %x: f32[2,5]
  const %c: f32[2] = [2, 5]
  output %c
}
)");
  CHECK(ctx.stats["fold-constants.folded"] == 2);
}

//===----------------------------------------------------------------------===//
// fold-batchnorm
//===----------------------------------------------------------------------===//

// Conv 1x1 with w = [2, -1], b = [0.5, 1]; BatchNorm with epsilon 1:
//   s = scale / sqrt(var + eps) = [1 / 2, 2 / 1]        = [0.5, 2]
//   W' = W * s                                          = [1, -2]
//   b' = (b - mean) * s + bias = [(0.5 - 0.5) * 0.5 + 0.1, (1 - 1) * 2 - 0.2] = [0.1, -0.2]
static const char *kConvBn = R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [2, -1]
  const %b: f32[2] = [0.5, 1]
  const %scale: f32[2] = [1, 2]
  const %bias: f32[2] = [0.1, -0.2]
  const %mean: f32[2] = [0.5, 1]
  const %var: f32[2] = [3, 0]
  %t = Conv "conv"(%x, %w, %b): f32[1,2,2,2]
  %y = BatchNormalization "bn"(%t, %scale, %bias, %mean, %var) {epsilon = 1.0}: f32[1,2,2,2]
  output %y
}
)";

TEST_CASE("fold-batchnorm folds into a Conv") {
  auto g = parse(kConvBn);
  REQUIRE(g);
  std::vector<float> x = {1, 2, 3, 4};
  std::vector<float> before = eval1<float>(*g, {bytesOf(x)});
  // channel 0: (2x + 0.5 - 0.5) * 0.5 + 0.1; channel 1: (1 - x - 1) * 2 - 0.2
  checkClose(before, std::vector<float>{1.1f, 2.1f, 3.1f, 4.1f, -2.2f, -4.2f, -6.2f, -8.2f}, 1e-6);

  PassContext ctx;
  REQUIRE(errorOf(runPass("fold-batchnorm", *g, ctx)) == "");
  CHECK(ctx.stats["fold-batchnorm.folded"] == 1);
  CHECK(graphToString(*g) == R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w_bn: f32[2,1,1,1] = [1, -2]
  const %b_bn: f32[2] = [0.1, -0.2]
  %y = Conv "conv"(%x, %w_bn, %b_bn): f32[1,2,2,2]
  output %y
}
)");
  Value *w = g->findValue("w_bn"), *b = g->findValue("b_bn");
  REQUIRE(w);
  REQUIRE(b);
  checkClose(std::vector<float>(w->dataAs<float>().begin(), w->dataAs<float>().end()),
             std::vector<float>{1.0f, -2.0f}, 1e-7);
  checkClose(std::vector<float>(b->dataAs<float>().begin(), b->dataAs<float>().end()),
             std::vector<float>{0.1f, -0.2f}, 1e-7);
  checkClose(eval1<float>(*g, {bytesOf(x)}), before, 1e-6);
}

TEST_CASE("fold-batchnorm gives a Conv without bias one") {
  CHECK(runOn("fold-batchnorm", R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [2, -1]
  const %scale: f32[2] = [1, 2]
  const %bias: f32[2] = [0.25, -0.5]
  const %mean: f32[2] = [0.5, 1]
  const %var: f32[2] = [3, 0]
  %t = Conv "conv"(%x, %w): f32[1,2,2,2]
  %y = BatchNormalization "bn"(%t, %scale, %bias, %mean, %var) {epsilon = 1.0}: f32[1,2,2,2]
  output %y
}
)") == R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w_bn: f32[2,1,1,1] = [1, -2]
  const %conv_bias_bn: f32[2] = [0, -2.5]
  %y = Conv "conv"(%x, %w_bn, %conv_bias_bn): f32[1,2,2,2]
  output %y
}
)");
}

// Gemm y = A * B^T + 2 * C with B^T = [[1, 2, 3], [4, 5, 6]] and C = [1, 2, 3];
// BatchNorm over the 3 columns with epsilon 1:
//   s = [1 / 2, 1 / 1, 2 / 4] = [0.5, 1, 0.5], t = bias - mean * s = [0, 1, -0.5]
//   B' (stored transposed) = [[0.5, 2], [2, 5], [1.5, 3]]
//   C' = beta * C * s + t = [1, 5, 2.5], and beta becomes 1
static const char *kGemmBn = R"(graph @g {
  input %a: f32[1,2]
  const %wt: f32[3,2] = [1, 4, 2, 5, 3, 6]
  const %c: f32[3] = [1, 2, 3]
  const %scale: f32[3] = [1, 1, 2]
  const %bias: f32[3] = [0, 1, 0]
  const %mean: f32[3] = [0, 0, 1]
  const %var: f32[3] = [3, 0, 15]
  %t = Gemm "fc"(%a, %wt, %c) {beta = 2.0, transB = 1}: f32[1,3]
  %y = BatchNormalization "bn"(%t, %scale, %bias, %mean, %var) {epsilon = 1.0}: f32[1,3]
  output %y
}
)";

TEST_CASE("fold-batchnorm folds into a Gemm with transB and beta") {
  auto g = parse(kGemmBn);
  REQUIRE(g);
  std::vector<float> a = {1, -1};
  std::vector<float> before = eval1<float>(*g, {bytesOf(a)});
  // A * B^T = [-3, -3, -3]; + 2C = [-1, 1, 3]; BN: [-0.5, 2, 1]
  checkClose(before, std::vector<float>{-0.5f, 2.0f, 1.0f}, 1e-6);

  PassContext ctx;
  REQUIRE(errorOf(runPass("fold-batchnorm", *g, ctx)) == "");
  CHECK(ctx.stats["fold-batchnorm.folded"] == 1);
  CHECK(graphToString(*g) == R"(graph @g {
  input %a: f32[1,2]
  const %wt_bn: f32[3,2] = [0.5, 2, 2, 5, 1.5, 3]
  const %c_bn: f32[3] = [1, 5, 2.5]
  %y = Gemm "fc"(%a, %wt_bn, %c_bn) {beta = 1.0, transB = 1}: f32[1,3]
  output %y
}
)");
  Value *c = g->findValue("c_bn");
  REQUIRE(c);
  checkClose(std::vector<float>(c->dataAs<float>().begin(), c->dataAs<float>().end()),
             std::vector<float>{1.0f, 5.0f, 2.5f}, 1e-7);
  checkClose(eval1<float>(*g, {bytesOf(a)}), before, 1e-6);
}

TEST_CASE("fold-batchnorm leaves a Conv whose output has another reader") {
  const char *in = R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [2, -1]
  const %scale: f32[2] = [1, 2]
  const %bias: f32[2] = [0, 0]
  const %mean: f32[2] = [0, 0]
  const %var: f32[2] = [1, 1]
  %t = Conv "conv"(%x, %w): f32[1,2,2,2]
  %y = BatchNormalization "bn"(%t, %scale, %bias, %mean, %var): f32[1,2,2,2]
  output %y
  output %t
}
)";
  PassContext ctx;
  CHECK(runOn("fold-batchnorm", in, &ctx) == in);
  CHECK(ctx.stats["fold-batchnorm.folded"] == 0);
}

//===----------------------------------------------------------------------===//
// fuse-activations
//===----------------------------------------------------------------------===//

TEST_CASE("fuse-activations fuses Relu into a Conv") {
  PassContext ctx;
  CHECK(runOn("fuse-activations", R"(graph @g {
  input %x: f32[1,1,3,3]
  const %w: f32[1,1,1,1] = [2]
  %t = Conv "conv"(%x, %w): f32[1,1,3,3]
  %y = Relu "relu"(%t): f32[1,1,3,3]
  output %y
}
)",
              &ctx) == R"(graph @g {
  input %x: f32[1,1,3,3]
  const %w: f32[1,1,1,1] = [2]
  %y = Conv "conv"(%x, %w) {fused_activation = "Relu"}: f32[1,1,3,3]
  output %y
}
)");
  CHECK(ctx.stats["fuse-activations.fused"] == 1);
}

TEST_CASE("fuse-activations fuses Clip with constant bounds into a Gemm") {
  CHECK(runOn("fuse-activations", R"(graph @g {
  input %a: f32[2,2]
  const %b: f32[2,2] = [1, 0, 0, 1]
  const %lo: f32[] = [0]
  const %hi: f32[] = [6]
  %t = Gemm "fc"(%a, %b): f32[2,2]
  %y = Clip "relu6"(%t, %lo, %hi): f32[2,2]
  output %y
}
)") == R"(graph @g {
  input %a: f32[2,2]
  const %b: f32[2,2] = [1, 0, 0, 1]
  %y = Gemm "fc"(%a, %b) {fused_activation = "Clip", fused_alpha = 0.0, fused_beta = 6.0}: f32[2,2]
  output %y
}
)");
  // A Clip with only a lower bound clamps to [lo, inf]
  CHECK(runOn("fuse-activations", R"(graph @g {
  input %a: f32[2,2]
  input %b: f32[2,2]
  const %lo: f32[] = [-1]
  %t = MatMul "mm"(%a, %b): f32[2,2]
  %y = Clip "clip"(%t, %lo): f32[2,2]
  output %y
}
)") == R"(graph @g {
  input %a: f32[2,2]
  input %b: f32[2,2]
  %y = MatMul "mm"(%a, %b) {fused_activation = "Clip", fused_alpha = -1.0, fused_beta = inf}: f32[2,2]
  output %y
}
)");
}

TEST_CASE("fuse-activations leaves what it must not fuse") {
  // The producer's output has two readers.
  const char *twoUsers = R"(graph @g {
  input %a: f32[2,2]
  input %b: f32[2,2]
  %t = MatMul "mm"(%a, %b): f32[2,2]
  %y = Relu "relu"(%t): f32[2,2]
  %z = Add "add"(%t, %y): f32[2,2]
  output %z
}
)";
  PassContext ctx;
  CHECK(runOn("fuse-activations", twoUsers, &ctx) == twoUsers);
  CHECK(ctx.stats["fuse-activations.fused"] == 0);
  // The producer's output is a graph output.
  const char *isOutput = R"(graph @g {
  input %a: f32[2,2]
  input %b: f32[2,2]
  %t = MatMul "mm"(%a, %b): f32[2,2]
  %y = Relu "relu"(%t): f32[2,2]
  output %y
  output %t
}
)";
  CHECK(runOn("fuse-activations", isOutput) == isOutput);
  // Clip bounds computed at run time.
  const char *runtimeBound = R"(graph @g {
  input %a: f32[2,2]
  input %b: f32[2,2]
  input %hi: f32[]
  %t = MatMul "mm"(%a, %b): f32[2,2]
  %y = Clip "clip"(%t, _, %hi): f32[2,2]
  output %y
}
)";
  CHECK(runOn("fuse-activations", runtimeBound) == runtimeBound);
  // The producer is not a Conv, Gemm or MatMul.
  const char *notLinear = R"(graph @g {
  input %a: f32[2,2]
  %t = Add "add"(%a, %a): f32[2,2]
  %y = Relu "relu"(%t): f32[2,2]
  output %y
}
)";
  CHECK(runOn("fuse-activations", notLinear) == notLinear);
}

//===----------------------------------------------------------------------===//
// dce and materialize-outputs
//===----------------------------------------------------------------------===//

TEST_CASE("dce removes nodes and constants nobody reads") {
  PassContext ctx;
  CHECK(runOn("dce", R"(graph @g {
  input %x: f32[1,1,2,2]
  const %k: f32[1,1,2,2] = [1, 2, 3, 4]
  %a = Relu "used"(%x): f32[1,1,2,2]
  %b = Add "dead1"(%x, %k): f32[1,1,2,2]
  %c = Abs "dead2"(%b): f32[1,1,2,2]
  %v, %i = MaxPool "pool"(%a) {kernel_shape = [2, 2]}: f32[1,1,1,1], i64[1,1,1,1]
  output %v
}
)",
              &ctx) == R"(graph @g {
  input %x: f32[1,1,2,2]
  %a = Relu "used"(%x): f32[1,1,2,2]
  %v, %i = MaxPool "pool"(%a) {kernel_shape = [2, 2]}: f32[1,1,1,1], i64[1,1,1,1]
  output %v
}
)");
  CHECK(ctx.stats["dce.removed"] == 2);
}

TEST_CASE("materialize-outputs copies constant graph outputs into the arena") {
  PassContext ctx;
  CHECK(runOn("materialize-outputs", R"(graph @g {
  input %x: f32[2]
  const %k: f32[2] = [1, 2]
  %y = Relu "r"(%x): f32[2]
  output %y
  output %k
  output %k
}
)",
              &ctx) == R"(graph @g {
  input %x: f32[2]
  const %k_const: f32[2] = [1, 2]
  %y = Relu "r"(%x): f32[2]
  %k = Identity "k"(%k_const): f32[2]
  output %y
  output %k
  output %k
}
)");
  CHECK(ctx.stats["materialize-outputs.copies"] == 1);
}

//===----------------------------------------------------------------------===//
// Fusion must not change results
//===----------------------------------------------------------------------===//

// A Clip whose min is above its max gives max everywhere (ONNX and numpy:
// min(max(x, lo), hi)); the fused activation must agree.
TEST_CASE("fusing a Clip with min > max keeps its result") {
  auto g = parse(R"(graph @g {
  input %x: f32[1,1,1,3]
  const %w: f32[1,1,1,1] = [1]
  const %lo: f32[] = [5]
  const %hi: f32[] = [1]
  %t = Conv "conv"(%x, %w): f32[1,1,1,3]
  %y = Clip "clip"(%t, %lo, %hi): f32[1,1,1,3]
  output %y
}
)");
  REQUIRE(g);
  std::vector<float> x = {0, 3, 7};
  std::vector<float> before = eval1<float>(*g, {bytesOf(x)});
  CHECK(before == std::vector<float>{1, 1, 1});
  PassContext ctx;
  REQUIRE(errorOf(runPass("fuse-activations", *g, ctx)) == "");
  REQUIRE(ctx.stats["fuse-activations.fused"] == 1);
  CHECK(eval1<float>(*g, {bytesOf(x)}) == before);
}

// Fused activation parameters are floats: a double bound such as 0.1 that a
// float cannot hold exactly keeps the Clip unfused.
TEST_CASE("fusing a Clip into an f64 Conv keeps its double bounds") {
  auto g = parse(R"(graph @g {
  input %x: f64[1,1,1,2]
  const %w: f64[1,1,1,1] = [1]
  const %lo: f64[] = [0.1]
  %t = Conv "conv"(%x, %w): f64[1,1,1,2]
  %y = Clip "clip"(%t, %lo): f64[1,1,1,2]
  output %y
}
)");
  REQUIRE(g);
  std::vector<double> x = {0.05, 2};
  Buffer in(sizeof(double) * 2);
  std::memcpy(in.data(), x.data(), in.size());
  auto run = [&] {
    auto out = evaluateGraph(*g, {in});
    REQUIRE(out);
    std::vector<double> y(2);
    std::memcpy(y.data(), (*out)[0].data(), 2 * sizeof(double));
    return y;
  };
  CHECK(run() == std::vector<double>{0.1, 2});
  PassContext ctx;
  REQUIRE(errorOf(runPass("fuse-activations", *g, ctx)) == "");
  CHECK(run() == std::vector<double>{0.1, 2});
}

//===----------------------------------------------------------------------===//
// fold-bias-add
//===----------------------------------------------------------------------===//

TEST_CASE("fold-bias-add makes a per-channel Add the Conv's bias") {
  PassContext ctx;
  CHECK(runOn("fold-bias-add", R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [1, 2]
  const %b: f32[2,1,1] = [0.5, -1]
  %c = Conv "conv"(%x, %w): f32[1,2,2,2]
  %y = Add "add"(%c, %b): f32[1,2,2,2]
  output %y
}
)", &ctx) == R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [1, 2]
  const %b_1: f32[2] = [0.5, -1]
  %y = Conv "conv"(%x, %w, %b_1): f32[1,2,2,2]
  output %y
}
)");
  CHECK(ctx.stats["fold-bias-add.folded"] == 1);
}

TEST_CASE("fold-bias-add turns MatMul + Add into a Gemm") {
  CHECK(runOn("fold-bias-add", R"(graph @g {
  input %x: f32[1,2]
  const %w: f32[2,3] = [1, 2, 3, 4, 5, 6]
  const %b: f32[3] = [0.25, 0.5, 0.75]
  %m = MatMul "fc"(%x, %w): f32[1,3]
  %y = Add "bias"(%b, %m): f32[1,3]
  output %y
}
)") == R"(graph @g {
  input %x: f32[1,2]
  const %w: f32[2,3] = [1, 2, 3, 4, 5, 6]
  const %b_1: f32[3] = [0.25, 0.5, 0.75]
  %y = Gemm "fc"(%x, %w, %b_1): f32[1,3]
  output %y
}
)");
}

TEST_CASE("fold-bias-add leaves an Add that is not per channel") {
  const char *text = R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [1, 2]
  const %b: f32[1,1,1,2] = [0.5, -1]
  %c = Conv "conv"(%x, %w): f32[1,2,2,2]
  %y = Add "add"(%c, %b): f32[1,2,2,2]
  output %y
}
)";
  CHECK(runOn("fold-bias-add", text) == text);
}
