//===- QuantTest.cpp - quantisation kernels and the quantize-qdq pass -----===//
//
// Rounding and saturation of QuantizeLinear, the fixed-point requantisation,
// and the quantize-qdq pass on a small QDQ graph: the integer graph it makes
// must agree with the float QDQ graph it came from within one output step,
// with values worked out by hand.
//
//===----------------------------------------------------------------------===//
#include "TestUtil.h"
#include "passes/Evaluator.h"
#include "passes/Pass.h"
#include "tmc_quant.h"
#include <cmath>
#include <cstring>
#include <random>

using namespace tinymlc;
using namespace tinymlc::test;

namespace {

Buffer floatBytes(std::vector<float> v) {
  Buffer b(v.size() * sizeof(float));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

std::vector<float> asFloats(const Buffer &b) {
  std::vector<float> v(b.size() / sizeof(float));
  std::memcpy(v.data(), b.data(), b.size());
  return v;
}

std::vector<float> evalFloat(const Graph &g, std::vector<float> input) {
  auto out = evaluateGraph(g, {floatBytes(std::move(input))});
  if (!out) {
    FAIL_CHECK(errorToString(out.takeError()));
    return {};
  }
  return asFloats((*out)[0]);
}

void runOk(const char *pass, Graph &g, PassContext &ctx) {
  if (auto e = runPass(pass, g, ctx))
    FAIL(errorToString(std::move(e)));
}

int countOps(const Graph &g, OpKind k) {
  int n = 0;
  for (const Node *node : g.nodes())
    n += node->kind() == k;
  return n;
}

// x (f32) -> Q(0.5, 0) -> DQ -> Conv 1x1 with two output channels (per-channel
// weight scales 0.25 and 0.5, int32 bias) -> Relu -> Q(1.0, -3) -> DQ.
const char *kQdqConv = R"(graph @g {
  input %x: f32[1,2,2,2]
  const %xs: f32[] = [0.5]
  const %xz: i8[] = [0]
  const %w: i8[2,2,1,1] = [4, -8, 2, 6]
  const %ws: f32[2] = [0.25, 0.5]
  const %wz: i8[2] = [0, 0]
  const %b: i32[2] = [8, -4]
  const %bs: f32[2] = [0.125, 0.25]
  const %ys: f32[] = [1.0]
  const %yz: i8[] = [-3]
  %xq = QuantizeLinear "qx"(%x, %xs, %xz): i8[1,2,2,2]
  %xd = DequantizeLinear "dqx"(%xq, %xs, %xz): f32[1,2,2,2]
  %wd = DequantizeLinear "dqw"(%w, %ws, %wz) {axis = 0}: f32[2,2,1,1]
  %bd = DequantizeLinear "dqb"(%b, %bs) {axis = 0}: f32[2]
  %c = Conv "conv"(%xd, %wd, %bd): f32[1,2,2,2]
  %r = Relu "relu"(%c): f32[1,2,2,2]
  %yq = QuantizeLinear "qy"(%r, %ys, %yz): i8[1,2,2,2]
  %y = DequantizeLinear "dqy"(%yq, %ys, %yz): f32[1,2,2,2]
  output %y
}
)";

} // namespace

TEST_CASE("QuantizeLinear rounds half to even and saturates") {
  tmc::QuantizeParams p = {1, 1, 7};
  float x[7] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 300.0f, -300.0f};
  float s = 1.0f;
  int8_t z = 0, y[7];
  tmc::quantize_linear<int8_t>(&p, x, &s, &z, y);
  CHECK(std::vector<int>(y, y + 7) == std::vector<int>{0, 2, 2, 0, -2, 127, -128});
  uint8_t zu = 128, yu[7];
  tmc::quantize_linear<uint8_t>(&p, x, &s, &zu, yu);
  CHECK(std::vector<int>(yu, yu + 7) == std::vector<int>{128, 130, 130, 128, 126, 255, 0});
}

