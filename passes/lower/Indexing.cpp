//===- Indexing.cpp - lowering of indexing, scattering, tiling and generator ops ===//
#include "passes/lower/LowerUtils.h"

namespace tinymlc {
using namespace lower;

llvm::Expected<Lowering> lowerCompress(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerConstantOfShape(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerDepthSpace(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerEinsum(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerExpand(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerEyeLike(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerGatherElements(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerGatherND(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerNonZero(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerOneHot(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerRange(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerReverseSequence(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerScatterElements(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerScatterND(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerSplit(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerTile(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerTrilu(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

llvm::Expected<Lowering> lowerUnique(const Node &node) {
  return nodeError(node, opName(node.kind()) + " has no kernel yet");
}

} // namespace tinymlc
