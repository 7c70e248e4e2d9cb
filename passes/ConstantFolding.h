//===- ConstantFolding.h - evaluating nodes whose inputs are constant -----===//
#ifndef TINYMLC_PASSES_CONSTANTFOLDING_H
#define TINYMLC_PASSES_CONSTANTFOLDING_H

#include "ir/Graph.h"
#include "llvm/Support/Error.h"

namespace tinymlc {

/// Evaluates `node` if it can be folded: every present input is a constant
/// (Shape and Size need only their input's type), and the outputs are not
/// much larger than the inputs (folding must not inflate flash: outputs up to
/// the inputs' size or 64 KiB fold). On success the outputs become constants
/// and the node has no effect left; the caller erases it. Returns whether it
/// folded.
llvm::Expected<bool> foldNode(Node &node);

} // namespace tinymlc

#endif
