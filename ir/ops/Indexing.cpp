//===- Indexing.cpp - inference for indexing, scattering, tiling and generator ops ===//
//
// Split, Tile, Expand, DepthToSpace/SpaceToDepth, Range, ConstantOfShape,
// EyeLike, OneHot, Trilu, GatherElements, GatherND, ScatterElements (and the
// deprecated Scatter), ScatterND, ReverseSequence, Einsum, and the ops whose
// output shape depends on data values: Compress, NonZero and Unique. Those
// require the deciding input to be constant and count the output from it, so
// the node folds at import when all its inputs are constant.
//
//===----------------------------------------------------------------------===//
#include "ir/Format.h"
#include "ir/ops/InferUtils.h"
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace tinymlc {
using namespace infer;

namespace {

/// The error for an input whose values decide the output shape but which is
/// computed at run time.
llvm::Error dataDependent(const Node &node, unsigned i, llvm::StringRef what) {
  Value *v = node.input(i);
  return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ", '" + v->name() +
                             "') must be known at compile time: the output shape of " +
                             opName(node.kind()) +
                             " depends on its values; bind the graph input it depends on "
                             "with --const NAME=FILE");
}

/// Requires an index input (GatherElements, ScatterElements) to be int32 or int64.
llvm::Error checkIndexType(const Node &node, unsigned i, bool allowInt32 = true) {
  DType t = node.input(i)->dtype();
  if (t == DType::I64 || (allowInt32 && t == DType::I32))
    return llvm::Error::success();
  return nodeError(node, "indices must be " + llvm::Twine(allowInt32 ? "int32 or int64" : "int64") +
                             ", not " + dtypeName(t));
}

/// Checks constant indices against the size of the axis they index.
llvm::Error checkConstIndices(const Node &node, const Value *idx, int64_t dim, int64_t axis) {
  if (!idx->isConstant())
    return llvm::Error::success();
  for (int64_t i : idx->intValues())
    if (i < -dim || i >= dim)
      return nodeError(node, "index " + llvm::Twine(i) + " is out of range for axis " +
                                 llvm::Twine(axis) + " of size " + llvm::Twine(dim));
  return llvm::Error::success();
}

/// The single value of a one-element constant input, as a double.
llvm::Expected<double> constScalar(const Node &node, unsigned i, llvm::StringRef what,
                                   bool dataDep = true) {
  Value *v = node.input(i);
  if (v->numElements() != 1)
    return nodeError(node, what + " must hold exactly one value, not " +
                               llvm::Twine(v->numElements()) + " (shape " +
                               shapeToString(v->shape()) + ")");
  if (!v->isConstant())
    return dataDep ? dataDependent(node, i, what)
                   : nodeError(node, "input " + llvm::Twine(i) + " (" + what +
                                         ") must be known at compile time; bind the graph "
                                         "input it depends on with --const NAME=FILE");
  return v->doubleValues()[0];
}

} // namespace

//===----------------------------------------------------------------------===//
// Shape-changing copies
//===----------------------------------------------------------------------===//

llvm::Error inferSplit(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  if (x->rank() == 0)
    return nodeError(node, "cannot split a scalar");
  auto axis = normAxis(node, node.getInt("axis", 0), x->rank());
  if (!axis)
    return axis.takeError();
  int64_t dim = x->shape()[*axis];
  int64_t parts = node.numOutputs();
  std::vector<int64_t> sizes;
  if (node.input(1)) {
    auto split = constInts(node, 1, "split");
    if (!split)
      return split.takeError();
    sizes = *split;
    if (static_cast<int64_t>(sizes.size()) != parts)
      return nodeError(node, "split has " + llvm::Twine(sizes.size()) + " sizes for " +
                                 llvm::Twine(parts) + " outputs");
    int64_t sum = 0;
    for (int64_t s : sizes) {
      if (s < 0)
        return nodeError(node, "split " + shapeToString(sizes) + " has a negative size");
      sum += s;
    }
    if (sum != dim)
      return nodeError(node, "split " + shapeToString(sizes) + " adds up to " +
                                 llvm::Twine(sum) + ", but axis " + llvm::Twine(*axis) +
                                 " has size " + llvm::Twine(dim));
  } else {
    // Opset 13-17: without split, the parts must be equal.
    if (dim % parts != 0)
      return nodeError(node, "axis " + llvm::Twine(*axis) + " of size " + llvm::Twine(dim) +
                                 " cannot be split into " + llvm::Twine(parts) +
                                 " equal parts; give the sizes with the split input");
    sizes.assign(parts, dim / parts);
  }
  for (int64_t i = 0; i < parts; ++i) {
    Shape out(x->shape().begin(), x->shape().end());
    out[*axis] = sizes[i];
    setOutput(node, i, x->dtype(), out);
  }
  return llvm::Error::success();
}

