//===- QuantizeTest.cpp - post-training quantisation and calibration files ===//
//
// The `quantize` pass on small graphs whose ranges, scales and zero points are
// worked out by hand in the comments; the calibration directory reader on
// files written into a temporary directory.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "compiler/Calibration.h"
#include "passes/Evaluator.h"
#include "passes/Pass.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstring>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

float scaleOf(const Graph &g, llvm::StringRef name) {
  const Value *v = g.findValue(name);
  REQUIRE(v);
  REQUIRE(v->isConstant());
  return v->dataAs<float>()[0];
}

int zeroPointOf(const Graph &g, llvm::StringRef name) {
  const Value *v = g.findValue(name);
  REQUIRE(v);
  REQUIRE(v->isConstant());
  return v->dataAs<int8_t>()[0];
}

const char *kConv = R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [0.5, -0.25]
  const %b: f32[2] = [0.1, -0.2]
  %y = Conv "conv"(%x, %w, %b): f32[1,2,2,2]
  output %y
}
)";

} // namespace

TEST_CASE("quantize: Conv gets Q/DQ on its input and output and per-channel int8 weights") {
  auto g = parse(kConv);
  REQUIRE(g);
  QuantizeOptions opts;
  opts.samples = {{bytesOf<float>({0, 1, 2, 3})}, {bytesOf<float>({-1, 0.5f, 1, 2})}};
  PassContext ctx;
  ctx.quantize = &opts;
  REQUIRE(errorOf(runPass("quantize", *g, ctx)) == "");

  // x in [-1, 3]: scale 4/255, zero point round(-128 + 1 / (4/255)) = round(-64.25) = -64.
  CHECK(scaleOf(*g, "x_scale") == 4.0f / 255.0f);
  CHECK(zeroPointOf(*g, "x_zero_point") == -64);
  // y: channel 0 is 0.5x + 0.1 in [-0.4, 1.6], channel 1 -0.25x - 0.2 in [-0.95, 0.05]:
  // [-0.95, 1.6], scale 2.55/255 = 0.01, zero point round(-128 + 95) = -33.
  CHECK(scaleOf(*g, "y_scale") == doctest::Approx(0.01).epsilon(1e-6));
  CHECK(zeroPointOf(*g, "y_zero_point") == -33);
  // Weights: symmetric per output channel, max |w| -> 127.
  const Value *wq = g->findValue("w_int8");
  REQUIRE(wq);
  CHECK(wq->dtype() == DType::I8);
  CHECK(wq->dataAs<int8_t>()[0] == 127);
  CHECK(wq->dataAs<int8_t>()[1] == -127);
  const Value *ws = g->findValue("w_scale");
  REQUIRE(ws);
  CHECK(ws->dataAs<float>()[0] == 0.5f / 127.0f);
  CHECK(ws->dataAs<float>()[1] == 0.25f / 127.0f);
  CHECK(g->findValue("w_zero_point")->dataAs<int8_t>()[1] == 0);
  // The graph output keeps its name on the dequantised value; the bias stays float.
  const Value *y = g->outputs()[0];
  CHECK(y->name() == "y");
  REQUIRE(y->producer());
  CHECK(y->producer()->kind() == OpKind::DequantizeLinear);
  Node *conv = nullptr;
  for (Node *n : g->nodes())
    if (n->kind() == OpKind::Conv)
      conv = n;
  REQUIRE(conv);
  CHECK(conv->input(0)->producer()->kind() == OpKind::DequantizeLinear);
  CHECK(conv->input(1)->producer()->kind() == OpKind::DequantizeLinear);
  CHECK(conv->input(1)->producer()->getInt("axis", -1) == 0);
  CHECK(conv->input(2)->name() == "b");
  CHECK(conv->input(2)->dtype() == DType::F32);

  // The report: two activations, one weight, the output within half a step.
  REQUIRE(ctx.quantization);
  const QuantizationReport &r = *ctx.quantization;
  CHECK(r.samples == 2);
  REQUIRE(r.activations.size() == 2);
  REQUIRE(r.weights.size() == 1);
  CHECK(r.weights[0].axis == 0);
  CHECK(std::isinf(r.weights[0].sqnrDb)); // 0.5 and -0.25 are exact in int8
  REQUIRE(r.outputs.size() == 1);
  CHECK(r.outputs[0].sqnrDb > 30);
  CHECK(r.outputs[0].maxAbsError < 0.02);
  for (const ActivationQuantReport &a : r.activations)
    CHECK(a.maxAbsError <= a.scale * 0.5 + 1e-6);

  // Fake-quantised, the graph stays close to the float model.
  auto out = evaluateGraph(*g, {bytesOf<float>({0, 1, 2, 3})});
  REQUIRE(out);
  std::vector<float> got = as<float>((*out)[0]);
  std::vector<float> want = {0.1f, 0.6f, 1.1f, 1.6f, -0.2f, -0.45f, -0.7f, -0.95f};
  for (size_t i = 0; i < want.size(); ++i)
    CHECK(std::fabs(got[i] - want[i]) <= 0.02);
}

