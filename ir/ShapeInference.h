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

/// Start and step per axis (all axes, defaults filled in) and the output
/// shape of a Slice node, with ONNX's clamping rules applied.
struct SliceGeometry {
  Shape starts, steps, out;
};
llvm::Expected<SliceGeometry> sliceGeometry(const Node &node);

/// Numpy broadcast of two shapes; std::nullopt if incompatible.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);

/// Multiply-accumulates one run of the node performs (0 for ops without MACs).
int64_t nodeMacs(const Node &node);

} // namespace tinymlc

#endif