llvm::Error inferTile(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *x = node.input(0);
  if (node.input(1)->dtype() != DType::I64)
    return nodeError(node, "repeats must be int64, not " + dtypeName(node.input(1)->dtype()));
  auto repeats = constInts(node, 1, "repeats");
  if (!repeats)
    return repeats.takeError();
  if (static_cast<int64_t>(repeats->size()) != x->rank())
    return nodeError(node, "repeats has " + llvm::Twine(repeats->size()) +
                               " values for an input of rank " + llvm::Twine(x->rank()));
  Shape out;
  for (int64_t d = 0; d < x->rank(); ++d) {
    int64_t r = (*repeats)[d];
    if (r < 0)
      return nodeError(node, "repeats " + shapeToString(*repeats) + " has a negative value");
    if (r != 0 && x->shape()[d] > kMaxTensorBytes / r)
      return nodeError(node, "repeats " + shapeToString(*repeats) + " make the output too large");
    out.push_back(x->shape()[d] * r);
  }
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferExpand(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *x = node.input(0);
  if (node.input(1)->dtype() != DType::I64)
    return nodeError(node, "shape must be int64, not " + dtypeName(node.input(1)->dtype()));
  auto shape = constInts(node, 1, "shape");
  if (!shape)
    return shape.takeError();
  for (int64_t d : *shape)
    if (d < 0)
      return nodeError(node, "shape " + shapeToString(*shape) + " has a negative entry");
  auto out = broadcastShapes(x->shape(), *shape);
  if (!out)
    return nodeError(node, "cannot expand " + shapeToString(x->shape()) + " to " +
                               shapeToString(*shape) + " (dimensions must be equal or 1)");
  setOutput(node, 0, x->dtype(), *out);
  return llvm::Error::success();
}

llvm::Error inferDepthSpace(Node &node) {
  bool toSpace = node.kind() == OpKind::DepthToSpace;
  if (auto e = toSpace ? checkAttrs(node, {{"blocksize", Attribute::Kind::Int},
                                           {"mode", Attribute::Kind::String}})
                       : checkAttrs(node, {{"blocksize", Attribute::Kind::Int}}))
    return e;
  if (!node.hasAttr("blocksize"))
    return nodeError(node, "attribute 'blocksize' is required");
  int64_t b = node.getInt("blocksize", 1);
  if (b < 1)
    return nodeError(node, "blocksize " + llvm::Twine(b) + " must be positive");
  std::string mode = node.getString("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    return nodeError(node, "mode '" + mode + "' is not one of DCR, CRD");
  Value *x = node.input(0);
  if (x->rank() != 4)
    return nodeError(node, "input must be 4-d [N,C,H,W], not " + shapeToString(x->shape()));
  int64_t n = x->shape()[0], c = x->shape()[1], h = x->shape()[2], w = x->shape()[3];
  if (toSpace) {
    if (c % (b * b) != 0)
      return nodeError(node, "channels " + llvm::Twine(c) + " are not a multiple of blocksize^2 = " +
                                 llvm::Twine(b * b));
    setOutput(node, 0, x->dtype(), {n, c / (b * b), h * b, w * b});
  } else {
    if (h % b != 0 || w % b != 0)
      return nodeError(node, "height " + llvm::Twine(h) + " and width " + llvm::Twine(w) +
                                 " must be multiples of blocksize " + llvm::Twine(b));
    setOutput(node, 0, x->dtype(), {n, c * b * b, h / b, w / b});
  }
  return llvm::Error::success();
}

llvm::Error inferReverseSequence(Node &node) {
  if (auto e = checkAttrs(node, {{"batch_axis", Attribute::Kind::Int},
                                 {"time_axis", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0), *lens = node.input(1);
  int64_t batchAxis = node.getInt("batch_axis", 1), timeAxis = node.getInt("time_axis", 0);
  if (x->rank() < 2)
    return nodeError(node, "input must have rank 2 or more, not " + llvm::Twine(x->rank()));
  if ((batchAxis != 0 && batchAxis != 1) || (timeAxis != 0 && timeAxis != 1) ||
      batchAxis == timeAxis)
    return nodeError(node, "batch_axis " + llvm::Twine(batchAxis) + " and time_axis " +
                               llvm::Twine(timeAxis) + " must be 0 and 1 in some order");
  if (lens->dtype() != DType::I64)
    return nodeError(node, "sequence_lens must be int64, not " + dtypeName(lens->dtype()));
  int64_t batch = x->shape()[batchAxis], steps = x->shape()[timeAxis];
  if (lens->rank() != 1 || lens->shape()[0] != batch)
    return nodeError(node, "sequence_lens has shape " + shapeToString(lens->shape()) +
                               ", expected [" + llvm::Twine(batch) + "] (the batch size)");
  if (lens->isConstant())
    for (int64_t l : lens->intValues())
      if (l < 0 || l > steps)
        return nodeError(node, "sequence length " + llvm::Twine(l) + " is outside [0, " +
                                   llvm::Twine(steps) + "]");
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Generators and masks
//===----------------------------------------------------------------------===//

llvm::Error inferConstantOfShape(Node &node) {
  if (auto e = checkAttrs(node, {{"value", Attribute::Kind::Tensor}}))
    return e;
  DType t = DType::F32;
  if (const Attribute *a = node.attr("value")) {
    const TensorData &v = a->getTensor();
    if (numElements(v.shape) != 1)
      return nodeError(node, "value must hold exactly one element, not " +
                                 llvm::Twine(numElements(v.shape)));
    t = v.dtype;
  }
  if (node.input(0)->dtype() != DType::I64)
    return nodeError(node, "input must be int64, not " + dtypeName(node.input(0)->dtype()));
  if (node.input(0)->rank() != 1)
    return nodeError(node, "input must be 1-d, not " + shapeToString(node.input(0)->shape()));
  auto shape = constInts(node, 0, "shape");
  if (!shape)
    return shape.takeError();
  for (int64_t d : *shape)
    if (d < 0)
      return nodeError(node, "shape " + shapeToString(*shape) + " has a negative entry");
  setOutput(node, 0, t, *shape);
  return llvm::Error::success();
}

/// Number of elements Range produces: max(ceil((limit - start) / delta), 0).
/// Integer types are counted exactly; floats as numpy's arange does (in double).
static llvm::Expected<int64_t> rangeCount(const Node &node) {
  DType t = node.input(0)->dtype();
  const char *names[] = {"start", "limit", "delta"};
  for (unsigned i = 0; i < 3; ++i) {
    Value *v = node.input(i);
    if (v->numElements() != 1 || v->rank() > 1)
      return nodeError(node, llvm::Twine(names[i]) + " must be a scalar, not " +
                                 shapeToString(v->shape()));
    if (!v->isConstant())
      return dataDependent(node, i, names[i]);
  }
  if (isFloat(t)) {
    double start = node.input(0)->doubleValues()[0], limit = node.input(1)->doubleValues()[0],
           delta = node.input(2)->doubleValues()[0];
    if (delta == 0 || !std::isfinite(delta) || !std::isfinite(start) || !std::isfinite(limit))
      return nodeError(node, "start, limit and delta must be finite and delta nonzero");
    double n = std::ceil((limit - start) / delta);
    if (n > static_cast<double>(kMaxTensorBytes))
      return nodeError(node, "the range has more elements than tinymlc supports");
    return n > 0 ? static_cast<int64_t>(n) : 0;
  }
  __int128 start = node.input(0)->intValues()[0], limit = node.input(1)->intValues()[0],
           delta = node.input(2)->intValues()[0];
  if (delta == 0)
    return nodeError(node, "delta must be nonzero");
  __int128 diff = limit - start, n = 0;
  if (delta > 0 && diff > 0)
    n = (diff + delta - 1) / delta;
  else if (delta < 0 && diff < 0)
    n = (diff + delta + 1) / delta;
  if (n > kMaxTensorBytes)
    return nodeError(node, "the range has more elements than tinymlc supports");
  return static_cast<int64_t>(n);
}

llvm::Error inferRange(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  DType t = node.input(0)->dtype();
  if (t != DType::F32 && t != DType::F64 && t != DType::I16 && t != DType::I32 &&
      t != DType::I64)
    return nodeError(node, "element type " + dtypeName(t) +
                               " is not supported by Range (float, double, int16, int32, int64)");
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  auto n = rangeCount(node);
  if (!n)
    return n.takeError();
  setOutput(node, 0, t, {*n});
  return llvm::Error::success();
}

llvm::Error inferEyeLike(Node &node) {
  if (auto e = checkAttrs(node, {{"dtype", Attribute::Kind::Int}, {"k", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  if (x->rank() != 2)
    return nodeError(node, "input must be 2-d, not " + shapeToString(x->shape()));
  DType t = x->dtype();
  if (node.hasAttr("dtype")) {
    int code = static_cast<int>(node.getInt("dtype", 1));
    auto dt = dtypeFromOnnx(code);
    if (!dt)
      return nodeError(node, "dtype " + onnxTypeName(code) + " is not supported");
    t = *dt;
  }
  int64_t k = node.getInt("k", 0);
  if (k < std::numeric_limits<int32_t>::min() || k > std::numeric_limits<int32_t>::max())
    return nodeError(node, "k " + llvm::Twine(k) + " is out of range");
  setOutput(node, 0, t, x->shape());
  return llvm::Error::success();
}

llvm::Error inferOneHot(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kNumeric))
    return e;
  if (auto e = checkType(node, 1, kNumeric))
    return e;
  Value *idx = node.input(0), *values = node.input(2);
  auto depth = constScalar(node, 1, "depth");
  if (!depth)
    return depth.takeError();
  if (!(*depth >= 1) || *depth > static_cast<double>(kMaxTensorBytes))
    return nodeError(node, "depth " + formatDouble(*depth) + " must be a positive count");
  if (values->numElements() != 2 || values->rank() != 1)
    return nodeError(node, "values must be a 2-element vector [off, on], not " +
                               shapeToString(values->shape()));
  int64_t rank = idx->rank() + 1;
  auto axis = normAxis(node, node.getInt("axis", -1), rank);
  if (!axis)
    return axis.takeError();
  Shape out(idx->shape().begin(), idx->shape().end());
  out.insert(out.begin() + *axis, static_cast<int64_t>(*depth));
  setOutput(node, 0, values->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferTrilu(Node &node) {
  if (auto e = checkAttrs(node, {{"upper", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  if (x->rank() < 2)
    return nodeError(node, "input must have rank 2 or more, not " + llvm::Twine(x->rank()));
  if (Value *k = node.input(1)) {
    if (k->dtype() != DType::I64)
      return nodeError(node, "k must be int64, not " + dtypeName(k->dtype()));
    if (k->numElements() != 1)
      return nodeError(node, "k must be a scalar, not " + shapeToString(k->shape()));
  }
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Gathers and scatters
//===----------------------------------------------------------------------===//

/// Shared checks of GatherElements and ScatterElements: indices of the data's
/// rank, no larger than the data off the axis, in range when constant.
static llvm::Expected<int64_t> elementsAxis(const Node &node, const Value *data,
                                            const Value *idx) {
  if (auto e = checkIndexType(node, 1))
    return e;
  if (data->rank() < 1)
    return nodeError(node, "data must have rank 1 or more");
  if (idx->rank() != data->rank())
    return nodeError(node, "indices have rank " + llvm::Twine(idx->rank()) +
                               ", data has rank " + llvm::Twine(data->rank()));
  auto axis = normAxis(node, node.getInt("axis", 0), data->rank());
  if (!axis)
    return axis.takeError();
  for (int64_t d = 0; d < data->rank(); ++d)
    if (d != *axis && idx->shape()[d] > data->shape()[d])
      return nodeError(node, "indices shape " + shapeToString(idx->shape()) +
                                 " is larger than data shape " + shapeToString(data->shape()) +
                                 " along axis " + llvm::Twine(d));
  if (auto e = checkConstIndices(node, idx, data->shape()[*axis], *axis))
    return e;
  return *axis;
}

llvm::Error inferGatherElements(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  Value *data = node.input(0), *idx = node.input(1);
  auto axis = elementsAxis(node, data, idx);
  if (!axis)
    return axis.takeError();
  if (data->shape()[*axis] == 0 && idx->numElements() > 0)
    return nodeError(node, "cannot gather from an empty axis");
  setOutput(node, 0, data->dtype(), idx->shape());
  return llvm::Error::success();
}

/// Reduction attribute of the scatter ops (opset 16-17: none, add, mul).
static llvm::Error checkReduction(const Node &node) {
  std::string r = node.getString("reduction", "none");
  if (r != "none" && r != "add" && r != "mul")
    return nodeError(node, "reduction '" + r + "' is not one of none, add, mul (opset 17)");
  return llvm::Error::success();
}

llvm::Error inferScatterElements(Node &node) {
  if (auto e = node.kind() == OpKind::Scatter
                   ? checkAttrs(node, {{"axis", Attribute::Kind::Int}})
                   : checkAttrs(node, {{"axis", Attribute::Kind::Int},
                                       {"reduction", Attribute::Kind::String}}))
    return e;
  if (auto e = checkReduction(node))
    return e;
  Value *data = node.input(0), *idx = node.input(1), *upd = node.input(2);
  auto axis = elementsAxis(node, data, idx);
  if (!axis)
    return axis.takeError();
  if (upd->dtype() != data->dtype())
    return nodeError(node, "updates are " + dtypeName(upd->dtype()) + ", data is " +
                               dtypeName(data->dtype()));
  if (upd->shape() != idx->shape())
    return nodeError(node, "updates have shape " + shapeToString(upd->shape()) +
                               ", indices have " + shapeToString(idx->shape()));
  if (data->shape()[*axis] == 0 && idx->numElements() > 0)
    return nodeError(node, "cannot scatter into an empty axis");
  setOutput(node, 0, data->dtype(), data->shape());
  return llvm::Error::success();
}

/// Checks constant GatherND/ScatterND index tuples against the data dims they
/// index (data dims from `first` on).
static llvm::Error checkTuples(const Node &node, const Value *data, const Value *idx,
                               int64_t first) {
  if (!idx->isConstant() || idx->rank() == 0)
    return llvm::Error::success();
  int64_t depth = idx->shape().back();
  std::vector<int64_t> v = idx->intValues();
  for (size_t i = 0; i < v.size(); ++i) {
    int64_t d = first + static_cast<int64_t>(i % depth);
    int64_t n = data->shape()[d];
    if (v[i] < -n || v[i] >= n)
      return nodeError(node, "index " + llvm::Twine(v[i]) + " is out of range for axis " +
                                 llvm::Twine(d) + " of size " + llvm::Twine(n));
  }
  return llvm::Error::success();
}

llvm::Error inferGatherND(Node &node) {
  if (auto e = checkAttrs(node, {{"batch_dims", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkIndexType(node, 1, /*allowInt32=*/false))
    return e;
  Value *data = node.input(0), *idx = node.input(1);
  int64_t r = data->rank(), q = idx->rank(), b = node.getInt("batch_dims", 0);
  if (r < 1 || q < 1)
    return nodeError(node, "data and indices must have rank 1 or more");
  if (b < 0 || b >= std::min(r, q))
    return nodeError(node, "batch_dims " + llvm::Twine(b) + " must be in [0, " +
                               llvm::Twine(std::min(r, q)) + ")");
  for (int64_t d = 0; d < b; ++d)
    if (idx->shape()[d] != data->shape()[d])
      return nodeError(node, "batch dimension " + llvm::Twine(d) + " differs: indices " +
                                 shapeToString(idx->shape()) + ", data " +
                                 shapeToString(data->shape()));
  int64_t depth = idx->shape().back();
  if (depth < 1 || depth > r - b)
    return nodeError(node, "the last dimension of indices, " + llvm::Twine(depth) +
                               ", must be in [1, " + llvm::Twine(r - b) + "]");
  if (auto e = checkTuples(node, data, idx, b))
    return e;
  Shape out(idx->shape().begin(), idx->shape().end() - 1);
  out.append(data->shape().begin() + b + depth, data->shape().end());
  setOutput(node, 0, data->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferScatterND(Node &node) {
  if (auto e = checkAttrs(node, {{"reduction", Attribute::Kind::String}}))
    return e;
  if (auto e = checkReduction(node))
    return e;
  if (auto e = checkIndexType(node, 1, /*allowInt32=*/false))
    return e;
  Value *data = node.input(0), *idx = node.input(1), *upd = node.input(2);
  int64_t r = data->rank(), q = idx->rank();
  if (r < 1 || q < 1)
    return nodeError(node, "data and indices must have rank 1 or more");
  int64_t depth = idx->shape().back();
  if (depth < 1 || depth > r)
    return nodeError(node, "the last dimension of indices, " + llvm::Twine(depth) +
                               ", must be in [1, " + llvm::Twine(r) + "]");
  if (upd->dtype() != data->dtype())
    return nodeError(node, "updates are " + dtypeName(upd->dtype()) + ", data is " +
                               dtypeName(data->dtype()));
  Shape want(idx->shape().begin(), idx->shape().end() - 1);
  want.append(data->shape().begin() + depth, data->shape().end());
  if (upd->shape() != llvm::ArrayRef<int64_t>(want))
    return nodeError(node, "updates have shape " + shapeToString(upd->shape()) + ", expected " +
                               shapeToString(want));
  if (auto e = checkTuples(node, data, idx, 0))
    return e;
  setOutput(node, 0, data->dtype(), data->shape());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// See ir/ShapeInference.h.
llvm::Error einsumLetters(const Node &node, std::vector<std::string> &operands,
                          std::string &output, std::map<char, int64_t> &dims) {
  std::string eq;
  for (char c : node.getString("equation", ""))
    if (c != ' ' && c != '\t')
      eq += c;
  std::string lhs = eq, rhs;
  bool explicitOut = false;
  if (size_t arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
    explicitOut = true;
  }
  auto bad = [&](const llvm::Twine &why) {
    return nodeError(node, "equation '" + node.getString("equation", "") + "': " + why);
  };
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma == std::string::npos ? comma : comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (terms.size() != node.numInputs())
    return bad("it has " + llvm::Twine(terms.size()) + " operands but the node has " +
               llvm::Twine(node.numInputs()) + " inputs");
  // Splits a term into letters and the position of its ellipsis (-1: none).
  auto parseTerm = [&](const std::string &t, std::string &letters,
                       int &ellipsis) -> llvm::Error {
    ellipsis = -1;
    letters.clear();
    for (size_t i = 0; i < t.size(); ++i) {
      if (t.compare(i, 3, "...") == 0) {
        if (ellipsis >= 0)
          return bad("a term has two ellipses");
        ellipsis = static_cast<int>(letters.size());
        i += 2;
        continue;
      }
      if (!std::isalpha(static_cast<unsigned char>(t[i])))
        return bad("'" + llvm::Twine(t[i]) + "' is not a letter");
      letters += t[i];
    }
    return llvm::Error::success();
  };
  // Ellipsis rank: the largest number of dims an ellipsis stands for.
  std::vector<std::string> letters(terms.size());
  std::vector<int> ell(terms.size());
  int64_t ellRank = 0;
  for (size_t k = 0; k < terms.size(); ++k) {
    if (auto e = parseTerm(terms[k], letters[k], ell[k]))
      return e;
    int64_t rank = node.input(k)->rank(), named = static_cast<int64_t>(letters[k].size());
    if (ell[k] < 0 ? rank != named : rank < named)
      return bad("operand " + llvm::Twine(k) + " ('" + terms[k] + "') does not match its rank " +
                 llvm::Twine(rank));
    if (ell[k] >= 0)
      ellRank = std::max(ellRank, rank - named);
  }
  if (ellRank > 10)
    return bad("an ellipsis stands for more than 10 dimensions");
  operands.assign(terms.size(), "");
  dims.clear();
  std::map<char, int> uses;
  for (size_t k = 0; k < terms.size(); ++k) {
    const Value *v = node.input(k);
    std::string spelled = letters[k];
    if (ell[k] >= 0) {
      int64_t n = v->rank() - static_cast<int64_t>(letters[k].size());
      std::string digits;
      for (int64_t j = ellRank - n; j < ellRank; ++j)
        digits += static_cast<char>('0' + j);
      spelled.insert(ell[k], digits);
    }
    operands[k] = spelled;
    std::map<char, int64_t> own;
    for (size_t j = 0; j < spelled.size(); ++j) {
      char c = spelled[j];
      int64_t d = v->shape()[j];
      if (std::isalpha(static_cast<unsigned char>(c)))
        ++uses[c];
      if (auto it = own.find(c); it != own.end() && it->second != d)
        return bad("'" + llvm::Twine(c) + "' has sizes " + llvm::Twine(it->second) + " and " +
                   llvm::Twine(d) + " in operand " + llvm::Twine(k));
      own[c] = d;
      auto [it, fresh] = dims.insert({c, d});
      if (!fresh && it->second != d) {
        if (it->second != 1 && d != 1)
          return bad("dimension '" + llvm::Twine(c) + "' has sizes " +
                     llvm::Twine(it->second) + " and " + llvm::Twine(d));
        it->second = std::max(it->second, d);
      }
    }
  }
  output.clear();
  if (explicitOut) {
    std::string outLetters;
    int outEll = -1;
    if (auto e = parseTerm(rhs, outLetters, outEll))
      return e;
    for (size_t i = 0; i < outLetters.size(); ++i) {
      if (!dims.count(outLetters[i]))
        return bad("output letter '" + llvm::Twine(outLetters[i]) + "' is not in any operand");
      if (outLetters.find(outLetters[i]) != i)
        return bad("output letter '" + llvm::Twine(outLetters[i]) + "' appears twice");
    }
    if (outEll < 0 && ellRank > 0)
      return bad("the operands have '...' dimensions but the output has no '...'");
    output = outLetters;
    if (outEll >= 0)
      for (int64_t j = ellRank - 1; j >= 0; --j)
        output.insert(outEll, 1, static_cast<char>('0' + j));
  } else {
    for (int64_t j = 0; j < ellRank; ++j)
      output += static_cast<char>('0' + j);
    for (const auto &[c, n] : uses) // std::map: ASCII order
      if (n == 1)
        output += c;
  }
  return llvm::Error::success();
}

llvm::Error inferEinsum(Node &node) {
  if (auto e = checkAttrs(node, {{"equation", Attribute::Kind::String}}))
    return e;
  if (!node.hasAttr("equation"))
    return nodeError(node, "attribute 'equation' is required");
  for (unsigned i = 0; i < node.numInputs(); ++i) {
    if (!node.input(i))
      return nodeError(node, "input " + llvm::Twine(i) + " is missing");
    if (auto e = checkType(node, i, kNumeric))
      return e;
  }
  if (node.numInputs() > 4)
    return nodeError(node, "Einsum of " + llvm::Twine(node.numInputs()) +
                               " operands is not supported (at most 4); split the equation "
                               "into several Einsum nodes");
  for (unsigned i = 1; i < node.numInputs(); ++i)
    if (auto e = checkSameType(node, {0, i}))
      return e;
  std::vector<std::string> operands;
  std::string output;
  std::map<char, int64_t> dims;
  if (auto e = einsumLetters(node, operands, output, dims))
    return e;
  if (dims.size() > 16)
    return nodeError(node, "Einsum over " + llvm::Twine(dims.size()) +
                               " distinct dimensions is not supported (at most 16)");
  Shape out;
  for (char c : output)
    out.push_back(dims[c]);
  setOutput(node, 0, node.input(0)->dtype(), out);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Data-dependent output shapes
//===----------------------------------------------------------------------===//

llvm::Error inferCompress(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0), *cond = node.input(1);
  if (cond->dtype() != DType::Bool)
    return nodeError(node, "condition must be bool, not " + dtypeName(cond->dtype()));
  if (cond->rank() != 1)
    return nodeError(node, "condition must be 1-d, not " + shapeToString(cond->shape()));
  int64_t dim = x->numElements();
  std::optional<int64_t> axis;
  if (node.hasAttr("axis")) {
    auto a = normAxis(node, node.getInt("axis", 0), x->rank());
    if (!a)
      return a.takeError();
    axis = *a;
    dim = x->shape()[*axis];
  }
  if (!cond->isConstant())
    return dataDependent(node, 1, "condition");
  std::vector<int64_t> c = cond->intValues();
  int64_t kept = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    if (!c[i])
      continue;
    if (static_cast<int64_t>(i) >= dim)
      return nodeError(node, "condition selects index " + llvm::Twine(i) +
                                 ", past the size " + llvm::Twine(dim) + " of the axis");
    ++kept;
  }
  if (!axis) {
    setOutput(node, 0, x->dtype(), {kept});
  } else {
    Shape out(x->shape().begin(), x->shape().end());
    out[*axis] = kept;
    setOutput(node, 0, x->dtype(), out);
  }
  return llvm::Error::success();
}

llvm::Error inferNonZero(Node &node) {
  if (auto e = checkAttrs(node, {}))
    return e;
  Value *x = node.input(0);
  if (!x->isConstant())
    return dataDependent(node, 0, "X");
  int64_t nonzeros = 0;
  for (double v : x->doubleValues())
    nonzeros += v != 0; // NaN counts
  setOutput(node, 0, DType::I64, {x->rank(), nonzeros});
  return llvm::Error::success();
}

/// Number of distinct slices of a constant viewed as [outer, n, inner], equal
/// meaning equal element for element (so a slice with a NaN is unique), as
/// the unique kernel counts them.
static int64_t countUnique(const Value *x, int64_t outer, int64_t n, int64_t inner) {
  std::vector<double> f;
  std::vector<int64_t> i;
  bool floating = isFloat(x->dtype());
  if (floating)
    f = x->doubleValues();
  else
    i = x->intValues();
  auto at = [&](int64_t o, int64_t a, int64_t k) { return (o * n + a) * inner + k; };
  auto less = [&](int64_t a, int64_t b) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        if (floating) {
          double va = f[at(o, a, k)], vb = f[at(o, b, k)];
          bool lt = va < vb || (std::isnan(vb) && !std::isnan(va));
          bool gt = vb < va || (std::isnan(va) && !std::isnan(vb));
          if (lt || gt)
            return lt;
        } else if (i[at(o, a, k)] != i[at(o, b, k)]) {
          // Unsigned 64-bit values above INT64_MAX order as unsigned.
          if (x->dtype() == DType::U64)
            return static_cast<uint64_t>(i[at(o, a, k)]) < static_cast<uint64_t>(i[at(o, b, k)]);
          return i[at(o, a, k)] < i[at(o, b, k)];
        }
      }
    return a < b;
  };
  auto equal = [&](int64_t a, int64_t b) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k)
        if (floating ? !(f[at(o, a, k)] == f[at(o, b, k)]) : i[at(o, a, k)] != i[at(o, b, k)])
          return false;
    return true;
  };
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), less);
  int64_t groups = 0;
  for (int64_t s = 0; s < n; ++s)
    groups += s == 0 || !equal(perm[s - 1], perm[s]);
  return groups;
}

llvm::Error inferUnique(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int}, {"sorted", Attribute::Kind::Int}}))
    return e;
  Value *x = node.input(0);
  int64_t outer = 1, n = x->numElements(), inner = 1;
  std::optional<int64_t> axis;
  if (node.hasAttr("axis")) {
    auto a = normAxis(node, node.getInt("axis", 0), x->rank());
    if (!a)
      return a.takeError();
    axis = *a;
    outer = numElements(x->shape().take_front(*axis));
    n = x->shape()[*axis];
    inner = numElements(x->shape().drop_front(*axis + 1));
  }
  if (!x->isConstant())
    return dataDependent(node, 0, "X");
  int64_t u = countUnique(x, outer, n, inner);
  if (axis) {
    Shape out(x->shape().begin(), x->shape().end());
    out[*axis] = u;
    setOutput(node, 0, x->dtype(), out);
  } else {
    setOutput(node, 0, x->dtype(), {u});
  }
  setOutput(node, 1, DType::I64, {u});
  setOutput(node, 2, DType::I64, {n});
  setOutput(node, 3, DType::I64, {u});
  return llvm::Error::success();
}

} // namespace tinymlc