TEST_CASE("requantize multiplies by multiplier / 2^shift and rounds halves up") {
  // 2^30 / 2^31 = 0.5
  CHECK(tmc::requantize(100, 1 << 30, 31) == 50);
  CHECK(tmc::requantize(101, 1 << 30, 31) == 51);  // 50.5 -> 51
  CHECK(tmc::requantize(-101, 1 << 30, 31) == -50); // -50.5 -> -50
  CHECK(tmc::requantize(-102, 1 << 30, 31) == -51);
  // 0.75 * 2^31 / 2^32 = 0.375; 1000 * 0.375 = 375
  CHECK(tmc::requantize(1000, 1610612736, 32) == 375);
}

TEST_CASE("quantize-qdq turns DQ-Conv-Relu-Q into one integer conv that agrees with float") {
  auto g = parse(kQdqConv);
  REQUIRE(g);
  // Inputs chosen on the quantisation grid (step 0.5): xq = 2x.
  std::vector<float> x = {1.0f, -2.0f, 0.5f, 3.0f, 2.0f, 1.5f, -1.0f, 0.0f};
  std::vector<float> want = evalFloat(*g, x);
  // By hand, channel 0: 0.25 * (4 * xq0 - 8 * xq1) * 0.5 + 1 (bias 8 * 0.125);
  // position 0: xq0 = 2, xq1 = 4 -> 0.125 * (8 - 32) + 1 = -2 -> Relu 0 -> q -3 -> 0.
  // Channel 1 at position 0: 0.25 * (2 * 2 + 6 * 4) - 1 = 6 -> q 3 -> 6.
  CHECK(want[0] == 0.0f);
  CHECK(want[4] == 6.0f);
  PassContext ctx;
  for (const char *pass : {"fuse-activations", "quantize-qdq", "dce"})
    runOk(pass, *g, ctx);
  CHECK(countOps(*g, OpKind::TmcQConv) == 1);
  CHECK(countOps(*g, OpKind::Conv) == 0);
  CHECK(countOps(*g, OpKind::DequantizeLinear) == 1); // the output's
  std::vector<float> got = evalFloat(*g, x);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(std::fabs(got[i] - want[i]) <= 1.0f); // one output step
  }
  CHECK(got[0] == 0.0f);
  CHECK(got[4] == 6.0f);
}

TEST_CASE("quantize-qdq moves int8 data through Reshape and drops Q(DQ(x))") {
  auto g = parse(R"(graph @g {
  input %x: f32[1,4]
  const %s: f32[] = [0.5]
  const %z: i8[] = [1]
  const %shape: i64[2] = [2, 2]
  %xq = QuantizeLinear "qx"(%x, %s, %z): i8[1,4]
  %xd = DequantizeLinear "dqx"(%xq, %s, %z): f32[1,4]
  %r = Reshape "reshape"(%xd, %shape): f32[2,2]
  %rq = QuantizeLinear "qr"(%r, %s, %z): i8[2,2]
  %y = DequantizeLinear "dqy"(%rq, %s, %z): f32[2,2]
  output %y
}
)");
  REQUIRE(g);
  PassContext ctx;
  runOk("quantize-qdq", *g, ctx);
  runOk("dce", *g, ctx);
  CHECK(countOps(*g, OpKind::QuantizeLinear) == 1);   // the input's
  CHECK(countOps(*g, OpKind::DequantizeLinear) == 1); // the output's
  const Node *reshape = nullptr;
  for (const Node *n : g->nodes())
    if (n->kind() == OpKind::Reshape)
      reshape = n;
  REQUIRE(reshape);
  CHECK(reshape->output(0)->dtype() == DType::I8);
  CHECK(evalFloat(*g, {1.0f, -0.5f, 0.25f, 100.0f}) ==
        std::vector<float>{1.0f, -0.5f, 0.0f, 63.0f}); // 0.25 -> 0.5 * round(0.5) = 0; saturated
}

