//===- Linear.cpp - inference for Gemm and MatMul -------------------------===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

static constexpr unsigned kMatTypes = kFloat | kSigned | kUnsigned;

llvm::Error inferGemm(Node &node) {
  if (auto e = checkAttrs(node, {{"alpha", Attribute::Kind::Float},
                                 {"beta", Attribute::Kind::Float},
                                 {"transA", Attribute::Kind::Int},
                                 {"transB", Attribute::Kind::Int},
                                 TINYMLC_FUSED_ACTIVATION_ATTRS}))
    return e;
  if (auto e = checkFusedActivation(node))
    return e;
  if (auto e = checkType(node, 0, kMatTypes))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  Value *a = node.input(0), *b = node.input(1), *c = node.input(2);
  if (a->rank() != 2 || b->rank() != 2)
    return nodeError(node, "A " + shapeToString(a->shape()) + " and B " +
                               shapeToString(b->shape()) + " must both be 2-d");
  bool ta = node.getInt("transA", 0) != 0, tb = node.getInt("transB", 0) != 0;
  int64_t m = ta ? a->shape()[1] : a->shape()[0];
  int64_t k = ta ? a->shape()[0] : a->shape()[1];
  int64_t kb = tb ? b->shape()[1] : b->shape()[0];
  int64_t n = tb ? b->shape()[0] : b->shape()[1];
  if (k != kb)
    return nodeError(node, "inner dimensions differ: A " + shapeToString(a->shape()) +
                               (ta ? " (transposed)" : "") + ", B " +
                               shapeToString(b->shape()) + (tb ? " (transposed)" : ""));
  if (c) {
    std::optional<Shape> bc = broadcastShapes(c->shape(), {m, n});
    if (!bc || *bc != Shape{m, n})
      return nodeError(node, "C " + shapeToString(c->shape()) +
                                 " does not broadcast to [" + llvm::Twine(m) + "," +
                                 llvm::Twine(n) + "]");
  }
  setOutput(node, 0, a->dtype(), {m, n});
  return llvm::Error::success();
}

llvm::Error inferMatMul(Node &node) {
  if (auto e = checkAttrs(node, {TINYMLC_FUSED_ACTIVATION_ATTRS}))
    return e;
  if (auto e = checkFusedActivation(node))
    return e;
  if (auto e = checkType(node, 0, kMatTypes))
    return e;
  if (auto e = checkSameType(node, {0, 1}))
    return e;
  Value *a = node.input(0), *b = node.input(1);
  if (a->rank() < 1 || b->rank() < 1)
    return nodeError(node, "MatMul inputs must have rank 1 or more");
  // numpy.matmul: 1-d operands are promoted to matrices and the added
  // dimension removed from the result.
  Shape as(a->shape().begin(), a->shape().end()), bs(b->shape().begin(), b->shape().end());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), kb = bs[bs.size() - 2], n = bs.back();
  if (k != kb)
    return nodeError(node, "inner dimensions differ: " + shapeToString(a->shape()) + " x " +
                               shapeToString(b->shape()));
  std::optional<Shape> batch = broadcastShapes(llvm::ArrayRef<int64_t>(as).drop_back(2),
                                               llvm::ArrayRef<int64_t>(bs).drop_back(2));
  if (!batch)
    return nodeError(node, "batch dimensions of " + shapeToString(a->shape()) + " and " +
                               shapeToString(b->shape()) + " do not broadcast");
  Shape out = *batch;
  if (a->rank() != 1)
    out.push_back(m);
  if (b->rank() != 1)
    out.push_back(n);
  setOutput(node, 0, a->dtype(), out);
  return llvm::Error::success();
}

int64_t nodeMacs(const Node &node) {
  switch (node.kind()) {
  case OpKind::Conv:
  case OpKind::TmcQConv:
  case OpKind::ConvInteger: {
    Value *w = node.input(1), *y = node.output(0);
    // every output element sums over C/group * kernel elements
    return y->numElements() * (w->numElements() / w->shape()[0]);
  }
  case OpKind::Gemm: {
    Value *a = node.input(0), *y = node.output(0);
    int64_t k = node.getInt("transA", 0) ? a->shape()[0] : a->shape()[1];
    return y->numElements() * k;
  }
  case OpKind::MatMul:
  case OpKind::MatMulInteger:
  case OpKind::QLinearMatMul:
  case OpKind::TmcQFc: {
    Value *a = node.input(0), *y = node.output(0);
    return y->numElements() * a->shape().back();
  }
  case OpKind::ConvTranspose: {
    // every input element scatters into M/group * kernel elements of the output
    Value *x = node.input(0), *w = node.input(1);
    return x->numElements() * (w->numElements() / w->shape()[0]);
  }
  case OpKind::LSTM:
  case OpKind::GRU:
  case OpKind::RNN: {
    // per time step and batch row, every gate row of W and R is a dot
    // product (W: [dirs, gates*H, I], R: [dirs, gates*H, H]); LSTM
    // peepholes add 3H per direction
    Value *x = node.input(0);
    int64_t t = x->shape()[0], b = x->shape()[1];
    if (node.getInt("layout", 0))
      std::swap(t, b);
    int64_t perStep = node.input(1)->numElements() + node.input(2)->numElements();
    if (node.kind() == OpKind::LSTM && node.input(7))
      perStep += node.input(7)->numElements();
    return t * b * perStep;
  }
  case OpKind::Einsum: {
    // one multiply-accumulate per point of the space of all distinct letters
    std::vector<std::string> operands;
    std::string output;
    std::map<char, int64_t> dims;
    if (llvm::Error e = einsumLetters(node, operands, output, dims)) {
      llvm::consumeError(std::move(e));
      return 0;
    }
    int64_t n = 1;
    for (const auto &[letter, size] : dims)
      n *= size;
    return operands.size() > 1 ? n : 0;
  }
  case OpKind::QLinearConv: {
    Value *w = node.input(3), *y = node.output(0);
    return y->numElements() * (w->numElements() / w->shape()[0]);
  }
  default:
    return 0;
  }
}

} // namespace tinymlc
