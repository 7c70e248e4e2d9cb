//===- Verifier.h - structural and type checks of a Graph -----------------===//
#ifndef TINYMLC_IR_VERIFIER_H
#define TINYMLC_IR_VERIFIER_H

#include "ir/Graph.h"
#include "llvm/Support/Error.h"

namespace tinymlc {

/// Checks that `g` is well formed:
/// - every node input is absent, a graph input, a constant or the output of an
///   earlier node (the node list is a topological order);
/// - every value is produced at most once, and producer links agree;
/// - every graph output is defined, and graph inputs are not constants;
/// - each node passes its op's inference and its outputs have the types the
///   inference gives.
/// A failure is a compiler bug when it follows a pass, a user error when it
/// follows parsing hand-written IR.
llvm::Error verify(const Graph &g);

} // namespace tinymlc

#endif
