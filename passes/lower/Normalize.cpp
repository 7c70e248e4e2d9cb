//===- Normalize.cpp - lowering of normalisations ---------------------------===//
#include "passes/lower/LowerUtils.h"

namespace tinymlc {
using namespace lower;

llvm::Expected<Lowering> lowerInstanceNorm(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerLayerNorm(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerLpNormalization(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerLRN(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerMVN(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

} // namespace tinymlc
