//===- Signal.cpp - inference for signal processing: DFT, STFT, windows and mel filters ===//
//
// Sizes that decide output shapes (DFT's dft_length, STFT's frame_step and
// frame_length, the window size, MelWeightMatrix's num_mel_bins and
// dft_length) must be constants; the window functions and MelWeightMatrix then
// fold at import.
//
//===----------------------------------------------------------------------===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

namespace {

/// The value of constant scalar input `i` (a one-element integer tensor).
llvm::Expected<int64_t> constScalar(const Node &node, unsigned i, llvm::StringRef what) {
  auto v = constInts(node, i, what);
  if (!v)
    return v.takeError();
  if (v->size() != 1)
    return nodeError(node, "input " + llvm::Twine(i) + " (" + what +
                               ") must be a scalar, not " +
                               shapeToString(node.input(i)->shape()));
  return (*v)[0];
}

/// The element type named by the output_datatype attribute (default float).
llvm::Expected<DType> outputDatatype(const Node &node) {
  int64_t code = node.getInt("output_datatype", 1);
  std::optional<DType> t = dtypeFromOnnx(static_cast<int>(code));
  if (!t || *t == DType::Bool)
    return nodeError(node, "output_datatype " + onnxTypeName(static_cast<int>(code)) +
                               " is not supported; tinymlc handles float, double and "
                               "8/16/32/64-bit integers");
  return *t;
}

/// Requires the last dim of `v` to be 1 (real) or 2 (complex).
llvm::Error checkComplexDim(const Node &node, const Value *v, llvm::StringRef what) {
  if (v->rank() >= 1 && (v->shape().back() == 1 || v->shape().back() == 2))
    return llvm::Error::success();
  return nodeError(node, what + " ('" + v->name() + "') has shape " +
                             shapeToString(v->shape()) +
                             "; its last dimension must be 1 (real) or 2 (complex)");
}

} // namespace

