//===- QuantizeQDQ.cpp - turns QDQ patterns into integer ops --------------===//
//
// A QDQ model (and what the PTQ pass makes) computes in float between
// DequantizeLinear and QuantizeLinear nodes with constant scales and zero
// points. This pass makes those regions integer:
//
// - Data movement (Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Identity,
//   MaxPool, GlobalMaxPool, and Concat of inputs with one quantisation)
//   commutes with a per-tensor DequantizeLinear, so N(DQ(x)) becomes
//   DQ(N(x)): the op moves int8 bytes instead of floats.
// - Q(DQ(x)) with the same quantisation is x.
// - DQ(x), DQ(w) -> Conv/Gemm/MatMul (+ bias) [+ Relu/Clip] -> Q becomes
//   tmc.QConv / tmc.QFc: int8 weights stay constants, the bias becomes int32
//   in units of x_scale * w_scale, and the rescale x_scale * w_scale /
//   y_scale becomes a per-output-channel int32 multiplier and right shift
//   (operands); Relu and Clip become the clamp bounds, which is exact because
//   quantisation is monotonic.
// - DQ(a), DQ(b) -> Add -> Q becomes tmc.QAdd, -> Mul -> Q tmc.QMul (either
//   operand may be a dequantised constant); DQ(x) -> AveragePool /
//   GlobalAveragePool -> Q becomes tmc.QAvgPool; DQ(x) -> Softmax -> Q
//   becomes tmc.QSoftmax (an exp table and a fixed-point division).
// - DQ(x) -> f -> Q for an elementwise f of one activation (Sigmoid, Tanh,
//   HardSwish, LeakyRelu, ..., or Add/Mul/... with a constant scalar), and
//   Q(DQ(x)) with another quantisation, become tmc.QLut: an int8 input has
//   256 values, so the compiler evaluates Q(f(DQ(code))) for each of them
//   with the float kernel and the device only looks the result up. Exact
//   with respect to the float computation by construction.
// - A Concat whose inputs are quantised differently from its output gets a
//   tmc.QLut rescale on each such input and concatenates int8.
//
// Quantisation parameters are not carried on tensors: every integer op holds
// its own (zero points and clamps as attributes, per-channel values as
// constant operands), which keeps the IR unchanged for every other pass.
// Anything not recognised keeps its Q/DQ nodes and runs in float, which is
// still correct; the compile summary lists those ops.
//
//===----------------------------------------------------------------------===//
#include "passes/QuantizeQDQ.h"
#include "ir/ShapeInference.h"
#include "passes/Evaluator.h"
#include "passes/Pass.h"
#include "llvm/ADT/DenseSet.h"
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

