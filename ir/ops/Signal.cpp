//===- Signal.cpp - inference for signal processing: DFT, STFT, windows and mel filters ===//
#include "ir/ops/InferUtils.h"

namespace tinymlc {
using namespace infer;

llvm::Error inferDFT(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferMelWeightMatrix(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferSTFT(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

llvm::Error inferWindow(Node &node) {
  return nodeError(node, opName(node.kind()) + " is not implemented yet");
}

} // namespace tinymlc
