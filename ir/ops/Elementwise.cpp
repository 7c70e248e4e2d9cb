//===- Elementwise.cpp - inference for elementwise ops --------------------===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

llvm::Error inferUnary(Node &node) {
  unsigned types = kFloat;
  switch (node.kind()) {
  case OpKind::LeakyRelu:
    if (auto e = checkAttrs(node, {{"alpha", Attribute::Kind::Float}}))
      return e;
    break;
  case OpKind::HardSigmoid:
    if (auto e = checkAttrs(node, {{"alpha", Attribute::Kind::Float},
                                   {"beta", Attribute::Kind::Float}}))
      return e;
    break;
  default:
    if (auto e = checkAttrs(node, {}))
      return e;
  }
  switch (node.kind()) {
  case OpKind::Identity:
    types = kAny;
    break;
  case OpKind::Abs:
  case OpKind::Neg:
    types = kNumeric;
    break;
  case OpKind::Relu:
    types = kFloat | kSigned;
    break;
  default:
    break;
  }
  if (auto e = checkType(node, 0, types))
    return e;
  Value *x = node.input(0);
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferBinary(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  if (auto e = checkSameType(node, {0, 1}))
    return e;
  Value *a = node.input(0), *b = node.input(1);
  std::optional<Shape> out = broadcastShapes(a->shape(), b->shape());
  if (!out)
    return nodeError(node, "shapes " + shapeToString(a->shape()) + " and " +
                               shapeToString(b->shape()) + " do not broadcast");
  setOutput(node, 0, a->dtype(), *out);
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
  Value *x = node.input(0);
  setOutput(node, 0, *t, x->shape());
  return llvm::Error::success();
}

llvm::Error inferVariadic(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferWhere(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

} // namespace tinymlc
