//===- Quant.cpp - inference for the quantisation ops ---------------------===//
//
// QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, ConvInteger,
// MatMulInteger, QLinearConv and QLinearMatMul (ONNX opset 17 semantics), and
// the integer ops the QDQ pass makes (see passes/QuantizeQDQ.cpp).
//
//===----------------------------------------------------------------------===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

namespace {

bool isQuantType(DType t) { return t == DType::I8 || t == DType::U8; }

llvm::Error quantTypeError(const Node &node, unsigned i, llvm::StringRef what) {
  return nodeError(node, what + " '" + node.input(i)->name() + "' is " +
                             dtypeName(node.input(i)->dtype()) +
                             "; tinymlc supports int8 and uint8 quantisation");
}

/// The `shift` attribute of a fixed-point rescale: in [1, maxShift].
llvm::Error checkShift(const Node &node, int64_t maxShift) {
  int64_t shift = node.getInt("shift", 0);
  if (shift < 1 || shift > maxShift)
    return nodeError(node, "shift " + llvm::Twine(shift) + " must be in [1, " +
                               llvm::Twine(maxShift) + "]");
  return llvm::Error::success();
}

/// Both operands of tmc.QAdd / tmc.QMul are int8 or uint8.
llvm::Error checkQuantOperands(const Node &node) {
  for (unsigned i = 0; i < 2; ++i)
    if (!isQuantType(node.input(i)->dtype()))
      return quantTypeError(node, i, i == 0 ? "A" : "B");
  return llvm::Error::success();
}

/// Checks that input `i` (a scale or zero point) has one value, or `count`
/// values along a 1-d shape when `count` > 1 is allowed.
llvm::Error checkQuantShape(const Node &node, unsigned i, int64_t count, llvm::StringRef what) {
  const Value *v = node.input(i);
  if (!v)
    return llvm::Error::success();
  if (v->numElements() == 1 && v->rank() <= 1)
    return llvm::Error::success();
  if (count > 1 && v->rank() == 1 && v->shape()[0] == count)
    return llvm::Error::success();
  return nodeError(node, what + " '" + v->name() + "' has shape " + shapeToString(v->shape()) +
                             "; it must hold one value" +
                             (count > 1 ? " or " + llvm::Twine(count) + " (one per channel)"
                                        : llvm::Twine("")));
}

/// The common checks of a convolution's geometry; returns the output shape.
llvm::Expected<Shape> convShape(const Node &node, const Value *x, const Value *w) {
  if (x->rank() < 3 || x->rank() > 5)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; convolutions support 1, 2 or 3 spatial dimensions");
  if (w->rank() != x->rank())
    return nodeError(node, "weight '" + w->name() + "' has rank " + llvm::Twine(w->rank()) +
                               " but the input has rank " + llvm::Twine(x->rank()));
  int64_t group = node.getInt("group", 1);
  int64_t c = x->shape()[1], m = w->shape()[0];
  if (group < 1 || c % group != 0 || m % group != 0 || w->shape()[1] * group != c)
    return nodeError(node, "group " + llvm::Twine(group) + " does not fit " + llvm::Twine(c) +
                               " input channels and weight " + shapeToString(w->shape()));
  llvm::ArrayRef<int64_t> kernel = w->shape().drop_front(2);
  std::vector<int64_t> ks = node.getInts("kernel_shape");
  if (!ks.empty() && llvm::ArrayRef<int64_t>(ks) != kernel)
    return nodeError(node, "kernel_shape " + shapeToString(ks) +
                               " does not match the weight's spatial shape " +
                               shapeToString(kernel));
  auto g = windowGeometry(node, x->shape().drop_front(2), kernel);
  if (!g)
    return g.takeError();
  Shape out = {x->shape()[0], m};
  out.append(g->out.begin(), g->out.end());
  return out;
}

#define TINYMLC_CONV_ATTRS                                                                     \
  {"auto_pad", Attribute::Kind::String}, {"dilations", Attribute::Kind::Ints},                \
      {"group", Attribute::Kind::Int}, {"kernel_shape", Attribute::Kind::Ints},               \
      {"pads", Attribute::Kind::Ints}, {"strides", Attribute::Kind::Ints}

/// numpy.matmul's output shape (1-d operands promoted, batch broadcast).
llvm::Expected<Shape> matMulShape(const Node &node, const Value *a, const Value *b) {
  if (a->rank() < 1 || b->rank() < 1)
    return nodeError(node, "matmul inputs must have rank 1 or more");
  Shape as(a->shape().begin(), a->shape().end()), bs(b->shape().begin(), b->shape().end());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  if (as.back() != bs[bs.size() - 2])
    return nodeError(node, "inner dimensions differ: " + shapeToString(a->shape()) + " x " +
                               shapeToString(b->shape()));
  std::optional<Shape> batch = broadcastShapes(llvm::ArrayRef<int64_t>(as).drop_back(2),
                                               llvm::ArrayRef<int64_t>(bs).drop_back(2));
  if (!batch)
    return nodeError(node, "batch dimensions of " + shapeToString(a->shape()) + " and " +
                               shapeToString(b->shape()) + " do not broadcast");
  Shape out = *batch;
  if (a->rank() != 1)
    out.push_back(as[as.size() - 2]);
  if (b->rank() != 1)
    out.push_back(bs.back());
  return out;
}

} // namespace

