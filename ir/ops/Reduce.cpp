//===- Reduce.cpp - inference for reductions, ArgMax/Min, CumSum, TopK, Det ===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

llvm::Error inferArgReduce(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int},
                                 {"keepdims", Attribute::Kind::Int},
                                 {"select_last_index", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  Value *x = node.input(0);
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  auto axis = normAxis(node, node.getInt("axis", 0), x->rank());
  if (!axis)
    return axis.takeError();
  if (x->shape()[*axis] == 0)
    return nodeError(node, "axis " + llvm::Twine(*axis) + " is empty; " + opName(node.kind()) +
                               " needs at least one element");
  Shape out(x->shape().begin(), x->shape().end());
  if (node.getInt("keepdims", 1) != 0)
    out[*axis] = 1;
  else
    out.erase(out.begin() + *axis);
  setOutput(node, 0, DType::I64, out);
  return llvm::Error::success();
}

llvm::Error inferCumSum(Node &node) {
  if (auto e = checkAttrs(
          node, {{"exclusive", Attribute::Kind::Int}, {"reverse", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  Value *x = node.input(0), *a = node.input(1);
  if (a->dtype() != DType::I32 && a->dtype() != DType::I64)
    return nodeError(node, "axis must be int32 or int64, not " + dtypeName(a->dtype()));
  if (a->numElements() != 1)
    return nodeError(node, "axis must hold one value, not " + shapeToString(a->shape()));
  auto axisValue = constInts(node, 1, "axis");
  if (!axisValue)
    return axisValue.takeError();
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  if (auto ax = normAxis(node, (*axisValue)[0], x->rank()); !ax)
    return ax.takeError();
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferDet(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  Value *x = node.input(0);
  int64_t r = x->rank();
  if (r < 2 || x->shape()[r - 1] != x->shape()[r - 2])
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [..., M, M] (square matrices)");
  setOutput(node, 0, x->dtype(), x->shape().drop_back(2));
  return llvm::Error::success();
}

/// See ir/ShapeInference.h.
llvm::Expected<std::vector<bool>> reducedAxes(const Node &node) {
  Value *x = node.input(0);
  int64_t r = x->rank();
  std::vector<int64_t> axes;
  if (node.input(1)) {
    if (node.hasAttr("axes"))
      return nodeError(node, "axes is given both as an attribute and as input 1");
    auto a = constInts(node, 1, "axes");
    if (!a)
      return a.takeError();
    axes = *a;
  } else if (node.hasAttr("axes")) {
    axes = node.getInts("axes");
  }
  std::vector<bool> reduced(r, false);
  if (axes.empty()) {
    // Empty axes: every axis, or none with noop_with_empty_axes.
    if (node.getInt("noop_with_empty_axes", 0) == 0)
      reduced.assign(r, true);
    return reduced;
  }
  for (int64_t a : axes) {
    auto ax = normAxis(node, a, r);
    if (!ax)
      return ax.takeError();
    if (reduced[*ax])
      return nodeError(node, "axis " + llvm::Twine(a) + " appears twice in axes");
    reduced[*ax] = true;
  }
  return reduced;
}

llvm::Error inferReduce(Node &node) {
  // ReduceSum takes its axes as input 1 (opset 13), the others as an
  // attribute (opset 17); both forms are accepted for every reduction, as
  // opset 18 made axes an input for all of them.
  if (auto e = checkAttrs(node, {{"axes", Attribute::Kind::Ints},
                                 {"keepdims", Attribute::Kind::Int},
                                 {"noop_with_empty_axes", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  Value *x = node.input(0);
  auto reduced = reducedAxes(node);
  if (!reduced)
    return reduced.takeError();
  bool keep = node.getInt("keepdims", 1) != 0;
  Shape out;
  for (int64_t d = 0; d < x->rank(); ++d) {
    if (!(*reduced)[d])
      out.push_back(x->shape()[d]);
    else if (keep)
      out.push_back(1);
  }
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferTopK(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int},
                                 {"largest", Attribute::Kind::Int},
                                 {"sorted", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  Value *x = node.input(0), *kv = node.input(1);
  if (kv->dtype() != DType::I64)
    return nodeError(node, "K must be int64, not " + dtypeName(kv->dtype()));
  if (kv->numElements() != 1)
    return nodeError(node, "K must hold one value, not " + shapeToString(kv->shape()));
  auto k = constInts(node, 1, "K");
  if (!k)
    return k.takeError();
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  auto axis = normAxis(node, node.getInt("axis", -1), x->rank());
  if (!axis)
    return axis.takeError();
  int64_t n = x->shape()[*axis];
  if ((*k)[0] < 0 || (*k)[0] > n)
    return nodeError(node, "K " + llvm::Twine((*k)[0]) + " is out of range for axis " +
                               llvm::Twine(*axis) + " of size " + llvm::Twine(n));
  Shape out(x->shape().begin(), x->shape().end());
  out[*axis] = (*k)[0];
  setOutput(node, 0, x->dtype(), out);
  setOutput(node, 1, DType::I64, out);
  return llvm::Error::success();
}

} // namespace tinymlc