llvm::Error inferDFT(Node &node) {
  if (auto e = checkAttrs(node, {{"axis", Attribute::Kind::Int},
                                 {"inverse", Attribute::Kind::Int},
                                 {"onesided", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkType(node, 1, kSigned))
    return e;
  const Value *x = node.input(0);
  if (x->rank() < 3)
    return nodeError(node, "input ('" + x->name() + "') has shape " +
                               shapeToString(x->shape()) +
                               "; expected [batch, signal dims..., 1 or 2]");
  if (auto e = checkComplexDim(node, x, "input"))
    return e;
  auto axis = normAxis(node, node.getInt("axis", 1), x->rank());
  if (!axis)
    return axis.takeError();
  if (*axis == 0 || *axis == x->rank() - 1)
    return nodeError(node, "axis " + llvm::Twine(node.getInt("axis", 1)) +
                               " must name a signal dimension, between 1 and " +
                               llvm::Twine(x->rank() - 2) + " for input shape " +
                               shapeToString(x->shape()));
  int64_t length = x->shape()[*axis];
  if (node.input(1)) {
    auto n = constScalar(node, 1, "dft_length");
    if (!n)
      return n.takeError();
    if (*n <= 0)
      return nodeError(node, "dft_length " + llvm::Twine(*n) + " must be positive");
    length = *n;
  }
  if (length <= 0)
    return nodeError(node, "the signal along axis " + llvm::Twine(*axis) + " is empty");
  Shape out(x->shape().begin(), x->shape().end());
  out[*axis] = node.getInt("onesided", 0) ? length / 2 + 1 : length;
  out.back() = 2;
  setOutput(node, 0, x->dtype(), out);
  return llvm::Error::success();
}

llvm::Error inferSTFT(Node &node) {
  if (auto e = checkAttrs(node, {{"onesided", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kFloat))
    return e;
  if (auto e = checkSameType(node, {0, 2}))
    return e;
  const Value *x = node.input(0), *window = node.input(2);
  if (x->rank() != 3)
    return nodeError(node, "signal ('" + x->name() + "') has shape " +
                               shapeToString(x->shape()) +
                               "; expected [batch_size, signal_length, 1 or 2]");
  if (auto e = checkComplexDim(node, x, "signal"))
    return e;
  auto step = constScalar(node, 1, "frame_step");
  if (!step)
    return step.takeError();
  if (*step <= 0)
    return nodeError(node, "frame_step " + llvm::Twine(*step) + " must be positive");
  if (window && window->rank() != 1)
    return nodeError(node, "window ('" + window->name() + "') has shape " +
                               shapeToString(window->shape()) + "; expected one dimension");
  int64_t length = 0;
  if (node.input(3)) {
    auto n = constScalar(node, 3, "frame_length");
    if (!n)
      return n.takeError();
    if (*n <= 0)
      return nodeError(node, "frame_length " + llvm::Twine(*n) + " must be positive");
    length = *n;
    if (window && window->shape()[0] != length)
      return nodeError(node, "window ('" + window->name() + "') has " +
                                 llvm::Twine(window->shape()[0]) +
                                 " values but frame_length is " + llvm::Twine(length));
  } else if (window) {
    length = window->shape()[0];
    if (length <= 0)
      return nodeError(node, "window ('" + window->name() + "') is empty");
  } else {
    return nodeError(node, "needs a window (input 2) or a frame_length (input 3) to know the "
                           "frame size");
  }
  const int64_t signal = x->shape()[1];
  if (signal < length)
    return nodeError(node, "signal ('" + x->name() + "') has " + llvm::Twine(signal) +
                               " samples, fewer than one frame of " + llvm::Twine(length));
  const int64_t frames = (signal - length) / *step + 1;
  const int64_t bins = node.getInt("onesided", 1) ? length / 2 + 1 : length;
  setOutput(node, 0, x->dtype(), {x->shape()[0], frames, bins, 2});
  return llvm::Error::success();
}

llvm::Error inferWindow(Node &node) {
  if (auto e = checkAttrs(node, {{"output_datatype", Attribute::Kind::Int},
                                 {"periodic", Attribute::Kind::Int}}))
    return e;
  if (auto e = checkType(node, 0, kSigned))
    return e;
  auto size = constScalar(node, 0, "size");
  if (!size)
    return size.takeError();
  if (*size < 0)
    return nodeError(node, "window size " + llvm::Twine(*size) + " is negative");
  auto t = outputDatatype(node);
  if (!t)
    return t.takeError();
  setOutput(node, 0, *t, {*size});
  return llvm::Error::success();
}

llvm::Error inferMelWeightMatrix(Node &node) {
  if (auto e = checkAttrs(node, {{"output_datatype", Attribute::Kind::Int}}))
    return e;
  for (unsigned i = 0; i < 3; ++i)
    if (auto e = checkType(node, i, kSigned))
      return e;
  if (auto e = checkSameType(node, {0, 1, 2}))
    return e;
  if (auto e = checkType(node, 3, kFloat))
    return e;
  if (auto e = checkSameType(node, {3, 4}))
    return e;
  for (unsigned i = 2; i < 5; ++i)
    if (node.input(i)->numElements() != 1)
      return nodeError(node, "input " + llvm::Twine(i) + " ('" + node.input(i)->name() +
                                 "') must be a scalar, not " +
                                 shapeToString(node.input(i)->shape()));
  auto mels = constScalar(node, 0, "num_mel_bins");
  if (!mels)
    return mels.takeError();
  auto length = constScalar(node, 1, "dft_length");
  if (!length)
    return length.takeError();
  if (*mels <= 0)
    return nodeError(node, "num_mel_bins " + llvm::Twine(*mels) + " must be positive");
  if (*length <= 0)
    return nodeError(node, "dft_length " + llvm::Twine(*length) + " must be positive");
  auto t = outputDatatype(node);
  if (!t)
    return t.takeError();
  setOutput(node, 0, *t, {*length / 2 + 1, *mels});
  return llvm::Error::success();
}

} // namespace tinymlc
