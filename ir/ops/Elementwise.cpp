//===- Elementwise.cpp - inference for elementwise ops --------------------===//
//
// Unary, binary (broadcasting), variadic (Max, Min, Sum, Mean), Clip, Cast,
// CastLike and Where. Element types follow the opset 17 schemas, restricted
// to the types tinymlc has (no float16, bfloat16 or strings).
//
//===----------------------------------------------------------------------===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

namespace {

/// "shapes [2,3] and [4] do not broadcast".
llvm::Error noBroadcast(const Node &node, const Value *a, const Value *b) {
  return nodeError(node, "shapes " + shapeToString(a->shape()) + " and " +
                             shapeToString(b->shape()) + " do not broadcast");
}

} // namespace

namespace {
/// The attributes of each unary op.
llvm::Error checkUnaryAttrs(const Node &node) {
  switch (node.kind()) {
  case OpKind::LeakyRelu:
  case OpKind::Elu:
  case OpKind::Celu:
  case OpKind::ThresholdedRelu:
    return checkAttrs(node, {{"alpha", Attribute::Kind::Float}});
  case OpKind::HardSigmoid:
    return checkAttrs(node, {{"alpha", Attribute::Kind::Float}, {"beta", Attribute::Kind::Float}});
  case OpKind::Selu:
    return checkAttrs(node, {{"alpha", Attribute::Kind::Float}, {"gamma", Attribute::Kind::Float}});
  case OpKind::Shrink:
    return checkAttrs(node, {{"lambd", Attribute::Kind::Float}, {"bias", Attribute::Kind::Float}});
  case OpKind::IsInf:
    return checkAttrs(node, {{"detect_negative", Attribute::Kind::Int},
                             {"detect_positive", Attribute::Kind::Int}});
  default:
    return checkAttrs(node, {});
  }
}
} // namespace

llvm::Error inferUnary(Node &node) {
  if (auto e = checkUnaryAttrs(node))
    return e;
  unsigned types = kFloat;
  DType out = node.input(0)->dtype();
  switch (node.kind()) {
  case OpKind::IsInf:
  case OpKind::IsNaN:
    out = DType::Bool;
    break;
  case OpKind::Identity:
    types = kAny;
    break;
  case OpKind::Abs:
  case OpKind::Sign:
  case OpKind::Erf:
  case OpKind::Shrink:
    types = kNumeric;
    break;
  case OpKind::Neg:
  case OpKind::Relu:
    types = kFloat | kSigned;
    break;
  case OpKind::Not:
    types = kBool;
    break;
  default:
    break;
  }
  if (auto e = checkType(node, 0, types))
    return e;
  Value *x = node.input(0);
  setOutput(node, 0, out, x->shape());
  return llvm::Error::success();
}

llvm::Error inferBinary(Node &node) {
  if (auto e = node.kind() == OpKind::Mod        ? checkAttrs(node, {{"fmod", Attribute::Kind::Int}})
               : node.kind() == OpKind::BitShift ? checkAttrs(node, {{"direction", Attribute::Kind::String}})
                                                 : checkAttrs(node, {}))
    return e;
  unsigned types = kNumeric;
  bool boolOut = false;
  switch (node.kind()) {
  case OpKind::And:
  case OpKind::Or:
  case OpKind::Xor:
    types = kBool;
    break;
  case OpKind::Equal:
    types = kAny;
    boolOut = true;
    break;
  case OpKind::Greater:
  case OpKind::GreaterOrEqual:
  case OpKind::Less:
  case OpKind::LessOrEqual:
    boolOut = true;
    break;
  case OpKind::BitShift:
    types = kUnsigned;
    break;
  default:
    break;
  }
  Value *a = node.input(0), *b = node.input(1);
  if (node.kind() == OpKind::Pow) {
    // Pow(T, T1): the base decides the output type, the exponent may differ.
    DType t = a->dtype();
    if (t != DType::F32 && t != DType::F64 && t != DType::I32 && t != DType::I64)
      return nodeError(node, "element type " + dtypeName(t) + " of input 0 ('" + a->name() +
                                 "') is not supported by Pow; the base must be f32, f64, i32 "
                                 "or i64");
    if (auto e = checkType(node, 1, kNumeric))
      return e;
  } else {
    if (auto e = checkType(node, 0, types))
      return e;
    if (auto e = checkSameType(node, {0, 1}))
      return e;
  }
  if (node.kind() == OpKind::Mod) {
    int64_t fmod = node.getInt("fmod", 0);
    if (fmod != 0 && fmod != 1)
      return nodeError(node, "fmod must be 0 or 1, not " + llvm::Twine(fmod));
    if (fmod == 0 && isFloat(a->dtype()))
      return nodeError(node, "fmod = 0 (integer modulo) is not defined for " +
                                 dtypeName(a->dtype()) + " inputs; set fmod = 1");
  }
  if (node.kind() == OpKind::BitShift) {
    if (!node.hasAttr("direction"))
      return nodeError(node, "attribute 'direction' is required (\"LEFT\" or \"RIGHT\")");
    std::string dir = node.getString("direction", "");
    if (dir != "LEFT" && dir != "RIGHT")
      return nodeError(node, "direction must be \"LEFT\" or \"RIGHT\", not \"" + dir + "\"");
  }
  std::optional<Shape> out = broadcastShapes(a->shape(), b->shape());
  if (node.kind() == OpKind::PRelu && (!out || llvm::ArrayRef<int64_t>(*out) != a->shape())) {
    // The slope broadcasts to X, numpy-style (opset 7 on); a per-channel
    // slope of older exporters is [C], which lines up with the last axis.
    std::string hint;
    if (b->rank() == 1 && a->rank() >= 3 && a->shape()[1] == b->shape()[0]) {
      Shape perChannel(a->rank() - 1, 1);
      perChannel[0] = b->shape()[0];
      hint = "; a per-channel slope must have shape " + shapeToString(perChannel);
    }
    return nodeError(node, "slope shape " + shapeToString(b->shape()) +
                               " does not broadcast to the input shape " +
                               shapeToString(a->shape()) + hint);
  }
  if (!out)
    return noBroadcast(node, a, b);
  setOutput(node, 0, boolOut ? DType::Bool : a->dtype(), *out);
  return llvm::Error::success();
}

