//===- Spatial.cpp - inference for windowed and resampling ops ------------===//
//
// Conv and ConvTranspose, the pools (max, average, Lp, global, unpool, RoI),
// BatchNormalization, Resize/Upsample, GridSample, RoiAlign and
// NonMaxSuppression. ONNX opset 17 semantics.
//
//===----------------------------------------------------------------------===//
#include "ir/Format.h"
#include "ir/ops/InferUtils.h"
#include <algorithm>
#include <cmath>

namespace tinymlc {
using namespace infer;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Refuses window attribute values beyond 2^31 - 1, so that the size
/// arithmetic below cannot overflow (no tensor tinymlc handles is larger).
static llvm::Error checkWindowValues(const Node &node,
                                     std::initializer_list<const char *> names) {
  for (const char *name : names)
    for (int64_t v : node.getInts(name))
      if (v > kMaxTensorBytes || v < -kMaxTensorBytes)
        return nodeError(node, "attribute '" + llvm::Twine(name) + "' value " +
                                   llvm::Twine(v) + " is out of range");
  return llvm::Error::success();
}

/// Output size and padding of a sliding window, following the ONNX spec:
/// - explicit pads: out = floor((in + pb + pe - effective_kernel) / stride) + 1
///   (ceil instead of floor with ceil_mode, dropping a last window that would
///   start in the end padding, as PyTorch and ONNX Runtime do);
/// - VALID: no padding;
/// - SAME_UPPER / SAME_LOWER: out = ceil(in / stride), the total padding split
///   evenly with the odd element at the end (UPPER) or the beginning (LOWER).
llvm::Expected<WindowGeometry> windowGeometry(const Node &node, llvm::ArrayRef<int64_t> inSpatial,
                                              llvm::ArrayRef<int64_t> kernel) {
  size_t rank = inSpatial.size();
  if (auto e = checkWindowValues(node, {"strides", "dilations", "pads", "kernel_shape"}))
    return e;
  WindowGeometry g;
  g.in.assign(inSpatial.begin(), inSpatial.end());
  g.kernel.assign(kernel.begin(), kernel.end());
  auto getList = [&](llvm::StringRef name, size_t n, int64_t dflt,
                     Shape &out) -> llvm::Error {
    std::vector<int64_t> v = node.getInts(name);
    if (v.empty()) {
      out.assign(n, dflt);
      return llvm::Error::success();
    }
    if (v.size() != n)
      return nodeError(node, "attribute '" + name + "' has " + llvm::Twine(v.size()) +
                                 " values, expected " + llvm::Twine(n));
    out.assign(v.begin(), v.end());
    return llvm::Error::success();
  };
  if (auto e = getList("strides", rank, 1, g.strides))
    return e;
  if (auto e = getList("dilations", rank, 1, g.dilations))
    return e;
  Shape pads;
  if (auto e = getList("pads", 2 * rank, 0, pads))
    return e;
  for (size_t i = 0; i < rank; ++i) {
    if (g.strides[i] < 1)
      return nodeError(node, "strides must be positive");
    if (g.dilations[i] < 1)
      return nodeError(node, "dilations must be positive");
    if (g.kernel[i] < 1)
      return nodeError(node, "kernel size must be positive");
    if (pads[i] < 0 || pads[i + rank] < 0)
      return nodeError(node, "pads must not be negative");
  }
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  bool ceilMode = node.getInt("ceil_mode", 0) != 0;
  g.padBegin.assign(rank, 0);
  g.padEnd.assign(rank, 0);
  g.out.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    int64_t in = g.in[i], s = g.strides[i];
    int64_t ek = (g.kernel[i] - 1) * g.dilations[i] + 1;
    if (autoPad == "NOTSET") {
      g.padBegin[i] = pads[i];
      g.padEnd[i] = pads[i + rank];
      int64_t span = in + g.padBegin[i] + g.padEnd[i] - ek;
      if (span < 0)
        return nodeError(node, "kernel extent " + llvm::Twine(ek) +
                                   " is larger than the padded input (" +
                                   llvm::Twine(in + g.padBegin[i] + g.padEnd[i]) + ")");
      int64_t out = (ceilMode ? ceilDiv(span, s) : span / s) + 1;
      if (ceilMode && (out - 1) * s >= in + g.padBegin[i])
        --out;
      g.out[i] = out;
    } else if (autoPad == "VALID") {
      if (in < ek)
        return nodeError(node, "kernel extent " + llvm::Twine(ek) +
                                   " is larger than the input (" + llvm::Twine(in) + ")");
      g.out[i] = ceilMode ? ceilDiv(in - ek, s) + 1 : (in - ek) / s + 1;
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      g.out[i] = ceilDiv(in, s);
      int64_t total = std::max<int64_t>(0, (g.out[i] - 1) * s + ek - in);
      g.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      g.padEnd[i] = total - g.padBegin[i];
    } else {
      return nodeError(node, "auto_pad '" + autoPad + "' is not one of NOTSET, VALID, "
                                                      "SAME_UPPER, SAME_LOWER");
    }
  }
  return g;
}