llvm::Error inferQuantizeLinear(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  bool quantize = node.kind() == OpKind::QuantizeLinear;
  Value *x = node.input(0), *scale = node.input(1), *zp = node.input(2);
  if (quantize) {
    if (x->dtype() != DType::F32)
      return nodeError(node, "input '" + x->name() + "' is " + dtypeName(x->dtype()) +
                                 "; QuantizeLinear takes float");
    if (zp && !isQuantType(zp->dtype()))
      return quantTypeError(node, 2, "zero point");
  } else {
    if (!isQuantType(x->dtype()) && x->dtype() != DType::I32)
      return nodeError(node, "input '" + x->name() + "' is " + dtypeName(x->dtype()) +
                                 "; DequantizeLinear takes int8, uint8 or int32");
    if (auto e = checkSameType(node, {0, 2}))
      return e;
  }
  if (scale->dtype() != DType::F32)
    return nodeError(node, "scale '" + scale->name() + "' must be float, not " +
                               dtypeName(scale->dtype()));
  int64_t channels = 1;
  if (scale->rank() == 1 && scale->shape()[0] != 1) {
    auto axis = normAxis(node, node.getInt("axis", 1), x->rank());
    if (!axis)
      return axis.takeError();
    channels = x->shape()[*axis];
  }
  if (auto e = checkQuantShape(node, 1, channels, "scale"))
    return e;
  if (auto e = checkQuantShape(node, 2, channels, "zero point"))
    return e;
  if (zp && zp->shape() != scale->shape())
    return nodeError(node, "zero point " + shapeToString(zp->shape()) + " and scale " +
                               shapeToString(scale->shape()) + " must have the same shape");
  DType out = quantize ? (zp ? zp->dtype() : DType::U8) : DType::F32;
  setOutput(node, 0, out, x->shape());
  return llvm::Error::success();
}

llvm::Error inferDequantizeLinear(Node &node) { return inferQuantizeLinear(node); }

llvm::Error inferDynamicQuantizeLinear(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *x = node.input(0);
  if (x->dtype() != DType::F32)
    return nodeError(node, "input '" + x->name() + "' is " + dtypeName(x->dtype()) +
                               "; DynamicQuantizeLinear takes float");
  setOutput(node, 0, DType::U8, x->shape());
  setOutput(node, 1, DType::F32, {});
  setOutput(node, 2, DType::U8, {});
  return llvm::Error::success();
}

llvm::Error inferConvInteger(Node &node) {
  if (auto e = checkAttrs(node, {TINYMLC_CONV_ATTRS}))
    return e;
  Value *x = node.input(0), *w = node.input(1);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  if (!isQuantType(w->dtype()))
    return quantTypeError(node, 1, "weight");
  if (auto e = checkSameType(node, {0, 2}))
    return e;
  if (auto e = checkSameType(node, {1, 3}))
    return e;
  if (auto e = checkQuantShape(node, 2, 1, "x zero point"))
    return e;
  if (auto e = checkQuantShape(node, 3, w->shape()[0], "w zero point"))
    return e;
  auto out = convShape(node, x, w);
  if (!out)
    return out.takeError();
  setOutput(node, 0, DType::I32, *out);
  return llvm::Error::success();
}

