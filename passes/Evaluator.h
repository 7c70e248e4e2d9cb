//===- Evaluator.h - runs graphs in the compiler with runtime-min ---------===//
//
// The compiler's own evaluator: each node is lowered exactly as for code
// generation and its kernels run on host buffers. Constant folding, and later
// calibration and verification, use it, so they see the numbers the generated
// code will produce.
//
//===----------------------------------------------------------------------===//
#ifndef TINYMLC_PASSES_EVALUATOR_H
#define TINYMLC_PASSES_EVALUATOR_H

#include "ir/Graph.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include <vector>

namespace tinymlc {

using Buffer = std::vector<uint8_t>;

/// Runs `node`: inputs[i] holds input i's bytes (null when absent), outputs[i]
/// has room for output i.
llvm::Error evaluateNode(const Node &node, llvm::ArrayRef<const uint8_t *> inputs,
                         llvm::ArrayRef<uint8_t *> outputs);

/// Runs the whole graph on one sample: `inputs` in graph-input order, each
/// holding exactly that input's bytes. Returns the graph outputs' bytes.
llvm::Expected<std::vector<Buffer>> evaluateGraph(const Graph &g,
                                                  llvm::ArrayRef<Buffer> inputs);

/// Called with every graph input and every node output once its bytes are
/// known, in schedule order (calibration and error measurement watch these).
using ValueObserver = llvm::function_ref<void(const Value &, llvm::ArrayRef<uint8_t>)>;

/// As above, and `observe` sees every intermediate value.
llvm::Expected<std::vector<Buffer>>
evaluateGraph(const Graph &g, llvm::ArrayRef<Buffer> inputs, ValueObserver observe);

} // namespace tinymlc

#endif