llvm::Error inferClip(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  for (unsigned i = 1; i < 3; ++i)
    if (Value *v = node.input(i); v && v->numElements() != 1)
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + v->name() +
                                 "') must be a scalar, not " + shapeToString(v->shape()));
  Value *x = node.input(0);
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferCast(Node &node) {
  Value *x = node.input(0);
  if (node.kind() == OpKind::CastLike) {
    if (auto e = checkAttrs(node, {}))
      return e;
    setOutput(node, 0, node.input(1)->dtype(), x->shape());
    return llvm::Error::success();
  }
  if (auto e = checkAttrs(node, {{"to", Attribute::Kind::Int}}))
    return e;
  if (!node.hasAttr("to"))
    return nodeError(node, "attribute 'to' is required");
  int64_t to = node.getInt("to", 0);
  std::optional<DType> t = dtypeFromOnnx(static_cast<int>(to));
  if (!t)
    return nodeError(node, "cast to " + onnxTypeName(static_cast<int>(to)) +
                               " is not supported; tinymlc handles float, double, bool and "
                               "8/16/32/64-bit integers");
  setOutput(node, 0, *t, x->shape());
  return llvm::Error::success();
}

llvm::Error inferVariadic(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  // Max and Min take every numeric type; Sum and Mean float and double.
  unsigned types = node.kind() == OpKind::Max || node.kind() == OpKind::Min ? kNumeric : kFloat;
  if (auto e = checkType(node, 0, types))
    return e;
  Shape out(node.input(0)->shape().begin(), node.input(0)->shape().end());
  for (unsigned i = 1; i < node.numInputs(); ++i) {
    Value *v = node.input(i);
    if (!v)
      return nodeError(node, "input " + llvm::Twine(i) + " is missing; " +
                                 opName(node.kind()) + " takes no optional inputs");
    if (auto e = checkSameType(node, {0, i}))
      return e;
    std::optional<Shape> s = broadcastShapes(out, v->shape());
    if (!s)
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + v->name() + "') of shape " +
                                 shapeToString(v->shape()) +
                                 " does not broadcast with the shape " + shapeToString(out) +
                                 " of the inputs before it");
    out = *s;
  }
  setOutput(node, 0, node.input(0)->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferWhere(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  if (auto e = checkType(node, 0, kBool))
    return e;
  if (auto e = checkSameType(node, {1, 2}))
    return e;
  Value *c = node.input(0), *a = node.input(1), *b = node.input(2);
  std::optional<Shape> ab = broadcastShapes(a->shape(), b->shape());
  if (!ab)
    return noBroadcast(node, a, b);
  std::optional<Shape> out = broadcastShapes(c->shape(), *ab);
  if (!out)
    return nodeError(node, "condition shape " + shapeToString(c->shape()) +
                               " does not broadcast with " + shapeToString(*ab));
  setOutput(node, 0, a->dtype(), *out);
  return llvm::Error::success();
}

} // namespace tinymlc
