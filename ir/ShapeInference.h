//===- ShapeInference.h - output types of IR nodes ------------------------===//
//
// Each op's inference routine (named in ir/Ops.def, defined in ir/ops/) checks
// the node against ONNX's rules for its op (arity, attribute names and kinds,
// element types, shapes, constant inputs that decide shapes) and sets the type
// of every output. Violations come back as located Diagnostics; the importer
// reports them to the user, the verifier reports them as broken IR.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_IR_SHAPEINFERENCE_H
#define TINYMLC_IR_SHAPEINFERENCE_H

#include "ir/Graph.h"
#include "llvm/Support/Error.h"
#include <map>
#include <string>
#include <vector>

namespace tinymlc {

/// Checks `node` and sets the dtype and shape of its outputs.
llvm::Error inferNode(Node &node);

/// Padding, strides and output size of a sliding-window op (Conv, pools).
struct WindowGeometry {
  Shape in, kernel, strides, dilations, padBegin, padEnd, out;
};

/// Resolves `auto_pad`, `pads`, `strides`, `dilations` and `ceil_mode` of a
/// Conv or pooling node for the given spatial input size and kernel size.
llvm::Expected<WindowGeometry> windowGeometry(const Node &node, llvm::ArrayRef<int64_t> inSpatial,
                                              llvm::ArrayRef<int64_t> kernel);

/// The same for ConvTranspose: `out` is the output's spatial size, the pads
/// are those of the equivalent strided scatter (ir/ops/Spatial.cpp explains
/// how output_shape, output_padding and auto_pad resolve).
llvm::Expected<WindowGeometry> convTransposeGeometry(const Node &node,
                                                     llvm::ArrayRef<int64_t> inSpatial,
                                                     llvm::ArrayRef<int64_t> kernel);

/// The shape MaxUnpool's indices address: the input of the MaxPool being
/// undone ([N, C, (in - 1) * stride - pads + kernel...]).
llvm::Expected<Shape> maxUnpoolIndexShape(const Node &node);

/// Start and step per axis (all axes, defaults filled in) and the output
/// shape of a Slice node, with ONNX's clamping rules applied.
struct SliceGeometry {
  Shape starts, steps, out;
};
llvm::Expected<SliceGeometry> sliceGeometry(const Node &node);

/// Which axes of input 0 a reduction (Reduce*, also the reduction inside
/// MeanVarianceNormalization) reduces, from its axes attribute or input.
llvm::Expected<std::vector<bool>> reducedAxes(const Node &node);

/// Resolves an Einsum equation against the operand shapes:
/// - `operands[k]` spells operand k's dimensions, one character each: the
///   equation's letters, with the dimensions an ellipsis stands for written
///   as the digits '0'.. (right-aligned across operands, so they broadcast);
/// - `output` spells the result's dimensions the same way (implicit mode:
///   the ellipsis digits, then the letters used once, in ASCII order);
/// - `dims` maps every character to its size (size-1 dims broadcast).
llvm::Error einsumLetters(const Node &node, std::vector<std::string> &operands,
                          std::string &output, std::map<char, int64_t> &dims);

/// Numpy broadcast of two shapes; std::nullopt if incompatible.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Multiply-accumulates one run of the node performs (0 for ops without MACs).
int64_t nodeMacs(const Node &node);

} // namespace tinymlc

#endif