TEST_CASE("quantize: bias correction takes the weights' mean rounding error out of the bias") {
  auto g = parse(R"(graph @g {
  input %x: f32[1,2,1,1]
  const %w: f32[1,2,1,1] = [1.0, 0.3]
  const %b: f32[1] = [0.5]
  %y = Conv "conv"(%x, %w, %b): f32[1,1,1,1]
  output %y
}
)");
  REQUIRE(g);
  QuantizeOptions opts;
  opts.samples = {{bytesOf<float>({1, 2})}, {bytesOf<float>({3, 4})}}; // channel means 2 and 3
  PassContext ctx;
  ctx.quantize = &opts;
  REQUIRE(errorOf(runPass("quantize", *g, ctx)) == "");
  // Scale 1/127: 1.0 is exact, 0.3 becomes 38/127; the mean output moves by
  // (38/127 - 0.3) * 3, which the bias gives back.
  Node *conv = nullptr;
  for (Node *n : g->nodes())
    if (n->kind() == OpKind::Conv)
      conv = n;
  REQUIRE(conv);
  const Value *b = conv->input(2);
  REQUIRE(b);
  CHECK(b->name() == "b_corrected");
  double shift = (double(38.0f * (1.0f / 127.0f)) - double(0.3f)) * 3.0;
  CHECK(b->dataAs<float>()[0] == doctest::Approx(0.5 - shift).epsilon(1e-7));
  REQUIRE(ctx.quantization);
  CHECK(ctx.quantization->biasCorrected == 1);

  // Without it, the bias stays.
  auto g2 = parse(R"(graph @g {
  input %x: f32[1,2,1,1]
  const %w: f32[1,2,1,1] = [1.0, 0.3]
  const %b: f32[1] = [0.5]
  %y = Conv "conv"(%x, %w, %b): f32[1,1,1,1]
  output %y
}
)");
  REQUIRE(g2);
  opts.biasCorrection = false;
  PassContext ctx2;
  ctx2.quantize = &opts;
  REQUIRE(errorOf(runPass("quantize", *g2, ctx2)) == "");
  CHECK(g2->findValue("b"));
  CHECK_FALSE(g2->findValue("b_corrected"));
}

TEST_CASE("quantize: value-moving ops keep their input's scale and zero point") {
  auto g = parse(R"(graph @g {
  input %x: f32[1,1,2,2]
  const %w: f32[2,1,1,1] = [0.5, -0.25]
  const %shape: i64[2] = [1, 8]
  %t = Conv "conv"(%x, %w) {fused_activation = "Relu"}: f32[1,2,2,2]
  %y = Reshape "flat"(%t, %shape): f32[1,8]
  output %y
}
)");
  REQUIRE(g);
  QuantizeOptions opts;
  opts.samples = {{bytesOf<float>({0, 1, 2, 3})}};
  PassContext ctx;
  ctx.quantize = &opts;
  REQUIRE(errorOf(runPass("quantize", *g, ctx)) == "");
  // t = relu(conv) in [0, 1.5]: zero point -128; y inherits it.
  CHECK(zeroPointOf(*g, "t_zero_point") == -128);
  CHECK(scaleOf(*g, "t_scale") == doctest::Approx(1.5 / 255).epsilon(1e-6));
  CHECK(scaleOf(*g, "y_scale") == scaleOf(*g, "t_scale"));
  CHECK(zeroPointOf(*g, "y_zero_point") == -128);
  REQUIRE(ctx.quantization);
  bool inherited = false;
  for (const ActivationQuantReport &a : ctx.quantization->activations)
    if (a.tensor == "y") {
      inherited = a.inherited;
      CHECK(std::isinf(a.sqnrDb)); // requantising with the same parameters is exact
    }
  CHECK(inherited);
}

namespace {
/// The range the pass chose for the output of x -> Relu -> y, calibrated on one sample.
double reluRangeMax(std::vector<float> x, CalibrationMethod m, double pct) {
  std::string text = "graph @g {\n  input %x: f32[1," + std::to_string(x.size()) +
                     "]\n  %y = Relu \"relu\"(%x): f32[1," + std::to_string(x.size()) +
                     "]\n  output %y\n}\n";
  auto g = parse(text);
  REQUIRE(g);
  QuantizeOptions opts;
  opts.method = m;
  opts.percentile = pct;
  opts.samples = {{bytesOf(x)}};
  PassContext ctx;
  ctx.quantize = &opts;
  REQUIRE(errorOf(runPass("quantize", *g, ctx)) == "");
  REQUIRE(ctx.quantization);
  for (const ActivationQuantReport &a : ctx.quantization->activations)
    if (a.tensor == "y")
      return a.rangeMax;
  FAIL("no report for y");
  return 0.0;
}
} // namespace