llvm::Error inferQLinearConv(Node &node) {
  if (auto e = checkAttrs(node, {TINYMLC_CONV_ATTRS}))
    return e;
  Value *x = node.input(0), *w = node.input(3), *yzp = node.input(7), *b = node.input(8);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  if (!isQuantType(w->dtype()))
    return quantTypeError(node, 3, "weight");
  if (!isQuantType(yzp->dtype()))
    return quantTypeError(node, 7, "y zero point");
  if (auto e = checkSameType(node, {0, 2}))
    return e;
  if (auto e = checkSameType(node, {3, 5}))
    return e;
  for (unsigned i : {1u, 4u, 6u})
    if (node.input(i)->dtype() != DType::F32)
      return nodeError(node, "scale '" + node.input(i)->name() + "' must be float");
  int64_t m = w->rank() > 0 ? w->shape()[0] : 1;
  if (auto e = checkQuantShape(node, 1, 1, "x scale"))
    return e;
  if (auto e = checkQuantShape(node, 2, 1, "x zero point"))
    return e;
  if (auto e = checkQuantShape(node, 4, m, "w scale"))
    return e;
  if (auto e = checkQuantShape(node, 5, m, "w zero point"))
    return e;
  if (auto e = checkQuantShape(node, 6, 1, "y scale"))
    return e;
  if (auto e = checkQuantShape(node, 7, 1, "y zero point"))
    return e;
  if (b && (b->dtype() != DType::I32 || b->rank() != 1 || b->shape()[0] != m))
    return nodeError(node, "bias '" + b->name() + "' must be int32 of shape [" +
                               llvm::Twine(m) + "], not " + b->typeString());
  auto out = convShape(node, x, w);
  if (!out)
    return out.takeError();
  setOutput(node, 0, yzp->dtype(), *out);
  return llvm::Error::success();
}

llvm::Error inferMatMulInteger(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  if (auto e = checkQuantOperands(node))
    return e;
  Value *a = node.input(0), *b = node.input(1);
  if (auto e = checkSameType(node, {0, 2}))
    return e;
  if (auto e = checkSameType(node, {1, 3}))
    return e;
  auto out = matMulShape(node, a, b);
  if (!out)
    return out.takeError();
  if (auto e = checkQuantShape(node, 2, 1, "a zero point"))
    return e;
  if (auto e = checkQuantShape(node, 3, b->shape().back(), "b zero point"))
    return e;
  setOutput(node, 0, DType::I32, *out);
  return llvm::Error::success();
}