llvm::Error inferConv(Node &node) {
  if (auto e = checkAttrs(node, {{"auto_pad", Attribute::Kind::String},
                                 {"dilations", Attribute::Kind::Ints},
                                 {"group", Attribute::Kind::Int},
                                 {"kernel_shape", Attribute::Kind::Ints},
                                 {"pads", Attribute::Kind::Ints},
                                 {"strides", Attribute::Kind::Ints},
                                 TINYMLC_FUSED_ACTIVATION_ATTRS}))
    return e;
  if (auto e = checkFusedActivation(node))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  Value *x = node.input(0), *w = node.input(1), *b = node.input(2);
  if (x->rank() < 3 || x->rank() > 5)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; Conv supports 1, 2 or 3 spatial dimensions");
  if (w->rank() != x->rank())
    return nodeError(node, "weight '" + w->name() + "' has rank " + llvm::Twine(w->rank()) +
                               " but the input has rank " + llvm::Twine(x->rank()));
  int64_t group = node.getInt("group", 1);
  int64_t c = x->shape()[1], m = w->shape()[0];
  if (group < 1)
    return nodeError(node, "group " + llvm::Twine(group) + " must be positive");
  if (c % group != 0)
    return nodeError(node, "group " + llvm::Twine(group) + " does not divide " +
                               llvm::Twine(c) + " input channels");
  if (m % group != 0)
    return nodeError(node, "group " + llvm::Twine(group) + " does not divide " +
                               llvm::Twine(m) + " output channels");
  if (w->shape()[1] * group != c)
    return nodeError(node, "weight '" + w->name() + "' " + shapeToString(w->shape()) +
                               " expects " + llvm::Twine(w->shape()[1] * group) +
                               " input channels, the input has " + llvm::Twine(c));
  if (b && (b->rank() != 1 || b->shape()[0] != m))
    return nodeError(node, "bias '" + b->name() + "' must have shape [" + llvm::Twine(m) +
                               "], not " + shapeToString(b->shape()));
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
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferPool(Node &node) {
  bool isMax = node.kind() == OpKind::MaxPool;
  llvm::Error e = isMax ? checkAttrs(node, {{"auto_pad", Attribute::Kind::String},
                                            {"ceil_mode", Attribute::Kind::Int},
                                            {"dilations", Attribute::Kind::Ints},
                                            {"kernel_shape", Attribute::Kind::Ints},
                                            {"pads", Attribute::Kind::Ints},
                                            {"storage_order", Attribute::Kind::Int},
                                            {"strides", Attribute::Kind::Ints}})
                        : checkAttrs(node, {{"auto_pad", Attribute::Kind::String},
                                            {"ceil_mode", Attribute::Kind::Int},
                                            {"count_include_pad", Attribute::Kind::Int},
                                            {"kernel_shape", Attribute::Kind::Ints},
                                            {"pads", Attribute::Kind::Ints},
                                            {"strides", Attribute::Kind::Ints}});
  if (e)
    return e;
  if (auto e = checkType(node, 0, isMax ? (kFloat | kSigned | kUnsigned) : kFloat))
    return e;
  Value *x = node.input(0);
  if (x->rank() < 3 || x->rank() > 5)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; pooling supports 1, 2 or 3 spatial dimensions");
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  if (kernel.size() != static_cast<size_t>(x->rank() - 2))
    return nodeError(node, "attribute 'kernel_shape' must have " + llvm::Twine(x->rank() - 2) +
                               " values");
  auto g = windowGeometry(node, x->shape().drop_front(2), kernel);
  if (!g)
    return g.takeError();
  Shape out = {x->shape()[0], x->shape()[1]};
  out.append(g->out.begin(), g->out.end());
  setOutput(node, 0, x->dtype(), out);
  setOutput(node, 1, DType::I64, out);
  return llvm::Error::success();
}

llvm::Error inferGlobalPool(Node &node) {
  if (node.kind() == OpKind::GlobalLpPool) {
    if (auto e = checkAttrs(node, {{"p", Attribute::Kind::Int}}))
      return e;
    int64_t p = node.getInt("p", 2);
    if (p < 1 || p > 1 << 16)
      return nodeError(node, "p " + llvm::Twine(p) + " is out of range [1, 65536]");
  } else if (auto e = checkAttrs(node, {})) {
    return e;
  }
  if (auto e = checkType(node, 0, kFloat))
    return e;
  Value *x = node.input(0);
  if (x->rank() < 3)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [N, C, spatial...]");
  Shape out(x->shape().begin(), x->shape().end());
  for (size_t i = 2; i < out.size(); ++i)
    out[i] = 1;
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferBatchNorm(Node &node) {
  if (auto e = checkAttrs(node, {{"epsilon", Attribute::Kind::Float},
                                 {"momentum", Attribute::Kind::Float},
                                 {"training_mode", Attribute::Kind::Int}}))
    return e;
  if (node.getInt("training_mode", 0) != 0 || node.numOutputs() > 1)
    return nodeError(node, "training mode is not supported (attribute 'training_mode' or the "
                           "running mean/var outputs); export the model for inference");
  if (auto e = checkType(node, 0, kFloat))
    return e;
  Value *x = node.input(0);
  if (x->rank() < 2)
    return nodeError(node, "input '" + x->name() + "' must have rank 2 or more");
  int64_t c = x->shape()[1];
  for (unsigned i = 1; i < 5; ++i) {
    Value *v = node.input(i);
    if (v->rank() != 1 || v->shape()[0] != c)
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + v->name() +
                                 "') must have shape [" + llvm::Twine(c) + "], not " +
                                 shapeToString(v->shape()));
    if (auto e = checkType(node, i, kFloat))
      return e;
  }
  setOutput(node, 0, x->dtype(), x->shape());
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

/// a / 2 rounded toward negative infinity (total padding may be negative
/// when output_shape asks for more than the full output).
static int64_t floorHalf(int64_t a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); }

/// Output size and padding of ConvTranspose, following the ONNX spec. With
/// full[i] = stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1:
/// - explicit pads (NOTSET): out = full - pad_begin - pad_end;
/// - output_shape given: out = output_shape, total = full - out split as
///   begin = total / 2 for SAME_UPPER, begin = total - total / 2 otherwise
///   (rounding toward negative infinity; a negative end pad extends the
///   output with positions no input reaches, as output_padding does);
/// - SAME_UPPER / SAME_LOWER: out = in * stride, the total split the same way;
/// - VALID: no padding, out = full.
/// The kernel writes y[i * stride - pad_begin + k * dilation] and drops
/// positions outside [0, out).
llvm::Expected<WindowGeometry> convTransposeGeometry(const Node &node,
                                                     llvm::ArrayRef<int64_t> inSpatial,
                                                     llvm::ArrayRef<int64_t> kernel) {
  size_t rank = inSpatial.size();
  if (auto e = checkWindowValues(node, {"strides", "dilations", "pads", "kernel_shape",
                                        "output_padding", "output_shape"}))
    return e;
  WindowGeometry g;
  g.in.assign(inSpatial.begin(), inSpatial.end());
  g.kernel.assign(kernel.begin(), kernel.end());
  auto getList = [&](llvm::StringRef name, size_t n, int64_t dflt, Shape &out) -> llvm::Error {
    std::vector<int64_t> v = node.getInts(name);
    if (v.empty()) {
      out.assign(n, dflt);
      return llvm::Error::success();
    }
    if (v.size() != n)
      return nodeError(node, "attribute '" + name + "' has " + llvm::Twine(v.size()) +
                                 " values, expected " + llvm::Twine(n));
    out.assign(v.begin(), v.end());
    return llvm::Error::success();
  };
  Shape pads, outputPadding, outputShape;
  if (auto e = getList("strides", rank, 1, g.strides))
    return e;
  if (auto e = getList("dilations", rank, 1, g.dilations))
    return e;
  if (auto e = getList("pads", 2 * rank, 0, pads))
    return e;
  if (auto e = getList("output_padding", rank, 0, outputPadding))
    return e;
  std::vector<int64_t> os = node.getInts("output_shape");
  if (os.size() == rank + 2)
    os.erase(os.begin(), os.begin() + 2); // [N, C, spatial...] spelled out
  if (!os.empty() && os.size() != rank)
    return nodeError(node, "attribute 'output_shape' has " + llvm::Twine(os.size()) +
                               " values, expected " + llvm::Twine(rank));
  for (size_t i = 0; i < rank; ++i) {
    if (g.strides[i] < 1)
      return nodeError(node, "strides must be positive");
    if (g.dilations[i] < 1)
      return nodeError(node, "dilations must be positive");
    if (g.kernel[i] < 1)
      return nodeError(node, "kernel size must be positive");
    if (pads[i] < 0 || pads[i + rank] < 0)
      return nodeError(node, "pads must not be negative");
    if (outputPadding[i] < 0)
      return nodeError(node, "output_padding must not be negative");
    if (!os.empty() && os[i] < 1)
      return nodeError(node, "output_shape " + shapeToString(os) + " must be positive");
  }
  std::string autoPad = node.getString("auto_pad", "NOTSET");
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!same && autoPad != "NOTSET" && autoPad != "VALID")
    return nodeError(node, "auto_pad '" + autoPad +
                               "' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
  g.padBegin.assign(rank, 0);
  g.padEnd.assign(rank, 0);
  g.out.assign(rank, 0);
  for (size_t i = 0; i < rank; ++i) {
    int64_t full = g.strides[i] * (g.in[i] - 1) + outputPadding[i] +
                   (g.kernel[i] - 1) * g.dilations[i] + 1;
    if (!os.empty() || same) {
      g.out[i] = !os.empty() ? os[i] : g.in[i] * g.strides[i];
      int64_t total = full - g.out[i];
      g.padBegin[i] = autoPad == "SAME_UPPER" ? floorHalf(total) : total - floorHalf(total);
    } else if (autoPad == "VALID") {
      g.out[i] = full;
    } else {
      g.padBegin[i] = pads[i];
      g.out[i] = full - pads[i] - pads[i + rank];
      if (g.out[i] < 1)
        return nodeError(node, "pads " + shapeToString(pads) + " leave no output along axis " +
                                   llvm::Twine(i + 2) + " (full size " + llvm::Twine(full) +
                                   ")");
    }
    g.padEnd[i] = full - g.out[i] - g.padBegin[i];
  }
  return g;
}

llvm::Error inferConvTranspose(Node &node) {
  if (auto e = checkAttrs(node, {{"auto_pad", Attribute::Kind::String},
                                 {"dilations", Attribute::Kind::Ints},
                                 {"group", Attribute::Kind::Int},
                                 {"kernel_shape", Attribute::Kind::Ints},
                                 {"output_padding", Attribute::Kind::Ints},
                                 {"output_shape", Attribute::Kind::Ints},
                                 {"pads", Attribute::Kind::Ints},
                                 {"strides", Attribute::Kind::Ints},
                                 TINYMLC_FUSED_ACTIVATION_ATTRS}))
    return e;
  if (auto e = checkFusedActivation(node))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  Value *x = node.input(0), *w = node.input(1), *b = node.input(2);
  if (x->rank() < 3 || x->rank() > 5)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; ConvTranspose supports 1, 2 or 3 spatial dimensions");
  if (w->rank() != x->rank())
    return nodeError(node, "weight '" + w->name() + "' has rank " + llvm::Twine(w->rank()) +
                               " but the input has rank " + llvm::Twine(x->rank()));
  int64_t group = node.getInt("group", 1);
  int64_t c = x->shape()[1];
  if (group < 1)
    return nodeError(node, "group " + llvm::Twine(group) + " must be positive");
  if (c % group != 0)
    return nodeError(node, "group " + llvm::Twine(group) + " does not divide " +
                               llvm::Twine(c) + " input channels");
  if (w->shape()[0] != c)
    return nodeError(node, "weight '" + w->name() + "' " + shapeToString(w->shape()) +
                               " expects " + llvm::Twine(w->shape()[0]) +
                               " input channels, the input has " + llvm::Twine(c));
  int64_t m = w->shape()[1] * group;
  if (b && (b->rank() != 1 || b->shape()[0] != m))
    return nodeError(node, "bias '" + b->name() + "' must have shape [" + llvm::Twine(m) +
                               "], not " + shapeToString(b->shape()));
  llvm::ArrayRef<int64_t> kernel = w->shape().drop_front(2);
  std::vector<int64_t> ks = node.getInts("kernel_shape");
  if (!ks.empty() && llvm::ArrayRef<int64_t>(ks) != kernel)
    return nodeError(node, "kernel_shape " + shapeToString(ks) +
                               " does not match the weight's spatial shape " +
                               shapeToString(kernel));
  auto g = convTransposeGeometry(node, x->shape().drop_front(2), kernel);
  if (!g)
    return g.takeError();
  Shape out = {x->shape()[0], m};
  out.append(g->out.begin(), g->out.end());
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// LpPool, MaxUnpool, MaxRoiPool
//===----------------------------------------------------------------------===//

llvm::Error inferLpPool(Node &node) {
  // Opset 17 LpPool has no ceil_mode or dilations (they came with opset 18).
  if (auto e = checkAttrs(node, {{"auto_pad", Attribute::Kind::String},
                                 {"kernel_shape", Attribute::Kind::Ints},
                                 {"p", Attribute::Kind::Int},
                                 {"pads", Attribute::Kind::Ints},
                                 {"strides", Attribute::Kind::Ints}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  int64_t p = node.getInt("p", 2);
  if (p < 1 || p > 1 << 16)
    return nodeError(node, "p " + llvm::Twine(p) + " is out of range [1, 65536]");
  Value *x = node.input(0);
  if (x->rank() < 3 || x->rank() > 5)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; pooling supports 1, 2 or 3 spatial dimensions");
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  if (kernel.size() != static_cast<size_t>(x->rank() - 2))
    return nodeError(node, "attribute 'kernel_shape' must have " + llvm::Twine(x->rank() - 2) +
                               " values");
  auto g = windowGeometry(node, x->shape().drop_front(2), kernel);
  if (!g)
    return g.takeError();
  Shape out = {x->shape()[0], x->shape()[1]};
  out.append(g->out.begin(), g->out.end());
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

/// The shape MaxUnpool's indices address: [N, C, (in - 1) * stride - pads +
/// kernel...], the input of the MaxPool being undone. When an output_shape
/// is given, the values are scattered in this shape and the result is padded
/// (or cropped) at the end of each axis to output_shape, as ONNX's test data
/// (and ONNX Runtime) have it.
llvm::Expected<Shape> maxUnpoolIndexShape(const Node &node) {
  if (auto e = checkWindowValues(node, {"strides", "pads", "kernel_shape"}))
    return e;
  Value *x = node.input(0);
  size_t rank = static_cast<size_t>(x->rank() - 2);
  std::vector<int64_t> kernel = node.getInts("kernel_shape");
  std::vector<int64_t> strides = node.getInts("strides"), pads = node.getInts("pads");
  if (strides.empty())
    strides.assign(rank, 1);
  if (pads.empty())
    pads.assign(2 * rank, 0);
  if (kernel.size() != rank || strides.size() != rank || pads.size() != 2 * rank)
    return nodeError(node, "attributes 'kernel_shape', 'strides' and 'pads' must have " +
                               llvm::Twine(rank) + ", " + llvm::Twine(rank) + " and " +
                               llvm::Twine(2 * rank) + " values");
  Shape out = {x->shape()[0], x->shape()[1]};
  for (size_t i = 0; i < rank; ++i) {
    if (kernel[i] < 1 || strides[i] < 1 || pads[i] < 0 || pads[i + rank] < 0)
      return nodeError(node, "kernel_shape and strides must be positive, pads not negative");
    int64_t d = (x->shape()[i + 2] - 1) * strides[i] - pads[i] - pads[i + rank] + kernel[i];
    if (d < 0)
      return nodeError(node, "pads " + shapeToString(pads) + " leave no output along axis " +
                                 llvm::Twine(i + 2));
    out.push_back(d);
  }
  return out;
}

llvm::Error inferMaxUnpool(Node &node) {
  if (auto e = checkAttrs(node, {{"kernel_shape", Attribute::Kind::Ints},
                                 {"pads", Attribute::Kind::Ints},
                                 {"strides", Attribute::Kind::Ints}}))
    return e;
  Value *x = node.input(0), *idx = node.input(1);
  if (idx->dtype() != DType::I64)
    return nodeError(node, "indices '" + idx->name() + "' must be int64, not " +
                               dtypeName(idx->dtype()));
  if (idx->shape() != x->shape())
    return nodeError(node, "indices '" + idx->name() + "' have shape " +
                               shapeToString(idx->shape()) + " but the input has " +
                               shapeToString(x->shape()));
  if (x->rank() < 3)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [N, C, spatial...]");
  auto out = maxUnpoolIndexShape(node);
  if (!out)
    return out.takeError();
  if (node.input(2)) {
    auto os = constInts(node, 2, "output_shape");
    if (!os)
      return os.takeError();
    if (os->size() != static_cast<size_t>(x->rank()))
      return nodeError(node, "output_shape has " + llvm::Twine(os->size()) +
                                 " values, expected " + llvm::Twine(x->rank()));
    for (int64_t d : *os)
      if (d < 0)
        return nodeError(node, "output_shape " + shapeToString(*os) + " has a negative entry");
    out->assign(os->begin(), os->end());
  }
  setOutput(node, 0, x->dtype(), *out);
  return llvm::Error::success();
}

llvm::Error inferMaxRoiPool(Node &node) {
  if (auto e = checkAttrs(node, {{"pooled_shape", Attribute::Kind::Ints},
                                 {"spatial_scale", Attribute::Kind::Float}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1}))
    return e;
  Value *x = node.input(0), *rois = node.input(1);
  if (x->rank() != 4)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [N, C, H, W]");
  if (rois->rank() != 2 || rois->shape()[1] != 5)
    return nodeError(node, "rois '" + rois->name() + "' has shape " +
                               shapeToString(rois->shape()) +
                               "; expected [num_rois, 5] (batch index, x1, y1, x2, y2)");
  std::vector<int64_t> pooled = node.getInts("pooled_shape");
  if (pooled.size() != 2 || pooled[0] < 1 || pooled[1] < 1)
    return nodeError(node, "attribute 'pooled_shape' must be two positive values");
  setOutput(node, 0, x->dtype(), {rois->shape()[0], x->shape()[1], pooled[0], pooled[1]});
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// RoiAlign, GridSample
//===----------------------------------------------------------------------===//

llvm::Error inferRoiAlign(Node &node) {
  if (auto e = checkAttrs(node, {{"coordinate_transformation_mode", Attribute::Kind::String},
                                 {"mode", Attribute::Kind::String},
                                 {"output_height", Attribute::Kind::Int},
                                 {"output_width", Attribute::Kind::Int},
                                 {"sampling_ratio", Attribute::Kind::Int},
                                 {"spatial_scale", Attribute::Kind::Float}}))
    return e;
  std::string mode = node.getString("mode", "avg");
  if (mode != "avg" && mode != "max")
    return nodeError(node, "mode '" + mode + "' is not one of avg, max");
  std::string ctm = node.getString("coordinate_transformation_mode", "half_pixel");
  if (ctm != "half_pixel" && ctm != "output_half_pixel")
    return nodeError(node, "coordinate_transformation_mode '" + ctm +
                               "' is not one of half_pixel, output_half_pixel");
  int64_t oh = node.getInt("output_height", 1), ow = node.getInt("output_width", 1);
  if (oh < 1 || ow < 1)
    return nodeError(node, "output_height and output_width must be positive");
  int64_t sr = node.getInt("sampling_ratio", 0);
  if (sr < 0 || sr > 1 << 16)
    return nodeError(node, "sampling_ratio " + llvm::Twine(sr) + " is out of range [0, 65536]");
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1}))
    return e;
  Value *x = node.input(0), *rois = node.input(1), *bi = node.input(2);
  if (x->rank() != 4)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; expected [N, C, H, W]");
  if (rois->rank() != 2 || rois->shape()[1] != 4)
    return nodeError(node, "rois '" + rois->name() + "' has shape " +
                               shapeToString(rois->shape()) +
                               "; expected [num_rois, 4] (x1, y1, x2, y2)");
  if (bi->dtype() != DType::I64)
    return nodeError(node, "batch_indices '" + bi->name() + "' must be int64, not " +
                               dtypeName(bi->dtype()));
  if (bi->rank() != 1 || bi->shape()[0] != rois->shape()[0])
    return nodeError(node, "batch_indices '" + bi->name() + "' has shape " +
                               shapeToString(bi->shape()) + "; expected [" +
                               llvm::Twine(rois->shape()[0]) + "]");
  setOutput(node, 0, x->dtype(), {rois->shape()[0], x->shape()[1], oh, ow});
  return llvm::Error::success();
}

llvm::Error inferGridSample(Node &node) {
  if (auto e = checkAttrs(node, {{"align_corners", Attribute::Kind::Int},
                                 {"mode", Attribute::Kind::String},
                                 {"padding_mode", Attribute::Kind::String}}))
    return e;
  std::string mode = node.getString("mode", "bilinear");
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return nodeError(node, "mode '" + mode + "' is not one of bilinear, nearest, bicubic");
  std::string pm = node.getString("padding_mode", "zeros");
  if (pm != "zeros" && pm != "border" && pm != "reflection")
    return nodeError(node, "padding_mode '" + pm + "' is not one of zeros, border, reflection");
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 1}))
    return e;
  Value *x = node.input(0), *grid = node.input(1);
  if (x->rank() != 4)
    return nodeError(node, "input '" + x->name() + "' has shape " + shapeToString(x->shape()) +
                               "; GridSample (opset 16) takes [N, C, H, W]");
  if (grid->rank() != 4 || grid->shape()[0] != x->shape()[0] || grid->shape()[3] != 2)
    return nodeError(node, "grid '" + grid->name() + "' has shape " +
                               shapeToString(grid->shape()) + "; expected [" +
                               llvm::Twine(x->shape()[0]) + ", H_out, W_out, 2]");
  setOutput(node, 0, x->dtype(),
            {x->shape()[0], x->shape()[1], grid->shape()[1], grid->shape()[2]});
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// NonMaxSuppression
//===----------------------------------------------------------------------===//

namespace {
/// IoU test of two boxes, in float and in the order of operations of
/// tmc::nms_suppresses (runtime-min/tmc_resize.h), which computes the values
/// of the output whose size this decides: the two must agree.
bool nmsSuppresses(const float *a, const float *b, bool centerPoint, float iouThreshold) {
  float ax0, ax1, ay0, ay1, bx0, bx1, by0, by1;
  if (centerPoint) {
    ax0 = a[0] - a[2] / 2.0f, ax1 = a[0] + a[2] / 2.0f;
    ay0 = a[1] - a[3] / 2.0f, ay1 = a[1] + a[3] / 2.0f;
    bx0 = b[0] - b[2] / 2.0f, bx1 = b[0] + b[2] / 2.0f;
    by0 = b[1] - b[3] / 2.0f, by1 = b[1] + b[3] / 2.0f;
  } else {
    ax0 = std::min(a[1], a[3]), ax1 = std::max(a[1], a[3]);
    ay0 = std::min(a[0], a[2]), ay1 = std::max(a[0], a[2]);
    bx0 = std::min(b[1], b[3]), bx1 = std::max(b[1], b[3]);
    by0 = std::min(b[0], b[2]), by1 = std::max(b[0], b[2]);
  }
  float ix0 = std::max(ax0, bx0), ix1 = std::min(ax1, bx1);
  if (ix1 <= ix0)
    return false;
  float iy0 = std::max(ay0, by0), iy1 = std::min(ay1, by1);
  if (iy1 <= iy0)
    return false;
  float inter = (ix1 - ix0) * (iy1 - iy0);
  if (inter <= 0.0f)
    return false;
  float areaA = (ax1 - ax0) * (ay1 - ay0), areaB = (bx1 - bx0) * (by1 - by0);
  float uni = areaA + areaB - inter;
  if (areaA <= 0.0f || areaB <= 0.0f || uni <= 0.0f)
    return false;
  return inter / uni > iouThreshold;
}

template <typename T> std::vector<T> valuesAs(const Value *v) {
  std::vector<T> out;
  for (double d : v->doubleValues())
    out.push_back(static_cast<T>(d));
  return out;
}
} // namespace

llvm::Error inferNonMaxSuppression(Node &node) {
  if (auto e = checkAttrs(node, {{"center_point_box", Attribute::Kind::Int}}))
    return e;
  int64_t cpb = node.getInt("center_point_box", 0);
  if (cpb != 0 && cpb != 1)
    return nodeError(node, "center_point_box " + llvm::Twine(cpb) + " must be 0 or 1");
  static const char *const names[] = {"boxes", "scores", "max_output_boxes_per_class",
                                      "iou_threshold", "score_threshold"};
  // The number of selected boxes is the output's first dimension: the whole
  // selection happens at compile time.
  std::string runtime;
  for (unsigned i = 0; i < node.numInputs(); ++i)
    if (Value *v = node.input(i); v && !v->isConstant())
      runtime += (runtime.empty() ? "" : ", ") + std::string("input ") + std::to_string(i) +
                 " (" + names[i] + ", '" + v->name() + "')";
  if (!runtime.empty())
    return nodeError(node, "the number of selected boxes decides the output shape, so every "
                           "input must be known at compile time, but " +
                               runtime +
                               " is computed from runtime data; bind the graph inputs it "
                               "depends on with --const NAME=FILE");
  for (unsigned i : {0u, 1u, 3u, 4u})
    if (Value *v = node.input(i); v && v->dtype() != DType::F32)
      return nodeError(node, "input " + llvm::Twine(i) + " (" + names[i] + ", '" + v->name() +
                                 "') must be float, not " + dtypeName(v->dtype()));
  Value *boxes = node.input(0), *scores = node.input(1);
  if (boxes->rank() != 3 || boxes->shape()[2] != 4)
    return nodeError(node, "boxes '" + boxes->name() + "' has shape " +
                               shapeToString(boxes->shape()) +
                               "; expected [num_batches, num_boxes, 4]");
  int64_t nb = boxes->shape()[0], ns = boxes->shape()[1];
  if (scores->rank() != 3 || scores->shape()[0] != nb || scores->shape()[2] != ns)
    return nodeError(node, "scores '" + scores->name() + "' has shape " +
                               shapeToString(scores->shape()) + "; expected [" +
                               llvm::Twine(nb) + ", num_classes, " + llvm::Twine(ns) + "]");
  int64_t nc = scores->shape()[1];
  int64_t maxOut = 0;
  if (node.input(2)) {
    auto v = constInts(node, 2, names[2]);
    if (!v)
      return v.takeError();
    if (v->size() != 1)
      return nodeError(node, "max_output_boxes_per_class must hold one value");
    maxOut = std::max<int64_t>(0, (*v)[0]);
  }
  float iou = 0.0f, scoreThreshold = 0.0f;
  bool hasScoreThreshold = false;
  for (unsigned i : {3u, 4u}) {
    Value *v = node.input(i);
    if (!v)
      continue;
    if (v->numElements() != 1)
      return nodeError(node, std::string(names[i]) + " must hold one value");
    float f = valuesAs<float>(v)[0];
    if (i == 3)
      iou = f;
    else
      scoreThreshold = f, hasScoreThreshold = true;
  }
  if (!(iou >= 0.0f && iou <= 1.0f))
    return nodeError(node, "iou_threshold " + formatFloat(iou) + " must be in [0, 1]");
  // Greedy selection per batch and class, highest score first (ties: lower
  // box index first), as tmc::non_max_suppression does.
  std::vector<float> bx = valuesAs<float>(boxes), sc = valuesAs<float>(scores);
  int64_t selected = 0;
  for (int64_t b = 0; b < nb; ++b)
    for (int64_t c = 0; c < nc; ++c) {
      const float *s = sc.data() + (b * nc + c) * ns;
      std::vector<char> candidate(ns);
      for (int64_t i = 0; i < ns; ++i)
        candidate[i] = !hasScoreThreshold || s[i] > scoreThreshold;
      std::vector<int64_t> kept;
      while (static_cast<int64_t>(kept.size()) < maxOut) {
        int64_t best = -1;
        for (int64_t i = 0; i < ns; ++i)
          if (candidate[i] && (best < 0 || s[i] > s[best]))
            best = i;
        if (best < 0)
          break;
        candidate[best] = 0;
        bool suppressed = false;
        for (int64_t k : kept)
          suppressed = suppressed || nmsSuppresses(bx.data() + (b * ns + best) * 4,
                                                   bx.data() + (b * ns + k) * 4, cpb != 0, iou);
        if (!suppressed)
          kept.push_back(best);
      }
      selected += static_cast<int64_t>(kept.size());
    }
  setOutput(node, 0, DType::I64, {selected, 3});
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Resize, Upsample
//===----------------------------------------------------------------------===//

namespace {
/// The values of constant float input `i`, or an error telling the user to
/// bind it with --const.
llvm::Expected<std::vector<double>> constFloats(const Node &node, unsigned i,
                                                llvm::StringRef what) {
  Value *v = node.input(i);
  if (!v->isConstant())
    return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ", '" + v->name() +
                               "') must be known at compile time, but it is computed from "
                               "runtime data; bind the graph input it depends on with "
                               "--const NAME=FILE");
  if (!isFloat(v->dtype()))
    return nodeError(node, "input " + llvm::Twine(i) + " (" + what + ") must be float, not " +
                               dtypeName(v->dtype()));
  return v->doubleValues();
}

bool oneOf(llvm::StringRef s, std::initializer_list<llvm::StringRef> options) {
  for (llvm::StringRef o : options)
    if (s == o)
      return true;
  return false;
}

} // namespace

llvm::Error inferResize(Node &node) {
  bool upsample = node.kind() == OpKind::Upsample;
  if (upsample) {
    if (auto e = checkAttrs(node, {{"mode", Attribute::Kind::String}}))
      return e;
  } else if (auto e = checkAttrs(node, {{"coordinate_transformation_mode",
                                         Attribute::Kind::String},
                                        {"cubic_coeff_a", Attribute::Kind::Float},
                                        {"exclude_outside", Attribute::Kind::Int},
                                        {"extrapolation_value", Attribute::Kind::Float},
                                        {"mode", Attribute::Kind::String},
                                        {"nearest_mode", Attribute::Kind::String}})) {
    return e;
  }
  std::string mode = node.getString("mode", "nearest");
  if (upsample ? !oneOf(mode, {"nearest", "linear"})
               : !oneOf(mode, {"nearest", "linear", "cubic"}))
    return nodeError(node, "mode '" + mode + "' is not one of nearest, linear" +
                               (upsample ? "" : ", cubic"));
  std::string ctm = node.getString("coordinate_transformation_mode", "half_pixel");
  if (!oneOf(ctm, {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                   "tf_half_pixel_for_nn", "tf_crop_and_resize"}))
    return nodeError(node, "coordinate_transformation_mode '" + ctm +
                               "' is not one of half_pixel, pytorch_half_pixel, "
                               "align_corners, asymmetric, tf_half_pixel_for_nn, "
                               "tf_crop_and_resize");
  std::string nm = node.getString("nearest_mode", "round_prefer_floor");
  if (!oneOf(nm, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    return nodeError(node, "nearest_mode '" + nm +
                               "' is not one of round_prefer_floor, round_prefer_ceil, floor, "
                               "ceil");
  Value *x = node.input(0);
  if (x->dtype() == DType::Bool && mode != "nearest")
    return nodeError(node, "mode '" + mode + "' interpolates, which bool input '" + x->name() +
                               "' cannot; use mode 'nearest'");
  if (x->rank() < 1)
    return nodeError(node, "input '" + x->name() + "' must have rank 1 or more");
  size_t rank = static_cast<size_t>(x->rank());
  unsigned scalesAt = upsample ? 1 : 2, sizesAt = 3;
  Value *scalesV = node.input(scalesAt), *sizesV = upsample ? nullptr : node.input(sizesAt);
  // An empty tensor stands for an absent input (opset 11-12 models pass one).
  if (scalesV && scalesV->numElements() == 0)
    scalesV = nullptr;
  if (sizesV && sizesV->numElements() == 0)
    sizesV = nullptr;
  if (!scalesV && !sizesV)
    return nodeError(node, upsample ? "input 1 (scales) is required"
                                    : "one of input 2 (scales) and input 3 (sizes) is required");
  if (scalesV && sizesV)
    return nodeError(node, "only one of input 2 (scales) and input 3 (sizes) may be given");
  Shape out;
  if (sizesV) {
    auto sizes = constInts(node, sizesAt, "sizes");
    if (!sizes)
      return sizes.takeError();
    if (sizes->size() != rank)
      return nodeError(node, "sizes has " + llvm::Twine(sizes->size()) +
                                 " values for input rank " + llvm::Twine(rank));
    for (int64_t d : *sizes)
      if (d < 0)
        return nodeError(node, "sizes " + shapeToString(*sizes) + " has a negative entry");
    out.assign(sizes->begin(), sizes->end());
  } else {
    auto scales = constFloats(node, scalesAt, "scales");
    if (!scales)
      return scales.takeError();
    if (scales->size() != rank)
      return nodeError(node, "scales has " + llvm::Twine(scales->size()) +
                                 " values for input rank " + llvm::Twine(rank));
    for (size_t d = 0; d < rank; ++d) {
      double s = static_cast<float>((*scales)[d]);
      if (!(s > 0) || !std::isfinite(s))
        return nodeError(node, "scales must be positive and finite");
      // floor(in * scale) with the float scale widened to double, as ONNX's
      // reference implementation computes it.
      double o = std::floor(static_cast<double>(x->shape()[d]) * s);
      if (o > static_cast<double>(kMaxTensorBytes))
        return nodeError(node, "scale " + formatDouble(s) + " makes axis " + llvm::Twine(d) +
                                   " too large");
      out.push_back(static_cast<int64_t>(o));
    }
  }
  for (size_t d = 0; d < rank; ++d)
    if (x->shape()[d] == 0 && out[d] != 0)
      return nodeError(node, "axis " + llvm::Twine(d) + " of input '" + x->name() +
                                 "' is empty and cannot be resized to " +
                                 llvm::Twine(out[d]));
  if (!upsample && ctm == "tf_crop_and_resize") {
    if (!node.input(1))
      return nodeError(node, "coordinate_transformation_mode 'tf_crop_and_resize' needs input "
                             "1 (roi)");
    auto roi = constFloats(node, 1, "roi");
    if (!roi)
      return roi.takeError();
    if (roi->size() != 2 * rank)
      return nodeError(node, "roi has " + llvm::Twine(roi->size()) + " values, expected " +
                                 llvm::Twine(2 * rank) + " (starts then ends)");
  }
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

} // namespace tinymlc
