//===- Indexing.cpp - inference for indexing, scattering, tiling and generator ops ===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

llvm::Error inferCompress(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferConstantOfShape(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferDepthSpace(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferEinsum(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferExpand(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferEyeLike(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferGatherElements(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferGatherND(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferNonZero(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferOneHot(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferRange(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferReverseSequence(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferScatterElements(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferScatterND(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferSplit(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferTile(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferTrilu(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferUnique(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

} // namespace tinymlc