TEST_CASE("quantize-qdq concatenates int8 when both inputs share one quantisation") {
  auto g = parse(R"(graph @g {
  input %a: f32[1,2]
  input %b: f32[1,1]
  const %s: f32[] = [0.25]
  const %z: u8[] = [10]
  %aq = QuantizeLinear "qa"(%a, %s, %z): u8[1,2]
  %bq = QuantizeLinear "qb"(%b, %s, %z): u8[1,1]
  %ad = DequantizeLinear "dqa"(%aq, %s, %z): f32[1,2]
  %bd = DequantizeLinear "dqb"(%bq, %s, %z): f32[1,1]
  %c = Concat "cat"(%ad, %bd) {axis = 1}: f32[1,3]
  output %c
}
)");
  REQUIRE(g);
  PassContext ctx;
  runOk("quantize-qdq", *g, ctx);
  runOk("dce", *g, ctx);
  const Node *cat = nullptr;
  for (const Node *n : g->nodes())
    if (n->kind() == OpKind::Concat)
      cat = n;
  REQUIRE(cat);
  CHECK(cat->output(0)->dtype() == DType::U8);
  CHECK(countOps(*g, OpKind::DequantizeLinear) == 1);
  auto out = evaluateGraph(*g, {floatBytes({0.5f, -1.0f}), floatBytes({100.0f})});
  REQUIRE(out);
  // 0.5 -> 12 -> 0.5; -1 -> 6 -> -1; 100 -> 255 (saturated) -> 61.25
  CHECK(asFloats((*out)[0]) == std::vector<float>{0.5f, -1.0f, 61.25f});
}

TEST_CASE("qlut looks int8 and uint8 codes up in a 256-entry table") {
  int8_t table[256];
  for (int i = 0; i < 256; ++i)
    table[i] = static_cast<int8_t>(127 - i); // code c -> -1 - c for int8 input
  tmc::QLutParams p = {4};
  int8_t x[4] = {-128, -1, 0, 127}, y[4];
  tmc::qlut<int8_t, int8_t>(&p, x, table, y);
  CHECK(std::vector<int>(y, y + 4) == std::vector<int>{127, 0, -1, -128});
  uint8_t xu[4] = {0, 1, 128, 255};
  tmc::qlut<uint8_t, int8_t>(&p, xu, table, y);
  CHECK(std::vector<int>(y, y + 4) == std::vector<int>{127, 126, -1, -128});
}

TEST_CASE("qmul broadcasts, rescales and clamps") {
  // a [2,3] * b [1,3]; scale a_s * b_s / y_s = 0.5 (2^30 / 2^31).
  tmc::QMulParams p;
  std::memset(&p, 0, sizeof(p));
  p.count = 6;
  p.rank = 2;
  p.dims[0] = 2;
  p.dims[1] = 3;
  p.a_strides[0] = 3;
  p.a_strides[1] = 1;
  p.b_strides[0] = 0;
  p.b_strides[1] = 1;
  p.a_zp = 1;
  p.b_zp = -2;
  p.y_zp = 10;
  p.multiplier = 1 << 30;
  p.shift = 31;
  p.act_min = -128;
  p.act_max = 100;
  int8_t a[6] = {1, 3, 5, -7, 127, -128}, b[3] = {-2, 0, 2}, y[6];
  tmc::qmul<int8_t, int8_t, int8_t>(&p, a, b, y);
  // (a - 1) * (b + 2) / 2 + 10, halves up, clamped to [-128, 100]
  CHECK(std::vector<int>(y, y + 6) == std::vector<int>{10, 12, 18, 10, 100, -128});
}