llvm::Error inferQLinearMatMul(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *a = node.input(0), *b = node.input(3), *yzp = node.input(7);
  if (!isQuantType(a->dtype()))
    return quantTypeError(node, 0, "A");
  if (!isQuantType(b->dtype()))
    return quantTypeError(node, 3, "B");
  if (!isQuantType(yzp->dtype()))
    return quantTypeError(node, 7, "y zero point");
  if (auto e = checkSameType(node, {0, 2}))
    return e;
  if (auto e = checkSameType(node, {3, 5}))
    return e;
  for (unsigned i : {1u, 4u, 6u})
    if (node.input(i)->dtype() != DType::F32)
      return nodeError(node, "scale '" + node.input(i)->name() + "' must be float");
  auto out = matMulShape(node, a, b);
  if (!out)
    return out.takeError();
  int64_t n = b->shape().back();
  if (auto e = checkQuantShape(node, 1, 1, "a scale"))
    return e;
  if (auto e = checkQuantShape(node, 2, 1, "a zero point"))
    return e;
  if (auto e = checkQuantShape(node, 4, n, "b scale"))
    return e;
  if (auto e = checkQuantShape(node, 5, n, "b zero point"))
    return e;
  if (auto e = checkQuantShape(node, 6, 1, "y scale"))
    return e;
  if (auto e = checkQuantShape(node, 7, 1, "y zero point"))
    return e;
  setOutput(node, 0, yzp->dtype(), *out);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// The QDQ pass's integer ops
//===----------------------------------------------------------------------===//

namespace {

/// The output type named by the "to" attribute (int8 or uint8).
llvm::Expected<DType> outType(const Node &node) {
  std::optional<DType> t = dtypeFromOnnx(static_cast<int>(node.getInt("to", 0)));
  if (!t || !isQuantType(*t))
    return nodeError(node, "attribute 'to' must name int8 or uint8");
  return *t;
}

/// The per-channel int32 operands (bias, multiplier, shift) of QConv/QFc.
llvm::Error checkChannelOperands(const Node &node, int64_t channels) {
  for (unsigned i = 2; i < 5; ++i) {
    const Value *v = node.input(i);
    if (v->dtype() != DType::I32 || v->rank() != 1 || v->shape()[0] != channels)
      return nodeError(node, "operand '" + v->name() + "' must be int32 of shape [" +
                                 llvm::Twine(channels) + "], not " + v->typeString());
  }
  return llvm::Error::success();
}

#define TINYMLC_REQUANT_ATTRS                                                                  \
  {"x_zp", Attribute::Kind::Int}, {"w_zp", Attribute::Kind::Int},                             \
      {"y_zp", Attribute::Kind::Int}, {"act_min", Attribute::Kind::Int},                      \
      {"act_max", Attribute::Kind::Int}, {"to", Attribute::Kind::Int}

} // namespace

llvm::Error inferTmcQConv(Node &node) {
  if (auto e = checkAttrs(node, {TINYMLC_CONV_ATTRS, TINYMLC_REQUANT_ATTRS}))
    return e;
  Value *x = node.input(0), *w = node.input(1);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  if (!isQuantType(w->dtype()))
    return quantTypeError(node, 1, "weight");
  auto t = outType(node);
  if (!t)
    return t.takeError();
  auto out = convShape(node, x, w);
  if (!out)
    return out.takeError();
  if (auto e = checkChannelOperands(node, w->shape()[0]))
    return e;
  setOutput(node, 0, *t, *out);
  return llvm::Error::success();
}

llvm::Error inferTmcQFc(Node &node) {
  if (auto e = checkAttrs(node, {TINYMLC_REQUANT_ATTRS}))
    return e;
  Value *x = node.input(0), *w = node.input(1);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  if (!isQuantType(w->dtype()))
    return quantTypeError(node, 1, "weight");
  auto t = outType(node);
  if (!t)
    return t.takeError();
  if (x->rank() < 1 || w->rank() != 2 || x->shape().back() != w->shape()[1])
    return nodeError(node, "input " + shapeToString(x->shape()) + " and weight " +
                               shapeToString(w->shape()) + " do not make [rows, K] x [N, K]");
  if (auto e = checkChannelOperands(node, w->shape()[0]))
    return e;
  Shape out(x->shape().begin(), x->shape().end());
  out.back() = w->shape()[0];
  setOutput(node, 0, *t, out);
  return llvm::Error::success();
}

llvm::Error inferTmcQAdd(Node &node) {
  if (auto e = checkAttrs(node, {{"a_zp", Attribute::Kind::Int},
                                 {"b_zp", Attribute::Kind::Int},
                                 {"y_zp", Attribute::Kind::Int},
                                 {"a_multiplier", Attribute::Kind::Int},
                                 {"b_multiplier", Attribute::Kind::Int},
                                 {"shift", Attribute::Kind::Int},
                                 {"act_min", Attribute::Kind::Int},
                                 {"act_max", Attribute::Kind::Int},
                                 {"to", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkQuantOperands(node))
    return e;
  Value *a = node.input(0), *b = node.input(1);
  if (a->shape() != b->shape())
    return nodeError(node, "operands " + shapeToString(a->shape()) + " and " +
                               shapeToString(b->shape()) + " must have the same shape");
  if (auto e = checkShift(node, 62))
    return e;
  auto t = outType(node);
  if (!t)
    return t.takeError();
  setOutput(node, 0, *t, a->shape());
  return llvm::Error::success();
}

llvm::Error inferTmcQAvgPool(Node &node) {
  if (auto e = checkAttrs(node, {{"auto_pad", Attribute::Kind::String},
                                 {"ceil_mode", Attribute::Kind::Int},
                                 {"count_include_pad", Attribute::Kind::Int},
                                 {"kernel_shape", Attribute::Kind::Ints},
                                 {"pads", Attribute::Kind::Ints},
                                 {"strides", Attribute::Kind::Ints},
                                 {"x_zp", Attribute::Kind::Int},
                                 {"y_zp", Attribute::Kind::Int},
                                 {"multiplier", Attribute::Kind::Int},
                                 {"shift", Attribute::Kind::Int},
                                 {"to", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  if (x->rank() < 3 || x->rank() > 5)
    return nodeError(node, "input " + shapeToString(x->shape()) +
                               " must have 1, 2 or 3 spatial dimensions");
  if (auto e = checkShift(node, 40))
    return e;
  auto t = outType(node);
  if (!t)
    return t.takeError();
  auto g = windowGeometry(node, x->shape().drop_front(2), node.getInts("kernel_shape"));
  if (!g)
    return g.takeError();
  Shape out = {x->shape()[0], x->shape()[1]};
  out.append(g->out.begin(), g->out.end());
  setOutput(node, 0, *t, out);
  return llvm::Error::success();
}


llvm::Error inferTmcQLut(Node &node) {
  if (auto e = checkAttrs(node, {{"to", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0), *table = node.input(1);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  auto t = outType(node);
  if (!t)
    return t.takeError();
  if (table->dtype() != *t || table->rank() != 1 || table->shape()[0] != 256)
    return nodeError(node, "table must be " + dtypeName(*t) + "[256], not " +
                               dtypeName(table->dtype()) + shapeToString(table->shape()));
  setOutput(node, 0, *t, x->shape());
  return llvm::Error::success();
}

llvm::Error inferTmcQMul(Node &node) {
  if (auto e = checkAttrs(node, {{"a_zp", Attribute::Kind::Int},
                                 {"b_zp", Attribute::Kind::Int},
                                 {"y_zp", Attribute::Kind::Int},
                                 {"multiplier", Attribute::Kind::Int},
                                 {"shift", Attribute::Kind::Int},
                                 {"act_min", Attribute::Kind::Int},
                                 {"act_max", Attribute::Kind::Int},
                                 {"to", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkQuantOperands(node))
    return e;
  Value *a = node.input(0), *b = node.input(1);
  auto shape = broadcastShapes(a->shape(), b->shape());
  if (!shape)
    return nodeError(node, "operands " + shapeToString(a->shape()) + " and " +
                               shapeToString(b->shape()) + " do not broadcast");
  if (auto e = checkShift(node, 62))
    return e;
  auto t = outType(node);
  if (!t)
    return t.takeError();
  setOutput(node, 0, *t, *shape);
  return llvm::Error::success();
}

llvm::Error inferTmcQSoftmax(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int},
                                 {"y_zp", Attribute::Kind::Int},
                                 {"multiplier", Attribute::Kind::Int},
                                 {"shift", Attribute::Kind::Int},
                                 {"to", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0), *table = node.input(1);
  if (!isQuantType(x->dtype()))
    return quantTypeError(node, 0, "input");
  if (table->dtype() != DType::I32 || table->rank() != 1 || table->shape()[0] != 256)
    return nodeError(node, "exp table must be i32[256], not " + dtypeName(table->dtype()) +
                               shapeToString(table->shape()));
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  if (auto a = normAxis(node, node.getInt("axis", -1), x->rank()); !a)
    return a.takeError();
  if (auto e = checkShift(node, 40))
    return e;
  auto t = outType(node);
  if (!t)
    return t.takeError();
  setOutput(node, 0, *t, x->shape());
  return llvm::Error::success();
}

} // namespace tinymlc