TEST_CASE("quantize: percentile clips an outlier that minmax keeps") {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(i % 100) / 100.0f; // [0, 0.99]
  x[500] = 100;                                  // one outlier
  CHECK(reluRangeMax(x, CalibrationMethod::MinMax, 0) == 100);
  // 99.9% of 1000 values lets one go: the range ends at the upper edge of the
  // histogram bin holding 0.99, bin 20 of 2048 over [0, 100].
  CHECK(reluRangeMax(x, CalibrationMethod::Percentile, 99.9) ==
        doctest::Approx(21 * 100.0 / 2048));
  CHECK(reluRangeMax(x, CalibrationMethod::Percentile, 100) == 100);
}

TEST_CASE("quantize: entropy clips the long tail of an exponential distribution") {
  // Quantiles of Exp(1): the largest is ln(2 * 10000) = 9.9.
  std::vector<float> x(10000);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(-std::log((i + 0.5) / x.size()));
  double e = reluRangeMax(x, CalibrationMethod::Entropy, 0);
  CHECK(e < 9);
  CHECK(e > 3);
}

TEST_CASE("quantize: the rewritten graph does not depend on anything but its inputs") {
  auto once = [] {
    auto g = parse(kConv);
    REQUIRE(g);
    QuantizeOptions opts;
    opts.method = CalibrationMethod::Entropy;
    opts.samples = {{bytesOf<float>({0, 1, 2, 3})}, {bytesOf<float>({-1, 0.5f, 1, 2})}};
    PassContext ctx;
    ctx.quantize = &opts;
    REQUIRE(errorOf(runPass("quantize", *g, ctx)) == "");
    return graphToString(*g);
  };
  CHECK(once() == once());
}

TEST_CASE("quantize: without options the pass leaves the graph alone") {
  auto g = parse(kConv);
  REQUIRE(g);
  PassContext ctx;
  REQUIRE(errorOf(runPass("quantize", *g, ctx)) == "");
  CHECK(graphToString(*g) == kConv);
  CHECK_FALSE(ctx.quantization);
}

//===----------------------------------------------------------------------===//
// The calibration directory
//===----------------------------------------------------------------------===//

namespace {
struct CalibDir {
  llvm::SmallString<128> path;
  CalibDir() {
    std::error_code ec = llvm::sys::fs::createUniqueDirectory("tinymlc-calib", path);
    REQUIRE_FALSE(static_cast<bool>(ec));
  }
  ~CalibDir() { llvm::sys::fs::remove_directories(path); }
  void write(llvm::StringRef name, std::vector<float> v) const {
    llvm::SmallString<128> p(path);
    llvm::sys::path::append(p, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(p, ec);
    REQUIRE_FALSE(static_cast<bool>(ec));
    os.write(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(float));
  }
};
} // namespace

TEST_CASE("calibration directory: natural name order, samples split, other files ignored") {
  auto g = parse(R"(graph @g {
  input %x: f32[2]
  %y = Relu "r"(%x): f32[2]
  output %y
}
)");
  REQUIRE(g);
  CalibDir d;
  d.write("img_10.bin", {10, 10});
  d.write("img_2.bin", {2, 2, 3, 3}); // two samples
  d.write("notes.txt", {0});
  d.write(".hidden.bin", {0});
  auto s = readCalibrationDir(*g, d.path);
  REQUIRE(s);
  REQUIRE(s->size() == 3);
  CHECK(as<float>((*s)[0][0]) == std::vector<float>{2, 2});
  CHECK(as<float>((*s)[1][0]) == std::vector<float>{3, 3});
  CHECK(as<float>((*s)[2][0]) == std::vector<float>{10, 10});
}

TEST_CASE("calibration directory: files by input name, exact names first") {
  auto g = parse(R"(graph @g {
  input %x: f32[1]
  input %x_1: f32[1]
  %y = Add "add"(%x, %x_1): f32[1]
  output %y
}
)");
  REQUIRE(g);
  CalibDir d;
  d.write("x_1.bin", {100}); // input x_1, not sample 1 of x
  d.write("x_2.bin", {2});
  d.write("x_10.bin", {10});
  d.write("x.bin", {1});
  d.write("x_1_0.bin", {200, 300});
  auto s = readCalibrationDir(*g, d.path);
  REQUIRE(s);
  REQUIRE(s->size() == 3);
  // x: x.bin, x_2.bin, x_10.bin; x_1: x_1.bin, then x_1_0.bin's two samples.
  CHECK(as<float>((*s)[0][0]) == std::vector<float>{1});
  CHECK(as<float>((*s)[1][0]) == std::vector<float>{2});
  CHECK(as<float>((*s)[2][0]) == std::vector<float>{10});
  CHECK(as<float>((*s)[0][1]) == std::vector<float>{100});
  CHECK(as<float>((*s)[1][1]) == std::vector<float>{200});
  CHECK(as<float>((*s)[2][1]) == std::vector<float>{300});
}