namespace tinymlc {

namespace {

struct QParams {
  std::vector<float> scale;
  std::vector<int32_t> zp;
  DType type = DType::I8;
  int64_t axis = 1;
  bool perTensor() const { return scale.size() == 1; }
};

int32_t qmin(DType t) { return t == DType::I8 ? -128 : 0; }
int32_t qmax(DType t) { return t == DType::I8 ? 127 : 255; }

/// The quantisation given by constant `scale` and `zp` tensors (zp may be
/// absent) for values of `type`; std::nullopt when they are not constants or a
/// scale is not positive and finite.
std::optional<QParams> constParams(const Value *s, const Value *z, DType type, int64_t axis) {
  if (!s || !s->isConstant() || (z && !z->isConstant()))
    return std::nullopt;
  QParams q;
  for (double d : s->doubleValues())
    q.scale.push_back(static_cast<float>(d));
  if (z)
    for (int64_t v : z->intValues())
      q.zp.push_back(static_cast<int32_t>(v));
  else
    q.zp.assign(q.scale.size(), 0);
  if (q.zp.size() != q.scale.size())
    return std::nullopt;
  q.type = type;
  q.axis = axis;
  for (float v : q.scale)
    if (!(v > 0) || !std::isfinite(v))
      return std::nullopt;
  return q;
}

/// The constant quantisation of a QuantizeLinear or DequantizeLinear node.
std::optional<QParams> quantParams(const Node &n) {
  DType type = n.kind() == OpKind::QuantizeLinear ? n.output(0)->dtype() : n.input(0)->dtype();
  if (type != DType::I8 && type != DType::U8 && n.kind() == OpKind::QuantizeLinear)
    return std::nullopt;
  int64_t axis = n.getInt("axis", 1);
  if (axis < 0)
    axis += n.input(0)->rank();
  return constParams(n.input(1), n.input(2), type, axis);
}

bool sameParams(const QParams &a, const QParams &b) {
  return a.perTensor() && b.perTensor() && a.type == b.type && a.scale[0] == b.scale[0] &&
         a.zp[0] == b.zp[0];
}

/// The DequantizeLinear producing `v` with a per-tensor int8/uint8
/// quantisation, of an activation or of a constant.
Node *tensorDQ(const Value *v, QParams &q) {
  Node *p = v ? v->producer() : nullptr;
  if (!p || p->kind() != OpKind::DequantizeLinear)
    return nullptr;
  auto qp = quantParams(*p);
  if (!qp || !qp->perTensor() || (qp->type != DType::I8 && qp->type != DType::U8))
    return nullptr;
  q = *qp;
  return p;
}

/// The same for a non-constant tensor (an activation) only.
Node *activationDQ(const Value *v, QParams &q) {
  Node *p = v ? v->producer() : nullptr;
  if (!p || p->kind() != OpKind::DequantizeLinear || p->input(0)->isConstant())
    return nullptr;
  return tensorDQ(v, q);
}

/// ONNX's quantisation of one value: round half to even, saturate.
int32_t quantizeValue(double v, const QParams &q) {
  float r = std::nearbyint(static_cast<float>(v) / q.scale[0]) + static_cast<float>(q.zp[0]);
  if (!(r > qmin(q.type)))
    return qmin(q.type);
  if (r >= qmax(q.type))
    return qmax(q.type);
  return static_cast<int32_t>(r);
}

/// multiplier * 2^-shift ~= r with multiplier < 2^31 and 1 <= shift <= maxShift.
std::optional<std::pair<int32_t, int32_t>> fixedPoint(double r, int maxShift = 62) {
  if (!(r > 0) || !std::isfinite(r))
    return std::nullopt;
  int e = 0;
  double f = std::frexp(r, &e); // r = f * 2^e, f in [0.5, 1)
  int64_t m = std::llround(std::ldexp(f, 31));
  int64_t shift = 31 - e;
  if (m == (int64_t(1) << 31)) {
    m /= 2;
    --shift;
  }
  while (shift > maxShift) { // a tiny factor: give up low multiplier bits
    m = (m + 1) >> 1;
    --shift;
  }
  if (shift < 1 || m >= (int64_t(1) << 31))
    return std::nullopt;
  return std::make_pair(static_cast<int32_t>(m), static_cast<int32_t>(shift));
}

std::vector<uint8_t> int32Bytes(const std::vector<int32_t> &v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

bool isDataMovement(OpKind k) {
  switch (k) {
  case OpKind::Reshape:
  case OpKind::Flatten:
  case OpKind::Transpose:
  case OpKind::Squeeze:
  case OpKind::Unsqueeze:
  case OpKind::Identity:
  case OpKind::MaxPool:
  case OpKind::GlobalMaxPool:
    return true;
  default:
    return false;
  }
}

class QuantizeQDQPass : public Pass {
public:
  llvm::StringRef name() const override { return "quantize-qdq"; }
  llvm::StringRef summary() const override {
    return "turns DequantizeLinear -> Conv/Gemm/MatMul/Add/AveragePool -> QuantizeLinear "
           "patterns into integer ops and moves int8 data through data-movement ops";
  }

  llvm::Error run(Graph &g, PassContext &ctx) override {
    if (auto e = rewriteQOperators(g, ctx))
      return e;
    if (auto e = sinkDequantize(g, ctx))
      return e;
    if (auto e = rewriteCompute(g, ctx))
      return e;
    cancelPairs(g, ctx);
    g.removeUnusedValues();
    return llvm::Error::success();
  }

private:
  /// QLinearConv and QLinearMatMul whose weights, scales and zero points are
  /// constants become tmc.QConv / tmc.QFc: the requantisation by
  /// x_scale * w_scale / y_scale, which ONNX defines in float, becomes a
  /// fixed-point multiplier and shift (within one step of the float result).
  llvm::Error rewriteQOperators(Graph &g, PassContext &ctx) {
    llvm::DenseSet<const Node *> erase;
    for (Node *n : g.nodes()) {
      Node *made = nullptr;
      if (n->kind() == OpKind::QLinearConv)
        made = rewriteQLinearConv(g, *n);
      else if (n->kind() == OpKind::QLinearMatMul)
        made = rewriteQLinearMatMul(g, *n);
      if (!made)
        continue;
      if (auto e = inferNode(*made))
        return e;
      erase.insert(n);
      ++ctx.stats["quantize-qdq.integer-ops"];
    }
    g.eraseNodes([&](const Node &n) { return erase.count(&n) != 0; });
    return llvm::Error::success();
  }

  /// x, w and y quantisation of a QLinearConv (inputs 0-7) or QLinearMatMul;
  /// w per tensor or per channel along `wAxis` with `channels` entries and
  /// one zero point.
  static bool qoperatorParams(const Node &n, int64_t wAxis, int64_t channels, QParams &xq,
                              QParams &wq, QParams &yq) {
    auto x = constParams(n.input(1), n.input(2), n.input(0)->dtype(), 1);
    auto w = constParams(n.input(4), n.input(5), n.input(3)->dtype(), wAxis);
    auto y = constParams(n.input(6), n.input(7), n.output(0)->dtype(), 1);
    if (!x || !w || !y || !x->perTensor() || !y->perTensor() || !n.input(3)->isConstant())
      return false;
    if (!w->perTensor() && int64_t(w->scale.size()) != channels)
      return false;
    for (int32_t z : w->zp)
      if (z != w->zp[0])
        return false;
    xq = *x;
    wq = *w;
    yq = *y;
    return true;
  }

  static Node *rewriteQLinearConv(Graph &g, Node &conv) {
    QParams xq, wq, yq;
    int64_t m = conv.input(3)->shape()[0];
    if (!qoperatorParams(conv, 0, m, xq, wq, yq))
      return nullptr;
    std::vector<int32_t> bias(m, 0), mult, shift;
    if (const Value *b = conv.numInputs() > 8 ? conv.input(8) : nullptr) {
      if (!b->isConstant() || b->numElements() != m)
        return nullptr;
      std::vector<int64_t> v = b->intValues();
      bias.assign(v.begin(), v.end());
    }
    if (!requantOperands(m, xq.scale[0], wq, yq.scale[0], mult, shift) ||
        !accumulatorFits(conv.input(3)->numElements() / m, xq, wq, bias))
      return nullptr;
    Node *n = makeNode(g, OpKind::TmcQConv, conv, conv, conv.input(0), conv.input(3), bias, mult,
                       shift);
    for (const char *a : {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"})
      if (const Attribute *v = conv.attr(a))
        n->setAttr(a, *v);
    setCommonAttrs(*n, xq.zp[0], wq.zp[0], yq, qmin(yq.type), qmax(yq.type));
    return n;
  }

  /// QLinearMatMul with a constant 2-d B [K, N] becomes tmc.QFc over [N, K].
  static Node *rewriteQLinearMatMul(Graph &g, Node &mm) {
    const Value *a = mm.input(0), *b = mm.input(3);
    if (b->rank() != 2 || a->rank() < 2)
      return nullptr;
    int64_t k = b->shape()[0], nOut = b->shape()[1];
    QParams xq, wq, yq;
    if (!qoperatorParams(mm, 1, nOut, xq, wq, yq))
      return nullptr;
    std::vector<int32_t> bias(nOut, 0), mult, shift;
    if (!requantOperands(nOut, xq.scale[0], wq, yq.scale[0], mult, shift) ||
        !accumulatorFits(k, xq, wq, bias))
      return nullptr;
    Node *made = makeNode(g, OpKind::TmcQFc, mm, mm, mm.input(0), transposedWeight(g, b), bias,
                          mult, shift);
    setCommonAttrs(*made, xq.zp[0], wq.zp[0], yq, qmin(yq.type), qmax(yq.type));
    return made;
  }

  /// A constant [K, N] weight stored [N, K], one row per output.
  static Value *transposedWeight(Graph &g, const Value *w) {
    int64_t k = w->shape()[0], n = w->shape()[1];
    llvm::ArrayRef<uint8_t> src = w->bytes();
    std::vector<uint8_t> t(src.size());
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        t[j * k + i] = src[i * n + j];
    return g.addConstant(w->name() + "_nk", w->dtype(), {n, k}, std::move(t));
  }

  /// N(DQ(x)) => DQ(N(x)) for data-movement ops, in one forward sweep (a
  /// chain of them moves the DQ to its end).
  llvm::Error sinkDequantize(Graph &g, PassContext &ctx) {
    std::vector<Node *> order = g.nodes();
    for (size_t i = 0; i < order.size(); ++i) {
      Node *n = order[i];
      // Precondition: a data-movement op with one output, fed by a
      // per-tensor DQ of an activation.
      // A Concat qualifies when every input has the same quantisation.
      bool concat = n->kind() == OpKind::Concat;
      if ((!isDataMovement(n->kind()) && !concat) || n->numOutputs() != 1 || !n->output(0))
        continue;
      QParams q;
      Node *dq = activationDQ(n->input(0), q);
      if (!dq)
        continue;
      std::vector<Value *> quantised = {dq->input(0)};
      for (unsigned k = 1; concat && k < n->numInputs(); ++k) {
        QParams qk;
        Node *dk = activationDQ(n->input(k), qk);
        if (!dk || !sameParams(q, qk))
          break;
        quantised.push_back(dk->input(0));
      }
      if (concat && quantised.size() != n->numInputs())
        continue;
      Value *x = dq->input(0), *old = n->output(0);
      std::vector<Node *> users = g.users(old);
      if (users.empty() && !g.isGraphOutput(old))
        continue;
      Value *nq = g.addValue(old->name() + "_q", x->dtype(), old->shape());
      for (unsigned k = 0; k < quantised.size(); ++k)
        n->setInput(k, quantised[k]);
      g.setNodeOutput(n, 0, nq);
      // The new DQ goes right after n (before the next node, which may read it).
      Node *next = i + 1 < order.size() ? order[i + 1] : nullptr;
      std::vector<Value *> ins = {nq, dq->input(1)};
      if (dq->input(2))
        ins.push_back(dq->input(2));
      Node *ndq = g.insertNodeBefore(next, OpKind::DequantizeLinear, n->name() + "_dq", ins,
                                     {old});
      if (auto e = inferNode(*ndq))
        return e;
      if (auto e = inferNode(*n))
        return e;
      order = g.nodes();
      ++ctx.stats["quantize-qdq.moved"];
    }
    return llvm::Error::success();
  }

  /// Q(DQ(x)) with the same quantisation => x.
  void cancelPairs(Graph &g, PassContext &ctx) {
    for (Node *q : g.nodes()) {
      if (q->kind() != OpKind::QuantizeLinear)
        continue;
      QParams a;
      Node *dq = activationDQ(q->input(0), a);
      auto qp = quantParams(*q);
      if (!dq || !qp || !sameParams(a, *qp) || g.isGraphOutput(q->output(0)))
        continue;
      g.replaceAllUsesWith(q->output(0), dq->input(0));
      ++ctx.stats["quantize-qdq.cancelled"];
    }
  }

  llvm::Error rewriteCompute(Graph &g, PassContext &ctx) {
    llvm::DenseSet<const Node *> erase;
    for (Node *q : g.nodes()) {
      // Precondition: a QuantizeLinear with constant per-tensor int8/uint8
      // quantisation, whose input has no other reader.
      if (q->kind() != OpKind::QuantizeLinear)
        continue;
      auto yq = quantParams(*q);
      if (!yq || !yq->perTensor())
        continue;
      Value *t = q->input(0);
      Node *p = t->producer();
      if (!p || g.numUses(t) != 1 || g.isGraphOutput(t) || erase.count(p))
        continue;
      // An unfused Relu between the op and the Q becomes the clamp.
      Node *relu = nullptr;
      // (Otherwise the Relu itself becomes a table below.)
      if (p->kind() == OpKind::Relu) {
        Value *u = p->input(0);
        Node *pp = u->producer();
        if (pp && g.numUses(u) == 1 && !g.isGraphOutput(u) && !pp->hasAttr("fused_activation")) {
          relu = p;
          p = pp;
        }
      }
      int32_t lo = qmin(yq->type), hi = qmax(yq->type);
      if (!clampBounds(*p, *yq, lo, hi))
        continue;
      if (relu)
        lo = std::max(lo, yq->zp[0]);
      Node *made = nullptr;
      switch (p->kind()) {
      case OpKind::Conv:
        made = rewriteConv(g, *p, *q, *yq, lo, hi);
        break;
      case OpKind::Gemm:
      case OpKind::MatMul:
        made = rewriteLinear(g, *p, *q, *yq, lo, hi);
        break;
      case OpKind::Add:
        made = rewriteAdd(g, *p, *q, *yq, lo, hi);
        break;
      case OpKind::Mul:
        made = rewriteMul(g, *p, *q, *yq, lo, hi);
        break;
      case OpKind::AveragePool:
      case OpKind::GlobalAveragePool:
        if (lo == qmin(yq->type) && hi == qmax(yq->type))
          made = rewriteAvgPool(g, *p, *q, *yq);
        break;
      case OpKind::Softmax:
        if (lo == qmin(yq->type) && hi == qmax(yq->type))
          made = rewriteSoftmax(g, *p, *q, *yq);
        break;
      case OpKind::Concat:
        if (lo == qmin(yq->type) && hi == qmax(yq->type))
          made = rewriteConcat(g, *p, *q, *yq);
        break;
      default:
        break;
      }
      // Anything elementwise of one activation: a table.
      if (!made && !p->hasAttr("fused_activation"))
        made = rewriteLut(g, *p, *q, *yq, lo, hi);
      if (!made)
        continue;
      if (auto e = inferNode(*made))
        return e;
      erase.insert(p);
      erase.insert(q);
      if (relu)
        erase.insert(relu);
      ++ctx.stats["quantize-qdq.integer-ops"];
    }
    g.eraseNodes([&](const Node &n) { return erase.count(&n) != 0; });
    return llvm::Error::success();
  }

  /// Narrows [lo, hi] by the op's fused activation; false if it has one that
  /// is not a clamp.
  static bool clampBounds(const Node &p, const QParams &yq, int32_t &lo, int32_t &hi) {
    if (!p.hasAttr("fused_activation"))
      return true;
    std::string act = p.getString("fused_activation", "");
    if (act == "Relu") {
      lo = std::max(lo, yq.zp[0]);
      return true;
    }
    if (act == "Clip") {
      float a = p.getFloat("fused_alpha", -HUGE_VALF), b = p.getFloat("fused_beta", HUGE_VALF);
      if (std::isfinite(a))
        lo = std::max(lo, quantizeValue(a, yq));
      if (std::isfinite(b))
        hi = std::min(hi, quantizeValue(b, yq));
      return lo <= hi;
    }
    return false;
  }

  /// The weight DQ of a constant int8/uint8 tensor, per tensor or per channel
  /// along `channelAxis` (with `channels` entries); its zero points must all
  /// be equal (they become one scalar).
  static Node *weightDQ(const Value *v, int64_t channelAxis, int64_t channels, QParams &q) {
    Node *p = v ? v->producer() : nullptr;
    if (!p || p->kind() != OpKind::DequantizeLinear || !p->input(0)->isConstant())
      return nullptr;
    auto qp = quantParams(*p);
    if (!qp || (qp->type != DType::I8 && qp->type != DType::U8))
      return nullptr;
    if (!qp->perTensor() && (qp->axis != channelAxis || int64_t(qp->scale.size()) != channels))
      return nullptr;
    for (int32_t z : qp->zp)
      if (z != qp->zp[0])
        return nullptr;
    q = *qp;
    return p;
  }

  /// The int32 bias in units of x_scale * w_scale[m] from a constant float
  /// bias or a DequantizeLinear of a constant; empty when there is none, and
  /// false when it cannot be expressed.
  static bool biasInt(const Value *b, int64_t channels, float xs, const QParams &wq,
                      std::vector<int32_t> &out) {
    out.assign(channels, 0);
    if (!b)
      return true;
    std::vector<double> real;
    const Node *p = b->producer();
    std::optional<QParams> bq;
    std::vector<int64_t> ints;
    if (b->isConstant()) {
      real = b->doubleValues();
    } else if (p && p->kind() == OpKind::DequantizeLinear && p->input(0)->isConstant() &&
               (bq = quantParams(*p))) {
      ints = p->input(0)->intValues();
      real.resize(ints.size());
      for (size_t i = 0; i < ints.size(); ++i) {
        size_t c = bq->perTensor() ? 0 : i;
        real[i] = double(bq->scale[c]) * double(ints[i] - bq->zp[c]);
      }
    } else {
      return false;
    }
    if (real.size() != size_t(channels) && real.size() != 1)
      return false;
    for (int64_t m = 0; m < channels; ++m) {
      size_t i = real.size() == 1 ? 0 : size_t(m);
      double unit = double(xs) * double(wq.scale[wq.perTensor() ? 0 : m]);
      double v;
      // The quantiser's int32 bias is used as it is when its scale is
      // x_scale * w_scale (to float precision), as ONNX Runtime does.
      size_t c = bq && !bq->perTensor() ? i : 0;
      if (bq && std::fabs(double(bq->scale[c]) - unit) <= 1e-6 * unit)
        v = double(ints[i] - bq->zp[c]);
      else
        v = std::nearbyint(real[i] / unit);
      if (!(std::fabs(v) < 2147483647.0))
        return false;
      out[m] = static_cast<int32_t>(v);
    }
    return true;
  }

  /// Whether an int32 accumulator of `k` products of (x - x_zp) * (w - w_zp)
/// plus the bias cannot overflow.
static bool accumulatorFits(int64_t k, const QParams &xq, const QParams &wq,
                            const std::vector<int32_t> &bias) {
  int64_t xr = std::max(std::abs(qmin(xq.type) - xq.zp[0]), std::abs(qmax(xq.type) - xq.zp[0]));
  int64_t wr = std::max(std::abs(qmin(wq.type) - wq.zp[0]), std::abs(qmax(wq.type) - wq.zp[0]));
  int64_t b = 0;
  for (int32_t v : bias)
    b = std::max<int64_t>(b, std::abs(int64_t(v)));
  return k * xr * wr + b < (int64_t(1) << 31);
}

/// The per-channel multiplier and shift of x_scale * w_scale[m] / y_scale.
  static bool requantOperands(int64_t channels, float xs, const QParams &wq, float ys,
                              std::vector<int32_t> &mult, std::vector<int32_t> &shift) {
    for (int64_t m = 0; m < channels; ++m) {
      double r = double(xs) * double(wq.scale[wq.perTensor() ? 0 : m]) / double(ys);
      auto fp = fixedPoint(r);
      if (!fp)
        return false;
      mult.push_back(fp->first);
      shift.push_back(fp->second);
    }
    return true;
  }

  static void setCommonAttrs(Node &n, int32_t xzp, int32_t wzp, const QParams &yq, int32_t lo,
                             int32_t hi) {
    n.setAttr("x_zp", Attribute(int64_t(xzp)));
    n.setAttr("w_zp", Attribute(int64_t(wzp)));
    n.setAttr("y_zp", Attribute(int64_t(yq.zp[0])));
    n.setAttr("act_min", Attribute(int64_t(lo)));
    n.setAttr("act_max", Attribute(int64_t(hi)));
    n.setAttr("to", Attribute(int64_t(dtypeToOnnx(yq.type))));
  }

  /// Adds the bias, multiplier and shift constants and the integer node.
  static Node *makeNode(Graph &g, OpKind kind, Node &p, Node &q, Value *x, Value *w,
                        const std::vector<int32_t> &bias, const std::vector<int32_t> &mult,
                        const std::vector<int32_t> &shift) {
    int64_t c = static_cast<int64_t>(bias.size());
    Value *vb = g.addConstant(p.name() + "_bias_i32", DType::I32, {c}, int32Bytes(bias));
    Value *vm = g.addConstant(p.name() + "_multiplier", DType::I32, {c}, int32Bytes(mult));
    Value *vs = g.addConstant(p.name() + "_shift", DType::I32, {c}, int32Bytes(shift));
    return g.insertNodeBefore(&q, kind, p.name(), {x, w, vb, vm, vs}, {q.output(0)});
  }

  static Node *rewriteConv(Graph &g, Node &conv, Node &q, const QParams &yq, int32_t lo,
                           int32_t hi) {
    QParams xq, wq;
    Node *dx = activationDQ(conv.input(0), xq);
    int64_t m = conv.input(1)->shape()[0];
    Node *dw = weightDQ(conv.input(1), 0, m, wq);
    if (!dx || !dw)
      return nullptr;
    std::vector<int32_t> bias, mult, shift;
    if (!biasInt(conv.input(2), m, xq.scale[0], wq, bias) ||
        !requantOperands(m, xq.scale[0], wq, yq.scale[0], mult, shift) ||
        !accumulatorFits(conv.input(1)->numElements() / m, xq, wq, bias))
      return nullptr;
    Node *n = makeNode(g, OpKind::TmcQConv, conv, q, dx->input(0), dw->input(0), bias, mult,
                       shift);
    for (const char *a : {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"})
      if (const Attribute *v = conv.attr(a))
        n->setAttr(a, *v);
    setCommonAttrs(*n, xq.zp[0], wq.zp[0], yq, lo, hi);
    return n;
  }

  /// Gemm (transA = 0, alpha = 1, beta = 1) and MatMul with a constant 2-d
  /// weight become tmc.QFc with the weight stored [N, K].
  static Node *rewriteLinear(Graph &g, Node &p, Node &q, const QParams &yq, int32_t lo,
                             int32_t hi) {
    bool gemm = p.kind() == OpKind::Gemm;
    if (gemm && (p.getInt("transA", 0) != 0 || p.getFloat("alpha", 1.0f) != 1.0f ||
                 (p.input(2) && p.getFloat("beta", 1.0f) != 1.0f)))
      return nullptr;
    bool transB = gemm && p.getInt("transB", 0) != 0;
    QParams xq, wq;
    Node *dx = activationDQ(p.input(0), xq);
    const Value *wv = p.input(1);
    if (!dx || wv->rank() != 2 || p.input(0)->rank() < 2)
      return nullptr;
    int64_t k = transB ? wv->shape()[1] : wv->shape()[0];
    int64_t n = transB ? wv->shape()[0] : wv->shape()[1];
    Node *dw = weightDQ(wv, transB ? 0 : 1, n, wq);
    if (!dw)
      return nullptr;
    const Value *bv = gemm ? p.input(2) : nullptr;
    if (bv && bv->numElements() != n && bv->numElements() != 1)
      return nullptr;
    std::vector<int32_t> bias, mult, shift;
    if (!biasInt(bv, n, xq.scale[0], wq, bias) ||
        !requantOperands(n, xq.scale[0], wq, yq.scale[0], mult, shift) ||
        !accumulatorFits(k, xq, wq, bias))
      return nullptr;
    Value *w = dw->input(0);
    if (!transB) // [K, N] -> [N, K]
      w = transposedWeight(g, w);
    Node *made = makeNode(g, OpKind::TmcQFc, p, q, dx->input(0), w, bias, mult, shift);
    setCommonAttrs(*made, xq.zp[0], wq.zp[0], yq, lo, hi);
    return made;
  }

  static Node *rewriteAdd(Graph &g, Node &add, Node &q, const QParams &yq, int32_t lo,
                          int32_t hi) {
    QParams aq, bq;
    Node *da = activationDQ(add.input(0), aq), *db = activationDQ(add.input(1), bq);
    if (!da || !db || add.input(0)->shape() != add.input(1)->shape())
      return nullptr;
    double ra = double(aq.scale[0]) / yq.scale[0], rb = double(bq.scale[0]) / yq.scale[0];
    int e = 0;
    std::frexp(std::max(ra, rb), &e);
    int shift = std::min(62, 30 - e); // the larger multiplier in [2^29, 2^30)
    if (shift < 1)
      return nullptr;
    int64_t ma = std::llround(std::ldexp(ra, shift)), mb = std::llround(std::ldexp(rb, shift));
    Node *n = g.insertNodeBefore(&q, OpKind::TmcQAdd, add.name(), {da->input(0), db->input(0)},
                                 {q.output(0)});
    n->setAttr("a_zp", Attribute(int64_t(aq.zp[0])));
    n->setAttr("b_zp", Attribute(int64_t(bq.zp[0])));
    n->setAttr("y_zp", Attribute(int64_t(yq.zp[0])));
    n->setAttr("a_multiplier", Attribute(ma));
    n->setAttr("b_multiplier", Attribute(mb));
    n->setAttr("shift", Attribute(int64_t(shift)));
    n->setAttr("act_min", Attribute(int64_t(lo)));
    n->setAttr("act_max", Attribute(int64_t(hi)));
    n->setAttr("to", Attribute(int64_t(dtypeToOnnx(yq.type))));
    return n;
  }

  static Node *rewriteMul(Graph &g, Node &mul, Node &q, const QParams &yq, int32_t lo,
                          int32_t hi) {
    QParams aq, bq;
    Node *da = tensorDQ(mul.input(0), aq), *db = tensorDQ(mul.input(1), bq);
    if (!da || !db || !broadcastShapes(mul.input(0)->shape(), mul.input(1)->shape()))
      return nullptr;
    auto fp = fixedPoint(double(aq.scale[0]) * double(bq.scale[0]) / double(yq.scale[0]));
    if (!fp)
      return nullptr;
    Node *n = g.insertNodeBefore(&q, OpKind::TmcQMul, mul.name(), {da->input(0), db->input(0)},
                                 {q.output(0)});
    n->setAttr("a_zp", Attribute(int64_t(aq.zp[0])));
    n->setAttr("b_zp", Attribute(int64_t(bq.zp[0])));
    n->setAttr("y_zp", Attribute(int64_t(yq.zp[0])));
    n->setAttr("multiplier", Attribute(int64_t(fp->first)));
    n->setAttr("shift", Attribute(int64_t(fp->second)));
    n->setAttr("act_min", Attribute(int64_t(lo)));
    n->setAttr("act_max", Attribute(int64_t(hi)));
    n->setAttr("to", Attribute(int64_t(dtypeToOnnx(yq.type))));
    return n;
  }

  /// Softmax: for the code distance d = max - x (0..255) the table holds
  /// exp(-d * x_scale) in units of 2^-23; the kernel divides by the row's sum
  /// and rescales by 1 / y_scale as multiplier * 2^-shift.
  static Node *rewriteSoftmax(Graph &g, Node &sm, Node &q, const QParams &yq) {
    QParams xq;
    Node *dx = activationDQ(sm.input(0), xq);
    if (!dx)
      return nullptr;
    std::vector<int32_t> table(256);
    for (int d = 0; d < 256; ++d)
      table[d] = static_cast<int32_t>(
          std::llround(std::ldexp(std::exp(-double(d) * double(xq.scale[0])), 23)));
    int e = 0;
    std::frexp(1.0 / double(yq.scale[0]), &e); // 1 / y_scale in [2^(e-1), 2^e)
    int shift = 31 - e;                       // multiplier in [2^30, 2^31)
    if (shift < 1 || shift > 40)
      return nullptr;
    int64_t mult = std::llround(std::ldexp(1.0 / double(yq.scale[0]), shift));
    if (mult >= (int64_t(1) << 31))
      return nullptr;
    Value *tv = g.addConstant(sm.name() + "_exp_table", DType::I32, {256}, int32Bytes(table));
    Node *n = g.insertNodeBefore(&q, OpKind::TmcQSoftmax, sm.name(), {dx->input(0), tv},
                                 {q.output(0)});
    n->setAttr("axis", Attribute(sm.getInt("axis", -1)));
    n->setAttr("y_zp", Attribute(int64_t(yq.zp[0])));
    n->setAttr("multiplier", Attribute(mult));
    n->setAttr("shift", Attribute(int64_t(shift)));
    n->setAttr("to", Attribute(int64_t(dtypeToOnnx(yq.type))));
    return n;
  }

  /// The 256-entry table of Q_y(f(DQ_x(code))) for an op `f` of one
  /// activation (input `which`; every other input a constant scalar),
  /// clamped to [lo, hi]; f = identity when `f` is null. std::nullopt when f
  /// cannot be evaluated on its own.
  static std::optional<std::vector<uint8_t>> lutTable(const Node *f, unsigned which,
                                                      const QParams &xq, const QParams &yq,
                                                      int32_t lo, int32_t hi) {
    std::vector<float> x(256), y(256);
    int32_t first = qmin(xq.type);
    for (int i = 0; i < 256; ++i) // DequantizeLinear: (code - zp) * scale in float
      x[i] = static_cast<float>(first + i - xq.zp[0]) * xq.scale[0];
    if (f) {
      Graph tmp;
      std::vector<Value *> ins;
      std::vector<const uint8_t *> ptrs;
      for (unsigned k = 0; k < f->numInputs(); ++k) {
        const Value *v = f->input(k);
        if (!v) {
          ins.push_back(nullptr);
          ptrs.push_back(nullptr);
        } else if (k == which) {
          ins.push_back(tmp.addValue("x", DType::F32, {256}));
          ptrs.push_back(reinterpret_cast<const uint8_t *>(x.data()));
        } else {
          llvm::ArrayRef<uint8_t> b = v->bytes();
          ins.push_back(tmp.addConstant("c" + std::to_string(k), v->dtype(), v->shape(),
                                        std::vector<uint8_t>(b.begin(), b.end())));
          ptrs.push_back(ins.back()->bytes().data());
        }
      }
      Value *out = tmp.addValue("y", DType::F32, {256});
      Node *n = tmp.addNode(f->kind(), "f", ins, {out});
      for (const auto &a : f->attrs())
        n->setAttr(a.first, a.second);
      if (auto e = inferNode(*n)) {
        llvm::consumeError(std::move(e));
        return std::nullopt;
      }
      if (out->dtype() != DType::F32 || out->shape() != llvm::ArrayRef<int64_t>{256})
        return std::nullopt;
      uint8_t *o = reinterpret_cast<uint8_t *>(y.data());
      if (auto e = evaluateNode(*n, ptrs, {o})) {
        llvm::consumeError(std::move(e));
        return std::nullopt;
      }
    } else {
      y = x;
    }
    std::vector<uint8_t> table(256);
    for (int i = 0; i < 256; ++i) {
      int32_t c = std::clamp(quantizeValue(y[i], yq), lo, hi);
      table[i] = static_cast<uint8_t>(c & 0xff);
    }
    return table;
  }

  static Node *makeLut(Graph &g, Node &before, const std::string &name, Value *x,
                       const std::vector<uint8_t> &table, const QParams &yq, Value *out) {
    Value *tv = g.addConstant(name + "_table", yq.type, {256}, table);
    Node *n = g.insertNodeBefore(&before, OpKind::TmcQLut, name, {x, tv}, {out});
    n->setAttr("to", Attribute(int64_t(dtypeToOnnx(yq.type))));
    return n;
  }

  /// Whether `k` is elementwise in its (one) float operand: the output has
  /// the operand's shape and each element depends on that element alone.
  static bool isElementwise(const Node &n, unsigned &which) {
    switch (n.kind()) {
    case OpKind::Abs: case OpKind::Ceil: case OpKind::Celu: case OpKind::Clip:
    case OpKind::Cos: case OpKind::Elu: case OpKind::Erf: case OpKind::Exp:
    case OpKind::Floor: case OpKind::HardSigmoid: case OpKind::HardSwish:
    case OpKind::LeakyRelu: case OpKind::Log: case OpKind::Neg: case OpKind::Reciprocal:
    case OpKind::Relu: case OpKind::Round: case OpKind::Selu: case OpKind::Shrink:
    case OpKind::Sigmoid: case OpKind::Sign: case OpKind::Sin: case OpKind::Softplus:
    case OpKind::Softsign: case OpKind::Sqrt: case OpKind::Tanh:
    case OpKind::ThresholdedRelu: case OpKind::DequantizeLinear:
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div:
    case OpKind::Pow: case OpKind::Max: case OpKind::Min: case OpKind::PRelu:
      break;
    default:
      return false;
    }
    if (n.kind() == OpKind::DequantizeLinear) {
      which = 0;
      return true;
    }
    int found = -1;
    for (unsigned k = 0; k < n.numInputs(); ++k) {
      const Value *v = n.input(k);
      if (!v)
        continue;
      if (v->isConstant()) {
        if (v->numElements() != 1)
          return false;
        continue;
      }
      if (found >= 0)
        return false;
      found = static_cast<int>(k);
    }
    if (found < 0 || n.input(found)->shape() != n.output(0)->shape())
      return false;
    which = static_cast<unsigned>(found);
    return true;
  }

  static Node *rewriteLut(Graph &g, Node &f, Node &q, const QParams &yq, int32_t lo,
                          int32_t hi) {
    unsigned which = 0;
    if (!isElementwise(f, which))
      return nullptr;
    QParams xq;
    bool requant = f.kind() == OpKind::DequantizeLinear;
    Node *dx = requant ? &f : activationDQ(f.input(which), xq);
    if (requant) {
      auto qp = quantParams(f);
      if (!qp || !qp->perTensor() || f.input(0)->isConstant())
        return nullptr;
      xq = *qp;
      if (sameParams(xq, yq) && lo == qmin(yq.type) && hi == qmax(yq.type))
        return nullptr; // Q(DQ(x)) = x: cancelPairs removes it
    }
    if (!dx)
      return nullptr;
    auto table = lutTable(requant ? nullptr : &f, which, xq, yq, lo, hi);
    if (!table)
      return nullptr;
    return makeLut(g, q, f.name(), dx->input(0), *table, yq, q.output(0));
  }

  /// Concat of differently quantised inputs: each input whose quantisation
  /// is not the output's is rescaled by a table first.
  static Node *rewriteConcat(Graph &g, Node &cat, Node &q, const QParams &yq) {
    std::vector<Value *> ins;
    std::vector<std::pair<Value *, QParams>> sources;
    for (unsigned k = 0; k < cat.numInputs(); ++k) {
      QParams xq;
      Node *dx = activationDQ(cat.input(k), xq);
      if (!dx || xq.type != yq.type)
        return nullptr;
      sources.push_back({dx->input(0), xq});
    }
    for (unsigned k = 0; k < sources.size(); ++k) {
      auto &[x, xq] = sources[k];
      if (sameParams(xq, yq)) {
        ins.push_back(x);
        continue;
      }
      auto table = lutTable(nullptr, 0, xq, yq, qmin(yq.type), qmax(yq.type));
      if (!table)
        return nullptr;
      std::string name = cat.name() + "_rescale" + std::to_string(k);
      Value *r = g.addValue(name, yq.type, x->shape());
      Node *lut = makeLut(g, q, name, x, *table, yq, r);
      if (auto e = inferNode(*lut)) {
        llvm::consumeError(std::move(e));
        return nullptr;
      }
      ins.push_back(r);
    }
    Node *n = g.insertNodeBefore(&q, OpKind::Concat, cat.name(), ins, {q.output(0)});
    for (const auto &a : cat.attrs())
      n->setAttr(a.first, a.second);
    return n;
  }

  static Node *rewriteAvgPool(Graph &g, Node &pool, Node &q, const QParams &yq) {
    QParams xq;
    Node *dx = activationDQ(pool.input(0), xq);
    if (!dx || pool.hasAttr("dilations"))
      return nullptr;
    auto fp = fixedPoint(double(xq.scale[0]) / yq.scale[0], 40);
    if (!fp)
      return nullptr;
    Node *n =
        g.insertNodeBefore(&q, OpKind::TmcQAvgPool, pool.name(), {dx->input(0)}, {q.output(0)});
    if (pool.kind() == OpKind::GlobalAveragePool) {
      llvm::ArrayRef<int64_t> s = pool.input(0)->shape().drop_front(2);
      n->setAttr("kernel_shape", Attribute(std::vector<int64_t>(s.begin(), s.end())));
    } else {
      for (const char *a :
           {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"})
        if (const Attribute *v = pool.attr(a))
          n->setAttr(a, *v);
    }
    n->setAttr("x_zp", Attribute(int64_t(xq.zp[0])));
    n->setAttr("y_zp", Attribute(int64_t(yq.zp[0])));
    n->setAttr("multiplier", Attribute(int64_t(fp->first)));
    n->setAttr("shift", Attribute(int64_t(fp->second)));
    n->setAttr("to", Attribute(int64_t(dtypeToOnnx(yq.type))));
    return n;
  }
};

} // namespace

std::map<std::string, IOQuant> makeIntegerIO(Graph &g, std::vector<std::string> &floatEdges) {
  std::map<std::string, IOQuant> result;
  std::set<const Node *> erase;
  auto singleUser = [&](const Value *v) -> Node * {
    std::vector<Node *> us = g.users(v);
    if (us.size() != 1 || g.isGraphOutput(v) || us[0]->input(0) != v)
      return nullptr;
    return us[0];
  };
  for (size_t i = 0; i < g.inputs().size(); ++i) {
    Value *x = g.inputs()[i];
    Node *u = singleUser(x);
    Node *move = nullptr;
    if (u && isDataMovement(u->kind()) && u->kind() != OpKind::MaxPool &&
        u->kind() != OpKind::GlobalMaxPool && u->input(0) == x) {
      move = u;
      u = singleUser(u->output(0));
    }
    std::optional<QParams> q;
    if (!u || u->kind() != OpKind::QuantizeLinear || (move && u->input(0) != move->output(0)) ||
        (!move && u->input(0) != x) || g.isGraphOutput(u->output(0)) ||
        !(q = quantParams(*u)) || !q->perTensor()) {
      floatEdges.push_back("input '" + x->name() + "' (not read by one QuantizeLinear)");
      continue;
    }
    // The new input: int8 in x's shape, under x's name.
    std::string name = x->name();
    g.renameValue(x, name + "_float");
    Value *xq = g.addValue(name, q->type, x->shape());
    g.inputs()[i] = xq;
    Value *y = u->output(0);
    if (move) {
      // x -> move -> Q -> y  becomes  xq -> move -> y.
      move->setInput(0, xq);
      g.eraseNodes([&](const Node &n) { return &n == u; });
      g.setNodeOutput(move, 0, y);
      if (auto e = inferNode(*move))
        llvm::consumeError(std::move(e)); // a data-movement op accepts any type
    } else {
      erase.insert(u);
      g.replaceAllUsesWith(y, xq);
    }
    result[name] = {q->scale[0], q->zp[0]};
  }
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    Value *y = g.outputs()[i];
    Node *dq = y->producer();
    std::optional<QParams> q;
    if (!dq || dq->kind() != OpKind::DequantizeLinear || !(q = quantParams(*dq)) ||
        !q->perTensor() || (q->type != DType::I8 && q->type != DType::U8) ||
        g.isGraphInput(dq->input(0)) || g.isGraphOutput(dq->input(0))) {
      floatEdges.push_back("output '" + y->name() + "' (" +
                           (dq ? opName(dq->kind()).str() : std::string("an input")) +
                           ", not a DequantizeLinear)");
      continue;
    }
    std::string name = y->name();
    Value *yq = dq->input(0);
    erase.insert(dq);
    g.outputs()[i] = yq;
    g.renameValue(y, name + "_float");
    g.renameValue(yq, name);
    result[name] = {q->scale[0], q->zp[0]};
  }
  g.eraseNodes([&](const Node &n) { return erase.count(&n) != 0; });
  g.removeUnusedValues();
  return result;
}

std::unique_ptr<Pass> createQuantizeQDQPass() { return std::make_unique<QuantizeQDQPass>(); }

} // namespace tinymlc
