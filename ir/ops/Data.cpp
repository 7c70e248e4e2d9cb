//===- Data.cpp - inference for data movement and shape ops ---------------===//
#include "ir/ops/InferUtils.h"
#include <algorithm>
#include <limits>

namespace tinymlc {
using namespace infer;

llvm::Error inferConcat(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  if (!node.hasAttr("axis"))
    return nodeError(node, "attribute 'axis' is required");
  Value *first = node.input(0);
  for (unsigned i = 0; i < node.numInputs(); ++i)
    if (!node.input(i))
      return nodeError(node, "input " + llvm::Twine(i) + " is missing");
  auto axis = normAxis(node, node.getInt("axis", 0), first->rank());
  if (!axis)
    return axis.takeError();
  Shape out(first->shape().begin(), first->shape().end());
  out[*axis] = 0;
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    Value *v = node.input(i);
    if (v->dtype() != first->dtype())
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + v->name() + "') is " +
                                 dtypeName(v->dtype()) + ", input 0 is " +
                                 dtypeName(first->dtype()));
    bool ok = v->rank() == first->rank();
    for (int64_t d = 0; ok && d < v->rank(); ++d)
      ok = d == *axis || v->shape()[d] == first->shape()[d];
    if (!ok)
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + v->name() + "') has shape " +
                                 shapeToString(v->shape()) + ", incompatible with " +
                                 shapeToString(first->shape()) + " along axis " +
                                 llvm::Twine(*axis));
    out[*axis] += v->shape()[*axis];
  }
  setOutput(node, 0, first->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferDropout(Node &node) {
  if (auto e = checkAttrs(node, {{"seed", Attribute::Kind::Int}}))
    return e;
  // Training mode draws a random mask, unless the ratio is 0 (then Dropout
  // is the identity in both modes).
  if (Value *t = node.input(2)) {
    if (!t->isConstant())
      return nodeError(node, "input 2 (training_mode) must be known at compile time; bind it "
                             "with --const or export the model for inference");
    bool training = false;
    for (int64_t v : t->intValues())
      training |= v != 0;
    Value *ratio = node.input(1);
    bool zeroRatio = ratio && ratio->isConstant() && ratio->doubleValues() == std::vector<double>{0.0};
    if (training && !zeroRatio)
      return nodeError(node, "training_mode is true with a nonzero ratio, which draws random "
                             "numbers; tinymlc compiles inference only");
  }
  Value *x = node.input(0);
  setOutput(node, 0, x->dtype(), x->shape());
  setOutput(node, 1, DType::Bool, x->shape());
  return llvm::Error::success();
}

llvm::Error inferFlatten(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  int64_t axis = node.getInt("axis", 1);
  if (axis < -x->rank() || axis > x->rank())
    return nodeError(node, "axis " + llvm::Twine(axis) + " is out of range for rank " +
                               llvm::Twine(x->rank()));
  if (axis < 0)
    axis += x->rank();
  int64_t outer = numElements(x->shape().take_front(axis));
  int64_t inner = numElements(x->shape().drop_front(axis));
  setOutput(node, 0, x->dtype(), {outer, inner});
  return llvm::Error::success();
}

llvm::Error inferGather(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  Value *data = node.input(0), *idx = node.input(1);
  if (idx->dtype() != DType::I32 && idx->dtype() != DType::I64)
    return nodeError(node, "indices must be int32 or int64, not " + dtypeName(idx->dtype()));
  if (data->rank() < 1)
    return nodeError(node, "data must have rank 1 or more");
  auto axis = normAxis(node, node.getInt("axis", 0), data->rank());
  if (!axis)
    return axis.takeError();
  if (idx->isConstant()) {
    int64_t dim = data->shape()[*axis];
    for (int64_t i : idx->intValues())
      if (i < -dim || i >= dim)
        return nodeError(node, "index " + llvm::Twine(i) + " is out of range for axis " +
                                   llvm::Twine(*axis) + " of size " + llvm::Twine(dim));
  }
  Shape out(data->shape().begin(), data->shape().begin() + *axis);
  out.append(idx->shape().begin(), idx->shape().end());
  out.append(data->shape().begin() + *axis + 1, data->shape().end());
  setOutput(node, 0, data->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferPad(Node &node) {
  if (auto e = checkAttrs(node, {{"mode", Attribute::Kind::String}}))
    return e;
  std::string mode = node.getString("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return nodeError(node, "mode '" + mode + "' is not one of constant, reflect, edge");
  Value *x = node.input(0);
  auto pads = constInts(node, 1, "pads");
  if (!pads)
    return pads.takeError();
  if (pads->size() != static_cast<size_t>(2 * x->rank()))
    return nodeError(node, "pads has " + llvm::Twine(pads->size()) + " values, expected " +
                               llvm::Twine(2 * x->rank()));
  if (Value *cv = node.input(2)) {
    if (cv->dtype() != x->dtype())
      return nodeError(node, "constant_value is " + dtypeName(cv->dtype()) + ", data is " +
                                 dtypeName(x->dtype()));
    if (cv->numElements() != 1)
      return nodeError(node, "constant_value must be a scalar");
  }
  Shape out(x->shape().begin(), x->shape().end());
  for (int64_t pad : *pads)
    if (pad < -kMaxTensorBytes || pad > kMaxTensorBytes)
      return nodeError(node, "pad " + llvm::Twine(pad) + " is out of range");
  for (int64_t i = 0; i < x->rank(); ++i) {
    out[i] += (*pads)[i] + (*pads)[i + x->rank()];
    if (out[i] < 0)
      return nodeError(node, "pads remove more than dimension " + llvm::Twine(i) + " holds");
    if (mode != "constant" && x->shape()[i] == 0 && out[i] > 0)
      return nodeError(node, mode + " padding of an empty dimension");
    if (mode == "reflect" &&
        ((*pads)[i] >= x->shape()[i] || (*pads)[i + x->rank()] >= x->shape()[i]))
      return nodeError(node, "reflect pads must be smaller than dimension " + llvm::Twine(i));
  }
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferReshape(Node &node) {
  if (auto e = checkAttrs(node, {{"allowzero", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  auto shape = constInts(node, 1, "shape");
  if (!shape)
    return shape.takeError();
  bool allowZero = node.getInt("allowzero", 0) != 0;
  Shape out(shape->begin(), shape->end());
  int64_t inferred = -1, known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowZero) {
      if (i >= static_cast<size_t>(x->rank()))
        return nodeError(node, "shape entry " + llvm::Twine(i) +
                                   " is 0 (copy) but the input has rank " +
                                   llvm::Twine(x->rank()));
      out[i] = x->shape()[i];
    }
    if (out[i] == -1) {
      if (inferred >= 0)
        return nodeError(node, "shape " + shapeToString(*shape) + " has more than one -1");
      inferred = static_cast<int64_t>(i);
      continue;
    }
    if (out[i] < 0)
      return nodeError(node, "shape " + shapeToString(*shape) + " has a negative entry");
    if (out[i] != 0 && known > kMaxTensorBytes / out[i])
      return nodeError(node, "cannot reshape " + shapeToString(x->shape()) + " to " +
                                 shapeToString(*shape));
    known *= out[i];
  }
  if (inferred >= 0) {
    if (known == 0 || x->numElements() % known != 0)
      return nodeError(node, "cannot reshape " + shapeToString(x->shape()) + " to " +
                                 shapeToString(*shape));
    out[inferred] = x->numElements() / known;
  }
  if (numElements(out) != x->numElements())
    return nodeError(node, "cannot reshape " + shapeToString(x->shape()) + " (" +
                               llvm::Twine(x->numElements()) + " elements) to " +
                               shapeToString(out));
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferSqueeze(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *x = node.input(0);
  std::vector<bool> drop(x->rank(), false);
  if (node.input(1)) {
    auto axes = constInts(node, 1, "axes");
    if (!axes)
      return axes.takeError();
    for (int64_t a : *axes) {
      auto ax = normAxis(node, a, x->rank());
      if (!ax)
        return ax.takeError();
      if (x->shape()[*ax] != 1)
        return nodeError(node, "cannot squeeze axis " + llvm::Twine(a) + " of size " +
                                   llvm::Twine(x->shape()[*ax]));
      drop[*ax] = true;
    }
  } else {
    for (int64_t i = 0; i < x->rank(); ++i)
      drop[i] = x->shape()[i] == 1;
  }
  Shape out;
  for (int64_t i = 0; i < x->rank(); ++i)
    if (!drop[i])
      out.push_back(x->shape()[i]);
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferUnsqueeze(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *x = node.input(0);
  auto axes = constInts(node, 1, "axes");
  if (!axes)
    return axes.takeError();
  int64_t rank = x->rank() + static_cast<int64_t>(axes->size());
  std::vector<bool> added(rank, false);
  for (int64_t a : *axes) {
    auto ax = normAxis(node, a, rank);
    if (!ax)
      return ax.takeError();
    if (added[*ax])
      return nodeError(node, "axis " + llvm::Twine(a) + " appears twice");
    added[*ax] = true;
  }
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    out.push_back(added[i] ? 1 : x->shape()[next++]);
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferShape(Node &node) {
  Value *x = node.input(0);
  if (node.kind() == OpKind::Size) {
    if (auto e = checkAttrs(node, {}))
      return e;
    setOutput(node, 0, DType::I64, {});
    return llvm::Error::success();
  }
  if (auto e = checkAttrs(node, {{"end", Attribute::Kind::Int}, {"start", Attribute::Kind::Int}}))
    return e;
  int64_t r = x->rank();
  auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + r : a, 0, r); };
  int64_t start = clampAxis(node.getInt("start", 0));
  int64_t end = clampAxis(node.getInt("end", r));
  setOutput(node, 0, DType::I64, {std::max<int64_t>(0, end - start)});
  return llvm::Error::success();
}

llvm::Expected<SliceGeometry> sliceGeometry(const Node &node) {
  Value *x = node.input(0);
  int64_t r = x->rank();
  auto starts = constInts(node, 1, "starts");
  if (!starts)
    return starts.takeError();
  auto ends = constInts(node, 2, "ends");
  if (!ends)
    return ends.takeError();
  std::vector<int64_t> axes, steps;
  if (node.input(3)) {
    auto a = constInts(node, 3, "axes");
    if (!a)
      return a.takeError();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(static_cast<int64_t>(i));
  }
  if (node.input(4)) {
    auto s = constInts(node, 4, "steps");
    if (!s)
      return s.takeError();
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() ||
      steps.size() != starts->size())
    return nodeError(node, "starts, ends, axes and steps must have the same length");
  SliceGeometry g;
  g.starts.assign(r, 0);
  g.steps.assign(r, 1);
  g.out.assign(x->shape().begin(), x->shape().end());
  std::vector<bool> seen(r, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    auto ax = normAxis(node, axes[i], r);
    if (!ax)
      return ax.takeError();
    if (seen[*ax])
      return nodeError(node, "axis " + llvm::Twine(axes[i]) + " appears twice");
    seen[*ax] = true;
    int64_t d = x->shape()[*ax], step = steps[i];
    if (step == 0)
      return nodeError(node, "steps must not be 0");
    // A step at least the dimension's size takes one element at most; clamping
    // it keeps the strides (and the count below) free of overflow.
    step = std::clamp<int64_t>(step, -std::max<int64_t>(d, 1), std::max<int64_t>(d, 1));
    if (d == 0) {
      g.starts[*ax] = 0;
      g.steps[*ax] = step;
      g.out[*ax] = 0;
      continue;
    }
    // Clamp as the ONNX spec says; int64 extremes stand for "to the end".
    int64_t s = (*starts)[i], e = (*ends)[i];
    if (s < 0)
      s = s < -d ? -1 : s + d;
    if (e < 0)
      e = e < -d ? -1 : e + d;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
    }
    int64_t n = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
    g.starts[*ax] = s;
    g.steps[*ax] = step;
    g.out[*ax] = std::max<int64_t>(0, n);
  }
  return g;
}

llvm::Error inferSlice(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  auto g = sliceGeometry(node);
  if (!g)
    return g.takeError();
  setOutput(node, 0, node.input(0)->dtype(), g->out);
  return llvm::Error::success();
}

llvm::Error inferSoftmax(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  Value *x = node.input(0);
  if (x->rank() == 0)
    return nodeError(node, "input must have rank 1 or more");
  if (auto a = normAxis(node, node.getInt("axis", -1), x->rank()); !a)
    return a.takeError();
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

llvm::Error inferTranspose(Node &node) {
  if (auto e = checkAttrs(node, {{"perm", Attribute::Kind::Ints}}))
    return e;
  Value *x = node.input(0);
  std::vector<int64_t> perm = node.getInts("perm");
  if (!node.hasAttr("perm"))
    for (int64_t i = x->rank() - 1; i >= 0; --i)
      perm.push_back(i);
  if (perm.size() != static_cast<size_t>(x->rank()))
    return nodeError(node, "perm has " + llvm::Twine(perm.size()) + " entries for rank " +
                               llvm::Twine(x->rank()));
  std::vector<bool> seen(x->rank(), false);
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= x->rank() || seen[p])
      return nodeError(node, "perm " + shapeToString(perm) + " is not a permutation");
    seen[p] = true;
    out.push_back(x->shape()[p]);
  }
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

} // namespace tinymlc
