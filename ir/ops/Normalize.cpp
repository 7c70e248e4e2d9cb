//===- Normalize.cpp - inference for normalisations -------------------------===//
#include "ir/ops/InferUtils.h"
#include <limits>

namespace tinymlc {
using namespace infer;

namespace {
/// Requires input `i` to have shape `want`.
llvm::Error checkShape(const Node &node, unsigned i, llvm::StringRef what,
                       llvm::ArrayRef<int64_t> want) {
  Value *v = node.input(i);
  if (v->shape() == want)
    return llvm::Error::success();
  return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ", '" + v->name() +
                             "') must have shape " + shapeToString(want) + ", not " +
                             shapeToString(v->shape()));
}
} // namespace

llvm::Error inferInstanceNorm(Node &node) {
  if (auto e = checkAttrs(node, {{"epsilon", Attribute::Kind::Float}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  Value *x = node.input(0);
  if (x->rank() < 2)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [N, C, spatial...]");
  int64_t c = x->shape()[1];
  if (auto e = checkShape(node, 1, "scale", {c}))
    return e;
  if (auto e = checkShape(node, 2, "B", {c}))
    return e;
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferLayerNorm(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int},
                                 {"epsilon", Attribute::Kind::Float},
                                 {"stash_type", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  Value *x = node.input(0);
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  auto axis = normAxis(node, node.getInt("axis", -1), x->rank());
  if (!axis)
    return axis.takeError();
  int64_t stash = node.getInt("stash_type", 1);
  if (stash != 1 && stash != 11)
    return nodeError(node, "stash_type " + llvm::Twine(stash) +
                               " is not supported; use 1 (float) or 11 (double)");
  // Scale and B broadcast to the normalised dims X.shape[axis:].
  llvm::ArrayRef<int64_t> norm = x->shape().drop_front(*axis);
  for (unsigned i = 1; i < 3; ++i) {
    Value *v = node.input(i);
    if (!v)
      continue;
    llvm::ArrayRef<int64_t> s = v->shape();
    bool ok = true;
    for (size_t k = 0; k < s.size(); ++k) {
      // Dim k of s lines up with dim k - (s.size() - norm.size()) of norm.
      int64_t j = static_cast<int64_t>(k) - static_cast<int64_t>(s.size() - norm.size());
      if (j < 0)
        ok &= s[k] == 1;
      else
        ok &= s[k] == 1 || s[k] == norm[j];
    }
    if (!ok)
      return nodeError(node, "input " + llvm::Twine(i) + " (" + (i == 1 ? "Scale" : "B") +
                                 ", '" + v->name() + "') has shape " + shapeToString(s) +
                                 ", which does not broadcast to the normalized shape " +
                                 shapeToString(norm));
  }
  Shape stats(x->shape().begin(), x->shape().end());
  for (size_t d = *axis; d < stats.size(); ++d)
    stats[d] = 1;
  setOutput(node, 0, x->dtype(), x->shape());
  DType u = stash == 11 ? DType::F64 : DType::F32;
  setOutput(node, 1, u, stats);
  setOutput(node, 2, u, stats);
  return llvm::Error::success();
}

llvm::Error inferLpNormalization(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}, {"p", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  Value *x = node.input(0);
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  if (auto a = normAxis(node, node.getInt("axis", -1), x->rank()); !a)
    return a.takeError();
  int64_t p = node.getInt("p", 2);
  if (p != 1 && p != 2)
    return nodeError(node, "p " + llvm::Twine(p) +
                               " is not supported; LpNormalization "
                               "takes p 1 or 2");
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferLRN(Node &node) {
  if (auto e = checkAttrs(node, {{"alpha", Attribute::Kind::Float},
                                 {"beta", Attribute::Kind::Float},
                                 {"bias", Attribute::Kind::Float},
                                 {"size", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (!node.hasAttr("size"))
    return nodeError(node, "attribute 'size' is required");
  int64_t size = node.getInt("size", 1);
  if (size < 1 || size > std::numeric_limits<int32_t>::max())
    return nodeError(node, "size " + llvm::Twine(size) +
                               " is out of range; it must be 1 or more "
                               "(at most the channel count is useful)");
  Value *x = node.input(0);
  if (x->rank() < 2)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [N, C, spatial...]");
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferMVN(Node &node) {
  if (auto e = checkAttrs(node, {{"axes", Attribute::Kind::Ints}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  Value *x = node.input(0);
  std::vector<int64_t> axes =
      node.hasAttr("axes") ? node.getInts("axes") : std::vector<int64_t>{0, 2, 3};
  std::vector<bool> seen(x->rank(), false);
  for (int64_t a : axes) {
    auto ax = normAxis(node, a, x->rank());
    if (!ax)
      return ax.takeError();
    if (seen[*ax])
      return nodeError(node, "axis " + llvm::Twine(a) + " appears twice in axes");
    seen[*ax] = true;
  }
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

} // namespace tinymlc