TEST_CASE("qsoftmax: equal inputs share the mass, one element takes all of it") {
  int32_t table[256];
  for (int d = 0; d < 256; ++d)
    table[d] = static_cast<int32_t>(std::llround(std::ldexp(std::exp(-0.1 * d), 23)));
  // y_scale 1/256: multiplier 2^30 * 256 / 2^30... 1 / y_scale = 256 = 2^30 / 2^22.
  tmc::QSoftmaxParams p = {1, 4, 1, -128, 1 << 30, 22};
  int8_t x[4] = {5, 5, 5, 5}, y[4];
  tmc::qsoftmax<int8_t, int8_t>(&p, x, table, y);
  CHECK(std::vector<int>(y, y + 4) == std::vector<int>{-64, -64, -64, -64}); // 0.25 * 256 - 128
  tmc::QSoftmaxParams one = {2, 1, 1, -128, 1 << 30, 22};
  tmc::qsoftmax<int8_t, int8_t>(&one, x, table, y);
  CHECK(y[0] == 127); // 1.0 saturates to 255/256
  CHECK(y[1] == 127);
  // Along a strided axis: [1, 2, 2] over axis 1, inner 2.
  tmc::QSoftmaxParams mid = {1, 2, 2, 0, 1 << 30, 22};
  uint8_t xu[4] = {10, 0, 10, 0}, yu[4];
  tmc::qsoftmax<uint8_t, uint8_t>(&mid, xu, table, yu);
  CHECK(std::vector<int>(yu, yu + 4) == std::vector<int>{128, 128, 128, 128});
}

TEST_CASE("quantize-qdq makes DQ-Sigmoid-Q a table that equals the float path on every code") {
  auto g = parse(R"(graph @g {
  input %x: f32[256]
  const %xs: f32[] = [0.05]
  const %xz: i8[] = [3]
  const %ys: f32[] = [0.00390625]
  const %yz: i8[] = [-128]
  %xq = QuantizeLinear "qx"(%x, %xs, %xz): i8[256]
  %xd = DequantizeLinear "dqx"(%xq, %xs, %xz): f32[256]
  %s = Sigmoid "sig"(%xd): f32[256]
  %yq = QuantizeLinear "qy"(%s, %ys, %yz): i8[256]
  %y = DequantizeLinear "dqy"(%yq, %ys, %yz): f32[256]
  output %y
}
)");
  REQUIRE(g);
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) // every int8 code once
    x[i] = static_cast<float>(i - 128 - 3) * 0.05f;
  std::vector<float> want = evalFloat(*g, x);
  PassContext ctx;
  for (const char *pass : {"quantize-qdq", "dce"})
    runOk(pass, *g, ctx);
  CHECK(countOps(*g, OpKind::TmcQLut) == 1);
  CHECK(countOps(*g, OpKind::Sigmoid) == 0);
  CHECK(evalFloat(*g, x) == want);
}

