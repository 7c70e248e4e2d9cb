//===- Reduce.cpp - inference for reductions, arg-reductions, cumulative sums, TopK and Det ===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

llvm::Error inferArgReduce(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferCumSum(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferDet(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferReduce(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferTopK(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

} // namespace tinymlc
