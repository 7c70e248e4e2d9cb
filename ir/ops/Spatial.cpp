//===- Spatial.cpp - inference for Conv, pooling and BatchNormalization ---===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

static int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

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
    return std::move(e);
  if (auto e = getList("dilations", rank, 1, g.dilations))
    return std::move(e);
  Shape pads;
  if (auto e = getList("pads", 2 * rank, 0, pads))
    return std::move(e);
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
  if (auto e = checkAttrs(node, {}))
    return e;
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

llvm::Error inferConvTranspose(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferGridSample(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferLpPool(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferMaxRoiPool(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferMaxUnpool(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferNonMaxSuppression(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferResize(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferRoiAlign(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

} // namespace tinymlc