namespace {

/// qconv as it was before its patch and direct paths: the generic
/// conv_accumulate with a bounds check and both zero points on every tap.
template <typename TX, typename TW, typename TY>
void qconvReference(const tmc::QConvParams *p, const TX *x, const TW *w, const int32_t *bias,
                    const int32_t *multiplier, const int32_t *shift, TY *y) {
  tmc::ConvParams c;
  std::memcpy(&c, p, sizeof(c));
  const TW wz = static_cast<TW>(p->w_zp);
  tmc::StoreFixedRequant<TY> out = {bias, multiplier, shift, p->y_zp, p->act_min, p->act_max, y};
  tmc::conv_accumulate(&c, x, p->x_zp, w, &wz, 1, out);
}

template <typename T> std::vector<T> randomCodes(std::mt19937 &rng, size_t n) {
  std::uniform_int_distribution<int> d(tmc::Limits<T>::lowest(), tmc::Limits<T>::highest());
  std::vector<T> v(n);
  for (T &e : v)
    e = static_cast<T>(d(rng));
  return v;
}

int randomIn(std::mt19937 &rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

/// One random convolution (1 to 3 spatial dims, padding, stride, dilation,
/// groups, odd channel counts, zero points) through qconv and the reference.
template <typename TX, typename TW, typename TY> void checkRandomQConv(std::mt19937 &rng, int trial) {
  tmc::QConvParams p;
  std::memset(&p, 0, sizeof(p));
  p.batch = randomIn(rng, 1, 2);
  // 0: depthwise, 1: 1x1, 2: grouped, 3: any, 4: depthwise 3x3 (2D, or 1x3x3 in 3D)
  const int kind = randomIn(rng, 0, 4);
  const bool dw3x3 = kind == 4;
  const int shape = dw3x3 ? 0 : kind;
  const int group = shape == 0 ? randomIn(rng, 1, 7) : shape == 2 ? randomIn(rng, 2, 3) : 1;
  const int icg = shape == 0 ? 1 : randomIn(rng, 1, 13);
  const int ocg = shape == 0 ? randomIn(rng, 1, 3) : randomIn(rng, 1, 9);
  p.group = group;
  p.in_channels = group * icg;
  p.out_channels = group * ocg;
  const int dims = randomIn(rng, dw3x3 ? 2 : 1, 3);
  for (int d = 0; d < 3; ++d) {
    if (d < 3 - dims) {
      p.in_size[d] = p.out_size[d] = p.kernel[d] = p.stride[d] = p.dilation[d] = 1;
      continue;
    }
    const bool pointwise = shape == 1;
    p.kernel[d] = pointwise ? 1 : dw3x3 ? (d == 0 ? 1 : 3) : randomIn(rng, 1, 4);
    p.stride[d] = randomIn(rng, 1, 2);
    p.dilation[d] = pointwise ? 1 : randomIn(rng, 1, 2);
    p.pad[d] = pointwise ? 0 : randomIn(rng, 0, p.kernel[d]);
    const int padEnd = pointwise ? 0 : randomIn(rng, 0, p.kernel[d]);
    const int span = p.dilation[d] * (p.kernel[d] - 1) + 1;
    p.in_size[d] = randomIn(rng, std::max(1, span - p.pad[d] - padEnd), dw3x3 ? 14 : 9);
    p.out_size[d] = (p.in_size[d] + p.pad[d] + padEnd - span) / p.stride[d] + 1;
  }
  p.x_zp = tmc::Limits<TX>::lowest() + randomIn(rng, 0, 255);
  p.w_zp = randomIn(rng, 0, 1) ? 0 : tmc::Limits<TW>::lowest() + randomIn(rng, 0, 255);
  p.y_zp = tmc::Limits<TY>::lowest() + randomIn(rng, 0, 255);
  p.act_min = tmc::Limits<TY>::lowest();
  p.act_max = tmc::Limits<TY>::highest();
  if (randomIn(rng, 0, 1))
    p.act_min = p.y_zp; // a fused Relu
  const int32_t taps = p.kernel[0] * p.kernel[1] * p.kernel[2];
  const int32_t inPlane = p.in_size[0] * p.in_size[1] * p.in_size[2];
  const int32_t outPlane = p.out_size[0] * p.out_size[1] * p.out_size[2];
  auto x = randomCodes<TX>(rng, size_t(p.batch) * p.in_channels * inPlane);
  auto w = randomCodes<TW>(rng, size_t(p.out_channels) * icg * taps);
  std::vector<int32_t> bias(p.out_channels), mult(p.out_channels), shift(p.out_channels);
  for (int m = 0; m < p.out_channels; ++m) {
    bias[m] = randomIn(rng, -20000, 20000);
    mult[m] = randomIn(rng, 1 << 29, 0x7fffffff);
    shift[m] = randomIn(rng, 36, 44);
  }
  const size_t ny = size_t(p.batch) * p.out_channels * outPlane;
  std::vector<TY> want(ny), got(ny);
  const int32_t *b = randomIn(rng, 0, 3) ? bias.data() : nullptr;
  qconvReference(&p, x.data(), w.data(), b, mult.data(), shift.data(), want.data());
  std::vector<int64_t> scratch(tmc::qconv_scratch_bytes(&p) / 8 + 1);
  tmc::qconv(&p, x.data(), w.data(), b, mult.data(), shift.data(), got.data(),
             reinterpret_cast<int16_t *>(scratch.data()));
  INFO("trial " << trial << ": group " << group << " icg " << icg << " ocg " << ocg
                << " in " << p.in_size[0] << "x" << p.in_size[1] << "x" << p.in_size[2]
                << " kernel " << p.kernel[0] << "x" << p.kernel[1] << "x" << p.kernel[2]
                << " patch path " << tmc::qconv_uses_patch(&p));
  CHECK(got == want);
}

template <typename TX, typename TW, typename TY> void checkRandomQFc(std::mt19937 &rng) {
  tmc::QFcParams p;
  p.rows = randomIn(rng, 1, 3);
  p.n = randomIn(rng, 1, 11);
  p.k = randomIn(rng, 1, 70);
  p.x_zp = tmc::Limits<TX>::lowest() + randomIn(rng, 0, 255);
  p.w_zp = randomIn(rng, 0, 1) ? 0 : tmc::Limits<TW>::lowest() + randomIn(rng, 0, 255);
  p.y_zp = tmc::Limits<TY>::lowest() + randomIn(rng, 0, 255);
  p.act_min = tmc::Limits<TY>::lowest();
  p.act_max = tmc::Limits<TY>::highest();
  auto x = randomCodes<TX>(rng, size_t(p.rows) * p.k);
  auto w = randomCodes<TW>(rng, size_t(p.n) * p.k);
  std::vector<int32_t> bias(p.n), mult(p.n), shift(p.n);
  for (int j = 0; j < p.n; ++j) {
    bias[j] = randomIn(rng, -20000, 20000);
    mult[j] = randomIn(rng, 1 << 29, 0x7fffffff);
    shift[j] = randomIn(rng, 36, 42);
  }
  std::vector<TY> want(size_t(p.rows) * p.n), got(want.size());
  for (int r = 0; r < p.rows; ++r)
    for (int j = 0; j < p.n; ++j) {
      int32_t acc = bias[j];
      for (int l = 0; l < p.k; ++l)
        acc += (int32_t(x[r * p.k + l]) - p.x_zp) * (int32_t(w[j * p.k + l]) - p.w_zp);
      want[r * p.n + j] = tmc::requant_store<TY>(tmc::requantize(acc, mult[j], shift[j]), p.y_zp,
                                                 p.act_min, p.act_max);
    }
  std::vector<int64_t> scratch(tmc::qfc_scratch_bytes(&p) / 8 + 1);
  tmc::qfc(&p, x.data(), w.data(), bias.data(), mult.data(), shift.data(), got.data(),
           reinterpret_cast<int16_t *>(scratch.data()));
  CHECK(got == want);
}

} // namespace

TEST_CASE("qconv's patch and direct paths equal the generic convolution loop") {
  std::mt19937 rng(20261205);
  for (int trial = 0; trial < 150; ++trial) {
    checkRandomQConv<int8_t, int8_t, int8_t>(rng, trial);
    checkRandomQConv<uint8_t, int8_t, uint8_t>(rng, trial);
    checkRandomQConv<uint8_t, uint8_t, int8_t>(rng, trial);
    checkRandomQConv<int8_t, uint8_t, uint8_t>(rng, trial);
  }
}

TEST_CASE("qfc equals the plain dot-product loop") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 100; ++trial) {
    checkRandomQFc<int8_t, int8_t, int8_t>(rng);
    checkRandomQFc<uint8_t, uint8_t, uint8_t>(rng);
    checkRandomQFc<uint8_t, int8_t, int8_t>(rng);
  }
}

TEST_CASE("requantize and requant_store equal their plain 64-bit definitions") {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 200000; ++trial) {
    const int32_t acc = static_cast<int32_t>(rng());
    const int32_t mult = static_cast<int32_t>(rng() >> 1);
    const int32_t shift = randomIn(rng, 1, 62);
    const int64_t t = static_cast<int64_t>(acc) * mult + (static_cast<int64_t>(1) << (shift - 1));
    const int32_t want = static_cast<int32_t>(t >> shift);
    REQUIRE(tmc::requantize(acc, mult, shift) == want);
    const int32_t zp = randomIn(rng, -128, 127), lo = randomIn(rng, -128, 0);
    int64_t r = static_cast<int64_t>(want) + zp;
    r = r < lo ? lo : (r > 127 ? 127 : r);
    REQUIRE(tmc::requant_store<int8_t>(want, zp, lo, 127) == r);
  }
}
